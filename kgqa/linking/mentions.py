"""Define the linker's output: entity mentions with their chosen entity and the alternatives."""

from __future__ import annotations

import dataclasses
from typing import Any

from rdflib.term import Node

from kgqa.graph.terms import term_to_dict

__all__ = ["Candidate", "LinkedEntity"]


@dataclasses.dataclass
class Candidate:
    """One candidate entity for a mention, with its score in [0, 1]."""

    entity: Node
    label: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"entity": term_to_dict(self.entity, self.label), "score": round(self.score, 4)}


@dataclasses.dataclass
class LinkedEntity:
    """An entity mention found in the question.

    ``start`` and ``end`` are character offsets into ``Answer.normalized_question``.
    ``method`` is ``exact``, ``fuzzy`` or ``embedding``; ``alternatives`` lists the
    other candidates for the same span, best first.
    """

    mention: str
    start: int
    end: int
    entity: Node
    label: str
    score: float
    method: str = "exact"
    alternatives: list[Candidate] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "mention": self.mention,
            "start": self.start,
            "end": self.end,
            "entity": term_to_dict(self.entity, self.label),
            "score": round(self.score, 4),
            "method": self.method,
            "alternatives": [candidate.to_dict() for candidate in self.alternatives],
        }
