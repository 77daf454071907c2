"""Measure answer quality on question sets: ``kgqa eval``.

Rule of this layer: it is a face, like the CLI and the HTTP service. It gets
answers only from ``Engine.ask`` and ``AnswerModes`` and contains no QA logic,
and nothing but the CLI imports it.

- ``questions``: read MetaQA lines, JSON Lines and CSV question sets.
- ``metrics``: Hits@1, exact match, precision/recall/F1, label in text, percentiles.
- ``runner``: answer each question in the chosen modes and append its record to results.jsonl.
- ``report``: summary.json, report.md and the PNG charts.
"""

from __future__ import annotations

from kgqa.evaluation.questions import EvalQuestion, read_questions
from kgqa.evaluation.runner import EvalConfig, EvalRunner, evaluate

__all__ = ["EvalConfig", "EvalQuestion", "EvalRunner", "evaluate", "read_questions"]
