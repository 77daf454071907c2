"""Build the parts of an ``Answer`` that every kind of question shares: values, evidence, text."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Literal
from rdflib.namespace import XSD
from rdflib.term import Node

from kgqa.answering.question import is_numeric_literal
from kgqa.answering.result import Answer, AnswerItem, EvidenceTriple, LinkedEntity
from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.retrieval.paths import CandidatePath, Quad
from kgqa.retrieval.scoring import ScoredPath
from kgqa.retrieval.verbalize import step_phrase

__all__ = [
    "TEXT_LABELS",
    "describe_path",
    "evidence_triples",
    "fill_not_in_graph",
    "fill_values",
    "fill_yes_no_text",
    "join_labels",
    "path_confidence",
    "sorted_nodes",
]

# Answers named in ``Answer.text``; the rest are counted ("and 12 more").
TEXT_LABELS = 10


def sorted_nodes(kg: KnowledgeGraph, nodes: Iterable[Node], lang: str | None = None) -> list[Node]:
    """Return ``nodes`` in display-label order, with the IRI breaking ties."""
    return sorted(nodes, key=lambda node: (kg.labels.display(node, lang).casefold(), str(node)))


def join_labels(items: list[AnswerItem]) -> str:
    """Return "A, B and C", naming at most ``TEXT_LABELS`` items and counting the rest."""
    labels = [item.label for item in items[:TEXT_LABELS]]
    if len(items) > TEXT_LABELS:
        return ", ".join(labels) + f" and {len(items) - TEXT_LABELS} more"
    if len(labels) > 1:
        return ", ".join(labels[:-1]) + " and " + labels[-1]
    return labels[0] if labels else ""


def evidence_triples(kg: KnowledgeGraph, quads: Iterable[Quad], lang: str | None,
                     limit: int) -> list[EvidenceTriple]:
    """Return the first ``limit`` quads as evidence triples with display labels."""
    labels = kg.labels
    return [
        EvidenceTriple(subject=subject, predicate=predicate, object=obj, graph=graph,
                       subject_label=labels.display(subject, lang),
                       predicate_label=labels.relation_label(predicate),
                       object_label=labels.display(obj, lang))
        for subject, predicate, obj, graph in list(quads)[:limit]
    ]


def fill_values(kg: KnowledgeGraph, answer: Answer, form: str, nodes: list[Node],
                lang: str | None, description: str) -> None:
    """Set ``kind``, ``answers`` and ``text`` from the answer nodes.

    A count question gets the number of nodes, unless its one answer is
    itself a number ("How many people live in NE?" -> the population).
    """
    items = [AnswerItem(node, kg.labels.display(node, lang)) for node in nodes]
    single_number = len(nodes) == 1 and is_numeric_literal(nodes[0])
    if form == "count" and not single_number:
        count = len(nodes)
        answer.kind = "count"
        answer.answers = [AnswerItem(Literal(count, datatype=XSD.integer), str(count))]
        answer.text = f"{count} ({description}: {join_labels(items)})."
        return

    answer.kind = "literal" if all(isinstance(node, Literal) for node in nodes) else "entities"
    answer.answers = items
    answer.text = f"{join_labels(items)} ({description})."


def fill_yes_no_text(answer: Answer, verdict: bool) -> None:
    """Set the yes/no answer item and a text that cites the first evidence triples."""
    answer.status = "answered"
    answer.kind = "yes_no"
    answer.answers = [AnswerItem(Literal(verdict), "yes" if verdict else "no")]
    facts = "; ".join(triple.verbalize() for triple in answer.evidence[:3])
    answer.text = "Yes." if verdict else "No."
    if facts:
        answer.text += f" The graph states: {facts}."


def describe_path(kg: KnowledgeGraph, path: CandidatePath, lang: str | None) -> str:
    """Return "Dora Lind: has cast member -> director" with the topic's display label."""
    phrases = " -> ".join(step_phrase(step) for step in path.steps)
    return f"{kg.labels.display(path.source, lang)}: {phrases}"


def path_confidence(chosen: ScoredPath, ranked: list[ScoredPath],
                    topics: list[LinkedEntity]) -> float:
    """Combine path fit, margin over the best rival answer set and linking score, in [0, 1]."""
    fit = min(1.0, max(0.0, chosen.score))
    rivals = [scored.score for scored in ranked
              if scored is not chosen and scored.path.reached != chosen.path.reached]
    margin = chosen.score - max(rivals) if rivals else 1.0
    margin_factor = min(1.0, max(0.0, margin / 0.2))
    linking = min(1.0, max(0.0, min(topic.score for topic in topics)))
    return linking * (0.6 * fit + 0.4 * margin_factor)


def fill_not_in_graph(kg: KnowledgeGraph, answer: Answer, topics: list[LinkedEntity],
                      lang: str | None, missing: tuple[str, ...] = ()) -> None:
    """Mark ``answer`` as not in the graph, naming the topics and the relation words not found."""
    names = ", ".join(kg.labels.display(topic.entity, lang) for topic in topics)
    answer.status, answer.kind, answer.answers = "not_in_graph", "none", []
    answer.text = f"The graph has no fact that answers this question about {names}."
    if missing:
        answer.text += (f" No relation of {names} in the graph matches "
                        f"'{' '.join(missing)}'.")
