"""Fixtures of the evaluation tests: a small question set over the bundled companies graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

# The right answers come from graphs/questions.txt. The last question is not in the graph.
COMPANY_QUESTIONS = [
    {"id": "ceo", "question": "Who is the CEO of Google?", "answers": ["Sundar Pichai"], "topic": "Google",
     "category": "single-hop", "hop": 1},
    {"id": "former", "question": "Who were the former CEOs of Google?",
     "answers": ["Eric Schmidt", "Larry Page"], "topic": "Google", "category": "single-hop", "hop": 1},
    {"id": "founders", "question": "How many people founded Meta Platforms?", "answers": ["5"],
     "topic": "Meta Platforms", "category": "count", "hop": 1},
    {"id": "revenue", "question": "What was Apple's revenue in 2023?", "answers": [],
     "category": "unanswerable"},
]


@pytest.fixture
def companies_set(tmp_path) -> Path:
    """The four company questions as a JSON Lines file."""
    path = tmp_path / "companies.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in COMPANY_QUESTIONS), encoding="utf-8")
    return path
