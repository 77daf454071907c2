"""The bundled graphs' sample questions, answered end to end and checked against their expected answers."""

from __future__ import annotations

import pytest

from kgqa.demo import BUNDLED_GRAPHS, bundled_graphs_dir
from kgqa.normalize import fold

GRAPHS_DIR = bundled_graphs_dir()


def read_expected_questions() -> list[tuple[str, str, list[str] | None]]:
    """Return ``(graph, question, expected labels)``; None means the graph cannot answer it."""
    rows, expected = [], None
    for line in (GRAPHS_DIR / "questions.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("# expected:"):
            text = line.removeprefix("# expected:").strip()
            expected = None if text == "(not in the graph)" else [part.strip() for part in text.split("|")]
        elif line.strip() and not line.startswith("#"):
            graph, _, question = line.partition("\t")
            rows.append((graph, question, expected))
    return rows


QUESTIONS = read_expected_questions()


@pytest.fixture
def engine(bundled_engine):
    return bundled_engine


def test_every_graph_has_questions():
    graphs = {graph for graph, _, _ in QUESTIONS}
    assert graphs == set(BUNDLED_GRAPHS)


@pytest.mark.parametrize(("graph", "question", "expected"), QUESTIONS,
                         ids=[f"{graph}:{question}" for graph, question, _ in QUESTIONS])
def test_sample_question(engine, graph, question, expected):
    answer = engine.ask(question, graph=graph)
    if expected is None:
        assert answer.status in {"no_entity", "not_in_graph"}, answer.text
        assert answer.answers == []
        return
    assert answer.status == "answered", answer.text
    assert sorted(fold(item.label) for item in answer.answers) == sorted(fold(label) for label in expected)
    assert answer.evidence


@pytest.mark.parametrize(("graph", "question", "expected"), QUESTIONS[:3])
def test_question_without_graph_name(engine, graph, question, expected):
    answer = engine.ask(question)
    assert answer.graph == graph
    assert sorted(fold(item.label) for item in answer.answers) == sorted(fold(label) for label in expected)
