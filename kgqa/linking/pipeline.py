"""Build the spaCy pipeline of the linker, and classify its tokens and spans for the linking guards.

Two changes to spaCy's stock tokenizer make graph labels and questions split
the same way:

- runs of Chinese, Japanese or Korean characters are split into one token per
  character, so a label such as 鲁迅 matches inside unsegmented text;
- a final ``.`` is split off any token that is not a tokenizer exception, so
  "AT&T." at the end of a sentence yields the token "AT&T". Exceptions such as
  "St." and "Mr." stay whole, and "U.S." becomes "U.S" and ".", in labels and
  questions alike.

The ``kgqa_norms`` component, added last, sets ``token.norm_`` to the folded
form of the token (``kgqa.normalize.fold``: case folded, accents removed), and
the gazetteer matches on ``NORM``. Adding it last leaves the norms that a
trained pipeline's own components expect untouched while they run.

The helpers below the pipeline classify tokens (ordinary word, name-like,
sentence start) and find spans (bracketed text, runs of capitalized words).
"""

from __future__ import annotations

import functools
import logging
import re

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Token
from spacy.util import compile_infix_regex, compile_suffix_regex
from wordfreq import zipf_frequency

from kgqa.errors import InvalidInput, ModelUnavailable
from kgqa.normalize import fold, has_cjk

__all__ = [
    "NORMS_COMPONENT",
    "QUESTION_WORDS",
    "TITLE_CONNECTORS",
    "bracket_spans",
    "build_nlp",
    "is_cjk_char",
    "is_common_word",
    "is_name_like",
    "is_ordinary_token",
    "is_rare_word",
    "is_sentence_start",
    "is_title_abbreviation",
    "is_title_case",
    "name_runs",
    "set_norms",
    "token_norm",
]

log = logging.getLogger(__name__)

NORMS_COMPONENT = "kgqa_norms"

# Ideographs, kana and hangul: the scripts that are written without spaces.
_CJK_CLASS = (
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0002fa1f"
)
_CJK_CHAR_RE = re.compile(f"^[{_CJK_CLASS}]$")

# Zero-width infixes: spaCy keeps the text between two empty infix matches as
# a token, so these split before and after every CJK character.
_CJK_INFIXES = (
    f"(?<=[{_CJK_CLASS}])(?=[{_CJK_CLASS}])",
    f"(?<=[{_CJK_CLASS}])(?=[^{_CJK_CLASS}])",
    f"(?<=[^{_CJK_CLASS}])(?=[{_CJK_CLASS}])",
)
_FINAL_PERIOD_SUFFIX = r"(?<=[^.])\.$"

# Words that ask rather than name: never linked unless the user brackets them.
QUESTION_WORDS = frozenset({"what", "who", "whom", "whose", "when", "where", "which", "why", "how"})

# Zipf 5.5 is about 300 occurrences per million words: "time", "people", "city"
# and "up" are above it, place names such as "london" (5.27) or "york" (5.37)
# are below. wordfreq lowercases its counts, so proper names count too.
COMMON_WORD_MIN_ZIPF = 5.5
# Below Zipf 4 (100 per million) a capitalized first word of a sentence is
# taken as part of a name: "Marlow" (2.9) is, "Visit" (5.0) and "Describe"
# (4.2) are not.
RARE_WORD_MAX_ZIPF = 4.0

# Name particles and punctuation that join the capitalized words of one name
# ("Ludwig van Beethoven", "Bashar al-Assad", "Guns N' Roses", "Simon & Garfunkel").
_NAME_PARTICLES = frozenset({"&", "'", "-", "al", "bin", "da", "das", "de", "del", "della", "den",
                             "der", "di", "dos", "du", "el", "ibn", "la", "le", "van", "von"})
# Words that join capitalized words only after a word that precedes them in
# the graph's own labels ("Isle of Man", "Republic of the Congo"): elsewhere
# they separate a title from a name ("CEO of Google", "President of France").
TITLE_CONNECTORS = frozenset({"of", "the"})
_JOINING_WORDS = _NAME_PARTICLES | TITLE_CONNECTORS

# Job titles written as abbreviations: chief officers (CEO, CFO, CTO, CISO)
# and vice presidents, in the singular or plural. They name a role, not a
# person or an organization.
_TITLE_ABBREVIATION_RE = re.compile(r"^(?:C[A-Z]{1,3}O|[ES]?VP)s?$")

_SENTENCE_END = frozenset({".", "?", "!", ":", ";", "\n"})
_OPENING = frozenset({"(", "[", "{", '"', "'"})


def build_nlp(pipeline: str = "blank:en") -> Language:
    """Load a spaCy pipeline and prepare it for linking.

    ``pipeline`` is ``blank:LANG`` (tokenizer only, no download) or the name of
    an installed trained pipeline such as ``en_core_web_sm``.

    Raises:
        InvalidInput: ``pipeline`` is empty or names an unknown language.
        ModelUnavailable: the trained pipeline is not installed.
    """
    name = (pipeline or "").strip()
    if not name:
        raise InvalidInput("The spaCy pipeline name is empty. Set KGQA_SPACY_PIPELINE to "
                           "'blank:en' or to an installed pipeline such as en_core_web_sm.")

    nlp = _load(name)
    _customize_tokenizer(nlp)
    if NORMS_COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(NORMS_COMPONENT, last=True)
    # wordfreq reads its frequency table on first use; do it now, not during a question.
    is_common_word("the", nlp.lang)

    log.info("built spaCy pipeline %s (components: %s)", name, ", ".join(nlp.pipe_names) or "none")
    return nlp


def _load(name: str) -> Language:
    if name.startswith("blank:"):
        lang = name.removeprefix("blank:")
        try:
            return spacy.blank(lang)
        except ImportError as error:
            raise InvalidInput(f"Unknown spaCy language code {lang!r} in {name!r}. "
                               "Use a code spaCy supports, such as 'blank:en'.") from error
    try:
        return spacy.load(name)
    except OSError as error:
        raise ModelUnavailable(
            f"The spaCy pipeline {name!r} is not installed. Install its package with pip, "
            "or set KGQA_SPACY_PIPELINE=blank:en to use the tokenizer only."
        ) from error


def _customize_tokenizer(nlp: Language) -> None:
    tokenizer = nlp.tokenizer
    infixes = list(nlp.Defaults.infixes or ()) + list(_CJK_INFIXES)
    suffixes = list(nlp.Defaults.suffixes or ()) + [_FINAL_PERIOD_SUFFIX]
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search


@Language.component(NORMS_COMPONENT)
def set_norms(doc: Doc) -> Doc:
    """Set every token's ``norm_`` to its folded form, the key the gazetteer matches on."""
    for token in doc:
        token.norm_ = token_norm(token.text)
    return doc


def token_norm(text: str) -> str:
    """Return the matching key of one token: folded, or the text itself when folding empties it."""
    return fold(text) or text


def is_cjk_char(text: str) -> bool:
    """Return whether ``text`` is exactly one Chinese, Japanese or Korean character."""
    return _CJK_CHAR_RE.match(text) is not None


@functools.lru_cache(maxsize=65536)
def is_common_word(word: str, lang: str = "en") -> bool:
    """Return whether ``word`` is a very frequent word of ``lang`` (wordfreq Zipf >= 5.5)."""
    return zipf_frequency(word, lang) >= COMMON_WORD_MIN_ZIPF


@functools.lru_cache(maxsize=65536)
def is_rare_word(word: str, lang: str = "en") -> bool:
    """Return whether ``word`` is rare enough in ``lang`` to be a name (wordfreq Zipf < 4)."""
    return zipf_frequency(word, lang) < RARE_WORD_MAX_ZIPF


def is_ordinary_token(token: Token) -> bool:
    """Return whether a token is an everyday word rather than part of a name.

    Ordinary: punctuation, stop words, question words, single characters and
    very common words. A label made only of ordinary tokens ("Up", "It", "C")
    links only under the stricter rules of the linker.
    """
    text = token.text
    if token.is_punct or token.is_space or len(text) == 1:
        return True
    if has_cjk(text):
        return False

    lowered = token.norm_
    return token.is_stop or lowered in QUESTION_WORDS or is_common_word(lowered, token.lang_)


def is_sentence_start(doc: Doc, index: int) -> bool:
    """Return whether token ``index`` opens a sentence, where a capital letter does not mark a name.

    The parser's sentence boundaries decide when the pipeline sets them.
    Otherwise the previous token decides: sentence-final punctuation, or none.
    Opening brackets and quotes before the token are skipped.
    """
    position = index
    while position > 0 and doc[position - 1].text in _OPENING:
        position -= 1
    if position == 0:
        return True
    if doc.has_annotation("SENT_START"):
        return bool(doc[position].is_sent_start)
    return doc[position - 1].text in _SENTENCE_END


def is_name_like(token: Token) -> bool:
    """Return whether a token looks like part of a proper name.

    Name-like: capitalized, and neither a stop word, a question word nor a
    job title abbreviation such as "CEO".
    """
    text = token.text
    if not text[:1].isupper() or not any(char.isalpha() for char in text):
        return False
    if is_title_abbreviation(text):
        return False
    return not (token.is_stop or token.norm_ in QUESTION_WORDS)


def is_title_abbreviation(text: str) -> bool:
    """Return whether ``text`` abbreviates a job title: "CEO", "CFOs", "CISO", "VP", "SVP"."""
    return _TITLE_ABBREVIATION_RE.match(text) is not None


def _is_standalone_acronym(token: Token) -> bool:
    """Return whether a token is an all-capitals acronym that is also a frequent word ("USA").

    Such an acronym is a whole name by itself, so it never joins the
    capitalized words next to it. A rare acronym ("IBM" in "IBM Research")
    may start a longer name.
    """
    text = token.text
    if len(text) < 2 or not text.isalpha() or not text.isupper():
        return False
    return not is_rare_word(token.norm_, token.lang_)


def bracket_spans(doc: Doc) -> list[tuple[int, int]]:
    """Return the token spans written inside square brackets ("[Tom Hanks]"), brackets excluded."""
    spans = []
    opening = None
    for token in doc:
        if token.text == "[":
            opening = token.i
        elif token.text == "]" and opening is not None:
            if token.i > opening + 1:
                spans.append((opening + 1, token.i))
            opening = None
    return spans


def is_title_case(doc: Doc) -> bool:
    """Return whether the question is in title case, so that capitals do not mark names.

    Title case: every content word is capitalized, and so is at least one stop
    word ("What Is the Population of New York City?"). A question whose only
    capitalized words are names ("Who is Ursula Kemp?") is not.
    """
    words = [token for token in doc
             if token.is_alpha and not has_cjk(token.text) and not is_sentence_start(doc, token.i)]
    content = [token for token in words if not token.is_stop]
    stop_words = [token for token in words if token.is_stop]

    all_content_capitalized = bool(content) and all(_capitalized(token) for token in content)
    return all_content_capitalized and any(_capitalized(token) for token in stop_words)


def _capitalized(token: Token) -> bool:
    return token.text[:1].isupper()


def name_runs(doc: Doc, match_starts: set[int],
              title_heads: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """Return spans of consecutive capitalized words, joined by name particles.

    "of" and "the" join capitalized words only right after one of
    ``title_heads`` (folded words, see ``Gazetteer.title_heads``). A job title
    abbreviation is no part of a name, and an acronym that is a frequent word
    ("USA") is a run of its own.

    A capitalized word that opens a sentence ("Visit Paris") is left out of its
    run, because its capital letter does not mark a name. It stays when one of
    ``match_starts`` (label matches) is there or when the word is rare.
    """
    runs = []
    index = 0
    while index < len(doc):
        if not is_name_like(doc[index]) or has_cjk(doc[index].text):
            index += 1
            continue

        end = _run_end(doc, index, title_heads)
        start = index
        first = doc[start]
        if (is_sentence_start(doc, start) and start not in match_starts
                and not is_rare_word(first.norm_, first.lang_)):
            start += 1
        if start < end:
            runs.append((start, end))
        index = end
    return runs


def _run_end(doc: Doc, start: int, title_heads: frozenset[str]) -> int:
    if _is_standalone_acronym(doc[start]):
        return start + 1

    end = start + 1
    while end < len(doc):
        after = _connectors_end(doc, end, title_heads)
        if after >= len(doc) or not is_name_like(doc[after]) or _is_standalone_acronym(doc[after]):
            break
        end = after + 1
    return end


def _connectors_end(doc: Doc, index: int, title_heads: frozenset[str]) -> int:
    """Return the index after the name particles or title connectors that start at ``index``.

    Returns ``index`` itself when no connector may join there.
    """
    end = index
    while end < len(doc) and doc[end].norm_ in _JOINING_WORDS:
        end += 1
    connectors = {token.norm_ for token in doc[index:end]}
    if connectors & TITLE_CONNECTORS and doc[index - 1].norm_ not in title_heads:
        return index
    return end
