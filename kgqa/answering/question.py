"""Analyse a masked question: the answer form, the expected answer type, negation and widening.

The analysis reads surface cues only (question words, auxiliaries, "not",
"ever"), in English and in Chinese. It runs on the masked question, so words
inside entity names ("The Never Ending Story") never count as cues.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata

from rdflib import Literal
from rdflib.namespace import XSD
from rdflib.term import Node

from kgqa.linking.mentions import LinkedEntity
from kgqa.normalize import fold, has_cjk
from kgqa.retrieval.words import attribute_words, content_stems, relation_words

__all__ = [
    "ANSWER_TYPES",
    "FORMS",
    "AskedQuestion",
    "QuestionAnalysis",
    "analyze_question",
    "display_language",
    "is_boolean_literal",
    "is_numeric_literal",
    "is_temporal_literal",
    "is_temporal_relation",
]

FORMS = ("list", "count", "yes_no")
ANSWER_TYPES = ("time", "place", "person", "number", "entity", "any")

_AUXILIARIES = ("is", "are", "was", "were", "am", "do", "does", "did", "has", "have", "had",
                "can", "could", "will", "would", "should", "shall", "may", "might", "must")
# "Can you name a film ..." is a request for a list, not a yes/no question.
_YES_NO_RE = re.compile(
    rf"^(?!(?:can|could|would|will) you\b)(?:{'|'.join(_AUXILIARIES)})(?:n't)?\b"
)
_COUNT_RE = re.compile(r"\bhow many\b|\bnumber of\b|\bcount\b|多少|几个|几位|几部|几本|几名|几家")
_TIME_RE = re.compile(
    r"^when\b|\bwhen (?:was|were|is|did|does|do|will)\b|"
    r"\b(?:what|which) (?:year|date|day|month|decade|century|time)\b|"
    r"哪一年|哪年|什么时候|何时|哪一天|哪天|几月"
)
_PLACE_RE = re.compile(r"^where\b|\bwhere (?:is|was|are|were|did|does|do)\b|哪里|哪儿|在哪")
_PERSON_RE = re.compile(
    r"^(?:who|whom)\b|\bwho (?:is|was|are|were|did|does|do|directed|wrote)\b|谁"
)
_NUMBER_RE = re.compile(r"\bhow (?:much|old|long|tall|high|far|large|big)\b")
_ENTITY_RE = re.compile(
    r"^(?:which|what) (?!(?:is|are|was|were|do|does|did|has|have|had)\b)[a-z]+|"
    r"哪部|哪个|哪些|哪本|哪位|哪家"
)
_NEGATION_RE = re.compile(r"\b(?:not|never|no|none|without)\b|n't\b|不|没有|没")
_WIDEN_RE = re.compile(r"\b(?:ever|in total|altogether|all-time|all time|all)\b|总共|一共|曾经")
_CJK_YES_NO_RE = re.compile(r"吗\s*[?？]?\s*$|是不是|有没有|是否")

# Relation-label words that mark a time-valued relation ("release year", "founding date").
_TEMPORAL_STEMS = content_stems("year date time day month decade century period era")

_TEMPORAL_TYPES = {XSD.date, XSD.dateTime, XSD.gYear, XSD.gYearMonth, XSD.time,
                   XSD.dateTimeStamp}
_NUMERIC_TYPES = {
    XSD.integer, XSD.int, XSD.long, XSD.short, XSD.byte, XSD.decimal, XSD.double, XSD.float,
    XSD.nonNegativeInteger, XSD.positiveInteger, XSD.negativeInteger, XSD.nonPositiveInteger,
    XSD.unsignedInt, XSD.unsignedLong, XSD.unsignedShort, XSD.unsignedByte,
}


@dataclasses.dataclass(frozen=True)
class QuestionAnalysis:
    """What a question asks for, read from its masked text.

    ``form``: ``list`` (entities or values), ``count`` or ``yes_no``.
    ``answer_type``: one of ``ANSWER_TYPES``; ``any`` when no cue is found.
    ``negated``: the question asks for the complement ("do not serve meat").
    ``widened``: "ever", "in total" or "all" ask for every relation of the
    family ("member" and "former member").
    """

    form: str
    answer_type: str
    negated: bool
    widened: bool
    cjk: bool


@dataclasses.dataclass(frozen=True)
class AskedQuestion:
    """One question as the answerer reads it.

    ``masked`` has each linked entity mention replaced by ``NE``; class
    mentions stay as written. ``classes`` are the class mentions (type
    constraints), ``lang`` the language to display labels in.
    """

    masked: str
    analysis: QuestionAnalysis
    classes: tuple[LinkedEntity, ...] = ()
    lang: str | None = None
    # Relation words that name one of the graph's relations up to inflection
    # ("founded" and "founder"). A path must explain them like attribute words.
    graph_words: frozenset[str] = frozenset()

    @property
    def class_words(self) -> list[str]:
        """The class mentions' texts: words that name a type, not a relation."""
        return [mention.mention for mention in self.classes]

    @functools.cached_property
    def attribute_words(self) -> frozenset[str]:
        """Relation words in noun position ("the *melting point* of NE"): a path must explain them."""
        return frozenset(attribute_words(self.masked, self.relation_words, self.class_words))

    @functools.cached_property
    def relation_words(self) -> tuple[str, ...]:
        """The words that must name a relation (``kgqa.retrieval.words.relation_words``)."""
        return tuple(relation_words(self.masked, self.class_words))

    @property
    def required_words(self) -> frozenset[str]:
        """The relation words that a path must explain: attribute words and graph words."""
        return self.attribute_words | self.graph_words


def analyze_question(masked_question: str) -> QuestionAnalysis:
    """Return the form, expected answer type, negation and widening cues of ``masked_question``."""
    text = fold(masked_question).strip()
    cjk = has_cjk(text)

    if _COUNT_RE.search(text):
        form = "count"
    elif _YES_NO_RE.search(text) or (cjk and _CJK_YES_NO_RE.search(text)):
        form = "yes_no"
    else:
        form = "list"

    return QuestionAnalysis(
        form=form,
        answer_type=_answer_type(text, form),
        negated=bool(_NEGATION_RE.search(text)),
        widened=bool(_WIDEN_RE.search(text)),
        cjk=cjk,
    )


def _answer_type(text: str, form: str) -> str:
    if form == "count" or _NUMBER_RE.search(text):
        return "number"
    if _TIME_RE.search(text):
        return "time"
    if _PLACE_RE.search(text):
        return "place"
    if _PERSON_RE.search(text):
        return "person"
    if _ENTITY_RE.search(text):
        return "entity"
    return "any"


def display_language(question: str) -> str | None:
    """Return ``zh``, ``ja`` or ``ko`` when most letters of ``question`` are CJK, else None."""
    letters = [char for char in question if char.isalpha()]
    cjk_letters = [char for char in letters if has_cjk(char)]
    if not letters or len(cjk_letters) * 2 <= len(letters):
        return None

    names = [unicodedata.name(char, "") for char in cjk_letters]
    if any(name.startswith("HANGUL") for name in names):
        return "ko"
    if any(name.startswith(("HIRAGANA", "KATAKANA")) for name in names):
        return "ja"
    return "zh"


def is_temporal_literal(term: Node) -> bool:
    """Return whether ``term`` is a date, time or year literal."""
    return isinstance(term, Literal) and term.datatype in _TEMPORAL_TYPES


def is_numeric_literal(term: Node) -> bool:
    """Return whether ``term`` is a literal with an XSD numeric datatype."""
    return isinstance(term, Literal) and term.datatype in _NUMERIC_TYPES


def is_boolean_literal(term: Node) -> bool:
    """Return whether ``term`` is an ``xsd:boolean`` literal."""
    return isinstance(term, Literal) and term.datatype == XSD.boolean


def is_temporal_relation(label: str) -> bool:
    """Return whether a relation label names a time ("release year", "published Year")."""
    return bool(content_stems(label) & _TEMPORAL_STEMS)
