"""Define the results of the answer modes: one mode's answer, a model reply, and a comparison of modes.

Each ``to_dict()`` is JSON-ready and is what the CLI's ``--json`` output and
the HTTP service return, so field names here are public API.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from kgqa.answering.result import Answer, EvidenceTriple
from kgqa.generation.base import Generation
from kgqa.generation.output import ParsedOutput
from kgqa.verification.verdicts import Claim, Verification

__all__ = ["MODES", "SOURCES", "Comparison", "ModeResult", "ModelOutput"]

MODES = ("graph", "ungrounded", "grounded", "corrected")

# Where a mode's final text comes from. graph: the graph-only answer. model:
# the model's answer. draft: the draft, kept because it is supported.
# model_rewrite: the model's correction of the draft. fact_sentence: a
# sentence built from the evidence (or the exact arithmetic result).
# not_in_graph: the graph has no answer, so no model was asked or kept.
SOURCES = ("graph", "model", "draft", "model_rewrite", "fact_sentence", "not_in_graph")


@dataclasses.dataclass
class ModelOutput:
    """One reply of the generative model: the raw text, the parsed answer and the problems found.

    ``problems`` contains ``parse_answer`` codes, or ``generation_failed`` when
    the backend raised, and ``error`` is then its message.
    """

    model: str
    raw_text: str
    answer_text: str
    problems: list[str]
    finish_reason: str = "unknown"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    elapsed_s: float = 0.0
    error: str | None = None

    @classmethod
    def from_generation(cls, generation: Generation, parsed: ParsedOutput) -> ModelOutput:
        return cls(model=generation.model, raw_text=generation.text, answer_text=parsed.answer_text,
                   problems=list(parsed.problems), finish_reason=generation.finish_reason,
                   prompt_tokens=generation.prompt_tokens,
                   completion_tokens=generation.completion_tokens, elapsed_s=generation.elapsed_s)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "raw_text": self.raw_text,
            "answer_text": self.answer_text,
            "problems": list(self.problems),
            "finish_reason": self.finish_reason,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "elapsed_s": round(self.elapsed_s, 3),
            "error": self.error,
        }


@dataclasses.dataclass
class ModeResult:
    """The answer of one mode to one question.

    ``verdict`` and ``claims`` describe the final ``text``. A text built from
    the graph (``source`` graph, fact_sentence or not_in_graph) is supported,
    or abstained when the graph has no answer, by construction, and its
    claims are the graph's answers. ``verification`` checks the model's own text in
    this mode (the answer, or the rewrite in corrected mode), even when that
    text was replaced. ``draft_verification`` checks the draft in corrected
    mode. ``facts`` are the fact lines the model was given.
    """

    mode: str
    question: str
    graph: str | None
    text: str
    verdict: str
    source: str
    claims: list[Claim]
    graph_answer: Answer
    evidence: list[EvidenceTriple] = dataclasses.field(default_factory=list)
    verification: Verification | None = None
    draft: str | None = None
    draft_verification: Verification | None = None
    model_outputs: list[ModelOutput] = dataclasses.field(default_factory=list)
    facts: list[str] = dataclasses.field(default_factory=list)
    problems: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    timings_ms: dict[str, float] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "question": self.question,
            "graph": self.graph,
            "text": self.text,
            "verdict": self.verdict,
            "source": self.source,
            "claims": [claim.to_dict() for claim in self.claims],
            "evidence": [triple.to_dict() for triple in self.evidence],
            "graph_answer": {
                "status": self.graph_answer.status,
                "text": self.graph_answer.text,
                "answers": [item.to_dict() for item in self.graph_answer.answers],
                "path": self.graph_answer.path.to_dict() if self.graph_answer.path else None,
            },
            "verification": self.verification.to_dict() if self.verification else None,
            "draft": self.draft,
            "draft_verification": self.draft_verification.to_dict() if self.draft_verification else None,
            "model_outputs": [output.to_dict() for output in self.model_outputs],
            "facts": list(self.facts),
            "problems": list(self.problems),
            "notes": list(self.notes),
            "timings_ms": {stage: round(ms, 2) for stage, ms in self.timings_ms.items()},
        }


@dataclasses.dataclass
class Comparison:
    """The four modes side by side for one question.

    ``differences`` lists each claimed value that the modes do not all assert
    with the same verdict: ``{"value", "text", "verdicts": {mode: verdict or None}}``,
    where None means the mode does not assert that value.
    """

    question: str
    graph: str | None
    modes: dict[str, ModeResult]
    differences: list[dict[str, Any]]
    timings_ms: dict[str, float] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "graph": self.graph,
            "modes": {name: result.to_dict() for name, result in self.modes.items()},
            "verdicts": {name: result.verdict for name, result in self.modes.items()},
            "differences": [dict(difference) for difference in self.differences],
            "timings_ms": {mode: round(ms, 2) for mode, ms in self.timings_ms.items()},
        }
