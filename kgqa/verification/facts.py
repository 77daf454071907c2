"""Turn graph evidence into prompt facts and into plain sentences that state them.

A fact line is one JSON string, ``"subject | relation | object"``, with
``<`` and ``>`` escaped as ``\\u003c`` and ``\\u003e``: a label or literal
can then neither close the ``<facts>`` block nor read as anything but data.
"""

from __future__ import annotations

import json
import re

from rdflib import Literal
from rdflib.term import Node

from kgqa.answering.question import is_boolean_literal, is_numeric_literal, is_temporal_literal
from kgqa.answering.result import Answer, EvidenceTriple
from kgqa.linking.inflection import plural
from kgqa.verification.arithmetic import Expression, format_exact

__all__ = [
    "FACT_LABEL_CHARS",
    "NOT_IN_GRAPH",
    "fact_line",
    "fact_sentence",
    "facts_block",
    "not_in_graph_text",
]

NOT_IN_GRAPH = "Not in the graph."
# A longer label or literal is cut in a fact line, so one literal cannot fill the context window.
FACT_LABEL_CHARS = 300
# Relations and values named in a fact sentence. The rest are only counted.
SENTENCE_GROUPS = 3
SENTENCE_VALUES = 5


def fact_line(triple: EvidenceTriple) -> str:
    """Return the fact as a JSON string line: ``"subject | relation | object"``."""
    parts = [_cut(triple.subject_label), _relation_words(triple.predicate_label), _cut(triple.object_label)]
    encoded = json.dumps(" | ".join(parts), ensure_ascii=False)
    return encoded.replace("<", "\\u003c").replace(">", "\\u003e")


def facts_block(lines: list[str]) -> str:
    """Wrap fact lines in the ``<facts>`` block that the prompts refer to."""
    body = "\n".join(lines) if lines else "(no facts)"
    return f"<facts>\n{body}\n</facts>"


def fact_sentence(graph_answer: Answer, expression: Expression | None = None) -> str:
    """State the graph's answer (or the exact arithmetic result) in plain sentences, from the evidence.

    "The birth place of Marlowe Vance is Tromsø." is built from the evidence
    triple's labels, one sentence per subject and relation. Counts, yes/no
    answers and answers without evidence use the graph-only answer text.
    """
    if expression is not None and expression.value is not None:
        return f"{expression.text} = {format_exact(expression.value)}."
    if expression is not None:
        return f"{expression.text} cannot be evaluated: {expression.error}"
    if graph_answer.status != "answered":
        return not_in_graph_text(graph_answer)
    if graph_answer.kind in ("count", "yes_no") or not graph_answer.evidence:
        return graph_answer.text

    groups: dict[tuple[Node, Node], list[EvidenceTriple]] = {}
    for triple in graph_answer.evidence:
        groups.setdefault((triple.subject, triple.predicate), []).append(triple)
    sentences = [_group_sentence(triples) for triples in list(groups.values())[:SENTENCE_GROUPS]]
    if len(groups) > SENTENCE_GROUPS:
        sentences.append(f"The graph holds {len(groups) - SENTENCE_GROUPS} more such facts.")
    return " ".join(sentences)


def not_in_graph_text(graph_answer: Answer) -> str:
    """Return the "not in the graph" answer, with the graph-only explanation after it."""
    return f"{NOT_IN_GRAPH} {graph_answer.text}".strip()


def _group_sentence(triples: list[EvidenceTriple]) -> str:
    first = triples[0]
    relation = _relation_words(first.predicate_label)
    values = [_quoted(triple.object, triple.object_label) for triple in triples]
    named = _join(values[:SENTENCE_VALUES])
    if len(values) > SENTENCE_VALUES:
        named += f" and {len(values) - SENTENCE_VALUES} more"
    if _reads_as_predicate(relation):
        # "born in", "directed by": the label already links subject and value.
        return f"{first.subject_label} {relation} {named}."
    if len(values) == 1:
        return f"The {relation} of {first.subject_label} is {named}."
    return f"The {_plural_phrase(relation)} of {first.subject_label} are {named}."


_LINKING_WORDS = frozenset({"in", "of", "by", "at", "on", "to", "from", "with", "for", "into", "as"})


def _reads_as_predicate(relation: str) -> bool:
    """Return whether a relation label ends with a preposition, so it reads "X born in Y", not as a noun."""
    words = relation.split()
    return len(words) > 1 and words[-1].lower() in _LINKING_WORDS


def _plural_phrase(phrase: str) -> str:
    """Pluralize the head noun of a relation phrase: "former chief executive" -> "... executives"."""
    head, _, last = phrase.rpartition(" ")
    if not last.isalpha():
        return f"{phrase} values"
    return f"{head} {plural(last)}".strip()


def _relation_words(label: str) -> str:
    """Lower-case the capitals a split camelCase name leaves ("birth Place" -> "birth place").

    A label that starts with a capital ("Nobel Prize winner") is written by
    hand, so it keeps its capitals, and so do acronyms ("CEO").
    """
    words = label.split()
    if not words or not words[0][:1].islower():
        return label
    return " ".join(word.lower() if re.fullmatch(r"[A-Z][a-z]+", word) else word for word in words)


def _quoted(term: Node, label: str) -> str:
    """Quote a text literal, so that a sentence in it reads as the graph's data, not as our words."""
    is_text = isinstance(term, Literal) and not (is_numeric_literal(term) or is_temporal_literal(term)
                                                 or is_boolean_literal(term))
    return json.dumps(label, ensure_ascii=False) if is_text else label


def _cut(label: str) -> str:
    return label if len(label) <= FACT_LABEL_CHARS else label[:FACT_LABEL_CHARS - 3] + "..."


def _join(values: list[str]) -> str:
    if len(values) <= 1:
        return values[0] if values else ""
    return ", ".join(values[:-1]) + " and " + values[-1]
