"""Define relation paths: sequences of directed relation steps from a topic entity, with scores."""

from __future__ import annotations

import dataclasses
from typing import Any

from rdflib.term import Node

from kgqa.graph.terms import term_to_dict

__all__ = ["PathStep", "RelationPath"]


@dataclasses.dataclass(frozen=True)
class PathStep:
    """One edge of a relation path; ``inverse`` means the edge is followed from object to subject."""

    predicate: str
    label: str
    inverse: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"predicate": self.predicate, "label": self.label, "inverse": self.inverse}


@dataclasses.dataclass
class RelationPath:
    """A relation sequence from a topic entity, its verbalization and its score."""

    steps: tuple[PathStep, ...]
    verbalization: str
    score: float
    source: Node | None = None
    source_label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        source = term_to_dict(self.source, self.source_label) if self.source is not None else None
        return {
            "steps": [step.to_dict() for step in self.steps],
            "verbalization": self.verbalization,
            "score": round(self.score, 4),
            "source": source,
        }
