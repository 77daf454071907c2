"""Extract the factual claims of a text: the entities it names, the values it asserts, its arithmetic.

Extraction runs on a text that the question's own linker has already
linked, and it needs the question, because a claim is only what the text
adds: the question's topic entities, words and values are restatements, not
claims. Spans never overlap. When two readings cover the same characters,
the first of these wins:

1. stated results of arithmetic ("3 + 13 = 23");
2. the graph's answers, found by their labels ("Tromsø", "cartographer");
3. URLs, dates, years and numbers;
4. entities the linker found, other than the question's topic entities;
5. capitalized names the linker could not match to the graph ("Oslo"), with
   a place and its qualifier ("Oslo, Norway") kept as one claim.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import BNode, URIRef
from rdflib.term import Node

from kgqa.answering.question import is_numeric_literal, is_temporal_literal
from kgqa.answering.result import AnswerItem
from kgqa.graph.labels import LabelIndex
from kgqa.linking.linker import LinkResult
from kgqa.normalize import fold
from kgqa.verification.arithmetic import find_equations, format_exact
from kgqa.verification.values import find_values
from kgqa.verification.verdicts import Claim

__all__ = ["ClaimContext", "extract_claims", "find_label"]

_YES_NO_RE = re.compile(r"^\W*(?P<word>yes|no)\b", re.IGNORECASE)
_URL_LIKE_RE = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_QUALIFIER_GAP_RE = re.compile(r"^\s*,\s*$")


class ClaimContext:
    """The reference for a text's claims: the question's words, values and topics, and the graph's answers."""

    def __init__(self, question: str, topics: Iterable[Node], answers: Iterable[AnswerItem],
                 labels: LabelIndex | None, answer_kind: str) -> None:
        self.question = question
        self.question_words = set(re.findall(r"\w+", fold(question)))
        self.question_values = {(_value_family(mention.kind), mention.display())
                                for mention in find_values(question)}
        self.topics = set(topics)
        self.answers = list(answers)
        self.labels = labels
        self.answer_kind = answer_kind


def extract_claims(text: str, link: LinkResult | None, context: ClaimContext) -> list[Claim]:
    """Return the claims of ``text`` (the linker's normalized form of it), in text order.

    Without a ``link`` (no graph is loaded) only arithmetic and values are
    extracted. Every claim starts with the verdict ``not_in_graph``, and
    ``ClaimChecker`` sets the real one.
    """
    spans = _Spans()
    claims: list[Claim] = []

    for equation in find_equations(text):
        claims += spans.admit(Claim("arithmetic", text[equation.start:equation.end], equation.start,
                                    equation.end, format_exact(equation.stated), scope="arithmetic",
                                    parsed=equation))
    claims += _yes_no_claims(text, context, spans)
    claims += _answer_mentions(text, context, spans)
    claims += _value_claims(text, context, spans)
    if link is not None:
        claims += _entity_claims(link, context, spans)
        claims += _merge_qualifiers(text, _name_claims(text, link, context, spans))

    return sorted(claims, key=lambda claim: claim.start)


def find_label(text: str, label: str) -> tuple[int, int] | None:
    """Find ``label`` in ``text`` as whole words, ignoring case, accents and spacing; return its span."""
    key = fold(label)
    if not key:
        return None

    folded, origins = _fold_with_origins(text)
    pattern = r"\s+".join(re.escape(word) for word in key.split(" "))
    match = re.search(rf"(?<!\w){pattern}(?!\w)", folded)
    if match is None:
        return None
    return origins[match.start()], origins[match.end() - 1] + 1


class _Spans:
    """The character ranges already taken by claims."""

    def __init__(self) -> None:
        self.taken: list[tuple[int, int]] = []

    def overlaps(self, start: int, end: int) -> bool:
        return any(start < taken_end and taken_start < end for taken_start, taken_end in self.taken)

    def admit(self, claim: Claim) -> list[Claim]:
        """Take the claim's span and return ``[claim]``, or return ``[]`` when the span is taken."""
        if self.overlaps(claim.start, claim.end):
            return []
        self.taken.append((claim.start, claim.end))
        return [claim]


def _fold_with_origins(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` character by character, keeping the original offset of every folded character."""
    pieces: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        piece = " " if char.isspace() else fold(char)
        pieces.append(piece)
        origins.extend([index] * len(piece))
    return "".join(pieces), origins


def _value_family(kind: str) -> str:
    # A question's year and a draft's date of that year count as the same value.
    return "temporal" if kind in ("date", "year") else kind


def _yes_no_claims(text: str, context: ClaimContext, spans: _Spans) -> list[Claim]:
    if context.answer_kind != "yes_no":
        return []
    match = _YES_NO_RE.match(text)
    if match is None:
        return []
    word = match.group("word").casefold()
    return spans.admit(Claim("yes_no", match.group("word"), match.start("word"), match.end("word"),
                             word))


def _answer_mentions(text: str, context: ClaimContext, spans: _Spans) -> list[Claim]:
    """Find the graph's answers in the text by any of their labels.

    Numbers, dates and web addresses are left to value extraction, which
    compares them by value rather than by spelling.
    """
    claims = []
    for item in context.answers:
        term = item.term
        if is_numeric_literal(term) or is_temporal_literal(term) or _URL_LIKE_RE.match(item.label):
            continue

        names = [item.label]
        if isinstance(term, URIRef | BNode) and context.labels is not None:
            names += [label.text for label in context.labels.labels(term)]
        for name in dict.fromkeys(names):
            span = find_label(text, name)
            if span is None or spans.overlaps(*span):
                continue
            kind = "literal" if not isinstance(term, URIRef | BNode) else "entity"
            entity = term if kind == "entity" else None
            claims += spans.admit(Claim(kind, text[span[0]:span[1]], span[0], span[1], str(term),
                                        entity=entity))
            break
    return claims


def _value_claims(text: str, context: ClaimContext, spans: _Spans) -> list[Claim]:
    claims = []
    for mention in find_values(text):
        if (_value_family(mention.kind), mention.display()) in context.question_values:
            continue
        claims += spans.admit(Claim(mention.kind, mention.text, mention.start, mention.end,
                                    mention.display(), parsed=mention))
    return claims


def _entity_claims(link: LinkResult, context: ClaimContext, spans: _Spans) -> list[Claim]:
    claims = []
    for linked in link.entities:
        if linked.entity in context.topics:
            continue
        claims += spans.admit(Claim("entity", linked.mention, linked.start, linked.end,
                                    str(linked.entity), entity=linked.entity))
    return claims


def _name_claims(text: str, link: LinkResult, context: ClaimContext, spans: _Spans) -> list[Claim]:
    """Locate the linker's unlinked names in the text, leaving out names that only restate the question."""
    claims = []
    cursor = 0
    for name in link.unlinked_names:
        start = text.find(name, cursor)
        if start == -1:
            start = text.find(name)
        if start == -1:
            continue
        end = start + len(name)
        cursor = end

        words = set(re.findall(r"\w+", fold(name)))
        if not words or words <= context.question_words:
            continue
        claims += spans.admit(Claim("name", name, start, end, fold(name)))
    return claims


def _merge_qualifiers(text: str, names: list[Claim]) -> list[Claim]:
    """Join names separated only by a comma ("Oslo, Norway"): a place and its qualifier are one claim."""
    merged: list[Claim] = []
    for claim in names:
        previous = merged[-1] if merged else None
        if previous is not None and _QUALIFIER_GAP_RE.match(text[previous.end:claim.start]):
            previous.end = claim.end
            previous.text = text[previous.start:claim.end]
            previous.value = fold(previous.text)
            continue
        merged.append(claim)
    return merged
