"""Define claims, their verdicts against the graph, and the verification of one text.

``Verification.to_dict()`` is part of the ``compare`` and ``corrected``
output of the CLI and the HTTP service, so field names here are public API.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from rdflib.term import Node

from kgqa.answering.result import EvidenceTriple
from kgqa.graph.terms import term_to_dict

__all__ = [
    "CLAIM_KINDS",
    "CLAIM_VERDICTS",
    "SCOPES",
    "VERDICTS",
    "Claim",
    "Verification",
    "is_abstention",
]

# entity: linked to the graph. name: a capitalized name the graph does not have.
# literal: a string value of the graph found in the text. arithmetic: "3 + 13 = 23".
CLAIM_KINDS = ("entity", "name", "literal", "url", "date", "year", "number", "yes_no", "arithmetic")

# supported: the graph (or the exact arithmetic) holds the value. contradicted:
# it holds a different value for the same relation. not_in_graph: it holds no
# value to compare with. unverifiable: the claim cannot be evaluated at all
# (an expression that divides by zero or is too large).
CLAIM_VERDICTS = ("supported", "contradicted", "not_in_graph", "unverifiable")

# answer: the claim answers the question's relation. detail: the text adds it
# beyond the question. arithmetic: a stated result of an expression.
SCOPES = ("answer", "detail", "arithmetic")

# Verdicts of a whole text. partly_supported: the answer is supported, but the
# text adds details the graph does not hold.
VERDICTS = ("supported", "partly_supported", "contradicted", "unverifiable", "abstained")

_ABSTENTION_RE = re.compile(
    r"\bi\s+(?:do\s*n[o']?t|dont)\s+know\b|\bnot\s+in\s+the\s+(?:knowledge\s+)?(?:graph|facts|data)\b|"
    r"\b(?:cannot|can\s*not|can't|unable\s+to)\s+(?:answer|determine|find|say|tell|provide)\b|"
    r"\bno\s+(?:information|data|facts?|record)\s+(?:about|on|for|of|in)\b|"
    r"\b(?:facts|graph|data)\s+(?:do|does)\s*(?:n[o']?t)\s+(?:contain|say|mention|include|state)\b|"
    r"\bnot\s+(?:enough|sufficient)\s+information\b|\bi\s*(?:am|'m)\s+not\s+sure\b|"
    r"\b(?:is|are|remains?)\s+unknown\b",
    re.IGNORECASE,
)


def is_abstention(text: str) -> bool:
    """Return whether ``text`` declines to answer ("I don't know", "not in the graph", "cannot answer")."""
    return bool(_ABSTENTION_RE.search(text))


@dataclasses.dataclass
class Claim:
    """One factual claim of a text and its verdict.

    ``start`` and ``end`` are character offsets into
    ``Verification.normalized_text``. ``value`` is the normalized value that
    was compared: an IRI, a folded name, an ISO date, a decimal, a URL or an
    exact arithmetic result. ``graph_values`` are the graph's values for the
    question's relation (or the exact result), given when the claim is
    contradicted. ``reason`` is one sentence for people. ``parsed`` is the
    parsed form the checker compares (a ``ValueMention`` or an ``Equation``),
    and it is not serialized.
    """

    kind: str
    text: str
    start: int
    end: int
    value: str
    entity: Node | None = None
    scope: str = "answer"
    verdict: str = "not_in_graph"
    graph_values: list[str] = dataclasses.field(default_factory=list)
    evidence: list[EvidenceTriple] = dataclasses.field(default_factory=list)
    reason: str = ""
    parsed: Any = dataclasses.field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "value": self.value,
            "entity": term_to_dict(self.entity) if self.entity is not None else None,
            "scope": self.scope,
            "verdict": self.verdict,
            "graph_values": list(self.graph_values),
            "evidence": [triple.to_dict() for triple in self.evidence],
            "reason": self.reason,
        }


@dataclasses.dataclass
class Verification:
    """The claims of one text checked against the graph's answer to a question.

    ``expected`` lists the graph's answers (their labels) or the exact result
    of the question's arithmetic. ``expected_source`` is ``graph``,
    ``arithmetic``, or None when neither has an answer. ``graph_status`` is the
    graph-only answer's status.
    """

    question: str
    text: str
    normalized_text: str
    graph: str | None
    verdict: str
    claims: list[Claim]
    abstains: bool
    expected: list[str]
    expected_source: str | None
    graph_status: str
    evidence: list[EvidenceTriple] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    def claims_with(self, verdict: str) -> list[Claim]:
        """Return the claims whose verdict is ``verdict``."""
        return [claim for claim in self.claims if claim.verdict == verdict]

    @property
    def unsupported_details(self) -> list[Claim]:
        """The claims the graph neither supports nor contradicts; they must not pass as grounded."""
        return [claim for claim in self.claims if claim.verdict in ("not_in_graph", "unverifiable")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "text": self.text,
            "graph": self.graph,
            "verdict": self.verdict,
            "abstains": self.abstains,
            "expected": list(self.expected),
            "expected_source": self.expected_source,
            "graph_status": self.graph_status,
            "claims": [claim.to_dict() for claim in self.claims],
            "evidence": [triple.to_dict() for triple in self.evidence],
            "notes": list(self.notes),
        }
