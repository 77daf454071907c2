"""Check answers against the graph: claims, verdicts, correction and the comparison of answer modes.

Rule of this layer: it uses answering (the graph's answer, its path and
evidence) and generation (the model), and never imports Flask or click.
The graph-only answer is the reference. A model's text is reported as
grounded only when every claim in it is checked against that answer.

- ``arithmetic``: find and evaluate simple arithmetic exactly, without ``eval``.
- ``values``: find URLs, dates, years and numbers in text and compare them with graph terms.
- ``claims``: extract the claims of a text that the question's linker has linked.
- ``checking``: give each claim, and the whole text, a verdict against the graph.
- ``facts``: evidence as quoted prompt facts and as plain fact sentences.
- ``prompts``: the ungrounded, grounded and rewrite prompts.
- ``modes``: ``AnswerModes``, the four modes and their comparison.
- ``results`` and ``verdicts``: the JSON-ready result types.
"""

from __future__ import annotations

from kgqa.verification.arithmetic import evaluate, format_exact
from kgqa.verification.modes import AnswerModes
from kgqa.verification.results import MODES, Comparison, ModelOutput, ModeResult
from kgqa.verification.verdicts import CLAIM_VERDICTS, VERDICTS, Claim, Verification, is_abstention

__all__ = [
    "CLAIM_VERDICTS",
    "MODES",
    "VERDICTS",
    "AnswerModes",
    "Claim",
    "Comparison",
    "ModeResult",
    "ModelOutput",
    "Verification",
    "evaluate",
    "format_exact",
    "is_abstention",
]
