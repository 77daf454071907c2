"""Split questions and relation labels into comparable words: stop words, stems, relation words.

``content_stems`` and ``stem`` compare a question with relation labels word
by word. ``relation_words`` picks the words of a masked question that must
name a relation: what is left after the topic placeholder, question words,
stop words, very generic verbs, the answer-type noun ("which *country*")
and class mentions are removed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from kgqa.normalize import fold

__all__ = [
    "GENERIC_HEADS",
    "GENERIC_VERBS",
    "PRESENT_WORDS",
    "SHARING_WORDS",
    "STOPWORDS",
    "STRONG_SHARING_WORDS",
    "WORD_RE",
    "attribute_words",
    "content_stems",
    "focus_is_possessed",
    "focus_word",
    "relation_words",
    "stem",
    "stems_match",
]

_STOPWORDS_TEXT = (
    "a an the of by in on at to for from with and or not no nor is are was were be been being "
    "am has have had do does did done what which who whom whose where when why how many much "
    "that this these those it its their there as about into than then can could would should "
    "will shall may might me my i you your he she his her they them we our us also any some "
    "all both each every ever other such only just very s t ne name names list tell give show "
    "please"
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

WORD_RE = re.compile(r"[^\W_]+")


# Past forms of common irregular verbs, so that "wrote" and "written" meet "writer".
_IRREGULAR_VERBS = {
    "wrote": "write", "written": "write", "spoke": "speak", "spoken": "speak", "began": "begin",
    "begun": "begin", "sold": "sell", "bought": "buy", "won": "win", "led": "lead",
    "held": "hold", "taught": "teach", "built": "build", "sang": "sing", "sung": "sing",
    "drew": "draw", "drawn": "draw", "grew": "grow", "grown": "grow", "chose": "choose",
    "chosen": "choose", "shot": "shoot", "fought": "fight", "brought": "bring", "told": "tell",
    "knew": "know", "known": "know", "flew": "fly", "flown": "fly", "ate": "eat", "eaten": "eat",
    "stole": "steal", "stolen": "steal", "froze": "freeze", "frozen": "freeze",
}
# Words that ask for a second node sharing a relation with the first ("the *same*
# director", "acted *together* with NE"), so a path may use one relation twice.
SHARING_WORDS = frozenset({"same", "share", "shares", "shared", "sharing", "together", "also",
                           "other", "another", "with", "co", "too", "fellow", "both"})
# Sharing words that ask for a second node of the same kind ("who starred *together* with NE").
STRONG_SHARING_WORDS = frozenset({"same", "share", "shares", "shared", "sharing", "together",
                                  "co", "fellow"})


# Cached because scoring stems the same few thousand words for every question.
@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Reduce an English word to a crude stem so that inflected forms compare equal.

    Handles plurals and third person (``members``), ``-ed``/``-ing`` (with a
    doubled final consonant: ``starred`` -> ``star``), agent nouns
    (``director`` -> ``direct``) and the past forms of common irregular verbs
    (``wrote`` -> ``writ``, like ``writer``). Stems are only compared with
    other stems.
    """
    stemmed = _IRREGULAR_VERBS.get(word.lower(), word.lower())
    if len(stemmed) > 4 and stemmed.endswith("ies"):
        stemmed = stemmed[:-3] + "y"
    elif len(stemmed) > 4 and stemmed.endswith(("sses", "ches", "shes", "xes")):
        stemmed = stemmed[:-2]
    elif len(stemmed) > 3 and stemmed.endswith("s") and not stemmed.endswith(("ss", "us", "is")):
        stemmed = stemmed[:-1]

    before_suffix = stemmed
    if len(stemmed) > 5 and stemmed.endswith("ing"):
        stemmed = stemmed[:-3]
    elif len(stemmed) > 4 and stemmed.endswith("ed"):
        stemmed = stemmed[:-2]
    if len(stemmed) > 5 and stemmed.endswith(("or", "er")):
        stemmed = stemmed[:-2]
    if stemmed != before_suffix and len(stemmed) > 3 and stemmed[-1] == stemmed[-2] \
            and stemmed[-1] not in "lsz":
        stemmed = stemmed[:-1]

    if len(stemmed) > 4 and stemmed.endswith("e"):
        stemmed = stemmed[:-1]
    return stemmed


def content_stems(text: str) -> set[str]:
    """Return the stems of the content words of ``text`` (stop words and ``NE`` left out)."""
    words = WORD_RE.findall(fold(text))
    return {stem(word) for word in words if word not in STOPWORDS and not word.isdigit()}


# Verbs that name no relation of their own: "Which currency does NE *use*?",
# "Which elements *belong* to NE?", "What is NE *called*?".
_GENERIC_VERBS_TEXT = (
    "use uses used using get gets got make makes made take takes took give gives given go goes "
    "went come comes came become becomes became call calls called named know known exist exists "
    "existed happen happened belong belongs belonged contain contains contained include includes "
    "included"
)
GENERIC_VERBS = frozenset(_GENERIC_VERBS_TEXT.split())
# Nouns that name no relation after a modifier that does: "email *address*", "phone *number*".
GENERIC_HEADS = frozenset({"address", "number", "name", "value", "amount", "count", "figure",
                           "information", "details", "data"})
# Words asking for a relation as it is now ("a *current* member of NE"). Every
# relation label without a qualifier such as "former" already means that.
PRESENT_WORDS = frozenset({"current", "currently", "present", "presently", "now", "today"})
# "the *life expectancy* in NE": an article, a noun, then a preposition.
_ARTICLES = frozenset({"the", "a", "an"})
_PREPOSITIONS = frozenset({"in", "for", "at", "on"})
# Tokens before a possessed noun: "NE's" splits into "ne" and "s".
_POSSESSIVES = frozenset({"s", "its", "their", "his", "her", "whose"})

# A stem this long that starts another stem names the same thing ("discover", "discovery").
MIN_PREFIX_STEM = 5
# A stem this long that ends another stem is that compound's head ("writ", "screenwrit").
MIN_COMPOUND_HEAD = 4

# "How many *members* does NE have?": the focus noun names what NE has, a relation.
_HAVE_RE = re.compile(r"\b(?:does|do|did)\s+ne\s+(?:have|has|had)\b")
_FOCUS_RE = re.compile(r"\b(?:which|what|how many|how much)\s+([^\W\d_]+)")


def stems_match(left: str, right: str) -> bool:
    """Return whether two stems name the same word.

    They do when equal, when one is a long prefix of the other ("discover",
    "discovery"), or when the longer ends with the shorter as the head of a
    compound ("screenwrit" and "writ").
    """
    shorter, longer = sorted((left, right), key=len)
    if shorter == longer:
        return True
    return len(shorter) >= MIN_PREFIX_STEM and longer.startswith(shorter) \
        or len(shorter) >= MIN_COMPOUND_HEAD and longer.endswith(shorter)


def focus_word(masked_question: str) -> str | None:
    """Return the noun that a question word restricts ("Which *currency* ...", "how many *people*").

    The noun names the type of the answer, not a relation. None when the
    question word is followed by a stop word ("What is ...").
    """
    match = _FOCUS_RE.search(fold(masked_question))
    if match is None or match.group(1) in STOPWORDS:
        return None
    return match.group(1)


def focus_is_possessed(masked_question: str) -> bool:
    """Return whether the focus noun is what the topic has ("How many *employees* does NE have?")."""
    return bool(_HAVE_RE.search(fold(masked_question)))


def relation_words(masked_question: str, excluded: Iterable[str] = ()) -> list[str]:
    """Return the words of ``masked_question`` that must name a relation, in question order.

    Left out: ``NE``, stop words, numbers, ``GENERIC_VERBS``,
    ``PRESENT_WORDS``, ``SHARING_WORDS``, a ``GENERIC_HEADS`` noun right after a kept word, the
    focus noun unless the topic "has" it, and every word of ``excluded``
    (class mentions, for example).
    Words are folded (lowercase, no accents).
    """
    skipped = {word for text in excluded for word in WORD_RE.findall(fold(text))}
    focus = focus_word(masked_question)
    if focus is not None and not focus_is_possessed(masked_question):
        skipped.add(focus)

    words: list[str] = []
    previous_kept = False
    for word in WORD_RE.findall(fold(masked_question)):
        keep = not (word in STOPWORDS or word in GENERIC_VERBS or word in PRESENT_WORDS
                    or word in SHARING_WORDS or word in skipped or word.isdigit()
                    or (previous_kept and word in GENERIC_HEADS))
        if keep and word not in words:
            words.append(word)
        previous_kept = keep
    return words


def attribute_words(masked_question: str, words: Iterable[str],
                    excluded: Iterable[str] = ()) -> set[str]:
    """Return the relation words that stand where a noun names an attribute of something.

    That is a run of relation words right after a possessive ("NE's *email*
    address", "its *capital*") or right before "of" ("the *melting point* of
    NE"). A relation that does not explain such a noun is a near miss. Verbs
    and other words ("films that *feature* NE") are left to whole-question
    similarity, because single-word embeddings miss many verb paraphrases of
    relation nouns ("appear in" and "cast member"). Words of ``excluded``
    (class mentions) continue a run without joining the result: "the *twin*
    city of NE".
    """
    relation = set(words)
    joiners = {word for text in excluded for word in WORD_RE.findall(fold(text))}
    tokens = WORD_RE.findall(fold(masked_question))
    salient: set[str] = set()
    start = 0
    while start < len(tokens):
        if tokens[start] not in relation:
            start += 1
            continue
        end = start
        while end < len(tokens) and (tokens[end] in relation or tokens[end] in joiners):
            end += 1
        before = tokens[start - 1] if start > 0 else ""
        after = tokens[end] if end < len(tokens) else ""
        if before in _POSSESSIVES or after == "of" \
                or (before in _ARTICLES and after in _PREPOSITIONS):
            salient.update(token for token in tokens[start:end] if token in relation)
        start = end
    focus = focus_word(masked_question)
    if focus in relation and focus_is_possessed(masked_question):
        salient.add(focus)
    return salient
