"""Define the answer object: answers, linked entities, relation paths, evidence, confidence and timings.

``Answer.to_dict()`` is the CLI's ``--json`` output and the HTTP ``/ask``
response, so field names here are public API.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from rdflib.term import Node

from kgqa.graph.terms import term_to_dict
from kgqa.linking.mentions import Candidate, LinkedEntity
from kgqa.retrieval.relation_path import PathStep, RelationPath

__all__ = [
    "Answer",
    "AnswerItem",
    "Candidate",
    "EvidenceTriple",
    "LinkedEntity",
    "PathStep",
    "RelationPath",
    "STATUSES",
]

# answered: the graph holds the answer. no_entity: nothing in the question links to the graph.
# not_in_graph: entities linked, but no fact answers the question.
STATUSES = ("answered", "no_entity", "not_in_graph")


@dataclasses.dataclass
class AnswerItem:
    """One answer: an entity or literal term with its display label."""

    term: Node
    label: str

    def to_dict(self) -> dict[str, Any]:
        return term_to_dict(self.term, self.label)


@dataclasses.dataclass
class EvidenceTriple:
    """A stored triple that supports an answer, with labels and its named graph (None = default graph)."""

    subject: Node
    predicate: Node
    object: Node
    graph: Node | None
    subject_label: str
    predicate_label: str
    object_label: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": term_to_dict(self.subject, self.subject_label),
            "predicate": term_to_dict(self.predicate, self.predicate_label),
            "object": term_to_dict(self.object, self.object_label),
            "graph": str(self.graph) if self.graph is not None else None,
        }

    def verbalize(self) -> str:
        """Return ``subject -- predicate --> object`` with labels, for text output."""
        return f"{self.subject_label} -- {self.predicate_label} --> {self.object_label}"


@dataclasses.dataclass
class Answer:
    """The result of one question in one answer mode."""

    question: str
    normalized_question: str
    graph: str | None
    mode: str = "graph"
    status: str = "no_entity"
    kind: str = "entities"
    text: str = ""
    answers: list[AnswerItem] = dataclasses.field(default_factory=list)
    linked_entities: list[LinkedEntity] = dataclasses.field(default_factory=list)
    classes: list[LinkedEntity] = dataclasses.field(default_factory=list)
    """Class mentions ("which *currency*"): type constraints on the answers, never topics."""
    path: RelationPath | None = None
    alternative_paths: list[RelationPath] = dataclasses.field(default_factory=list)
    evidence: list[EvidenceTriple] = dataclasses.field(default_factory=list)
    confidence: float = 0.0
    timings_ms: dict[str, float] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "normalized_question": self.normalized_question,
            "graph": self.graph,
            "mode": self.mode,
            "status": self.status,
            "kind": self.kind,
            "text": self.text,
            "answers": [item.to_dict() for item in self.answers],
            "linked_entities": [entity.to_dict() for entity in self.linked_entities],
            "classes": [mention.to_dict() for mention in self.classes],
            "path": self.path.to_dict() if self.path else None,
            "alternative_paths": [path.to_dict() for path in self.alternative_paths],
            "evidence": [triple.to_dict() for triple in self.evidence],
            "confidence": round(self.confidence, 4),
            "timings_ms": {stage: round(ms, 2) for stage, ms in self.timings_ms.items()},
            "notes": list(self.notes),
        }
