"""Run the demo: load the bundled graphs and answer their sample questions with evidence."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from kgqa.answering.engine import Engine
from kgqa.verification.modes import AnswerModes

__all__ = ["BUNDLED_GRAPHS", "COMPARE_GRAPH", "bundled_graphs_dir", "read_drafts",
           "read_sample_questions", "run_demo"]

log = logging.getLogger(__name__)

BUNDLED_GRAPHS = ("countries", "elements", "companies")
# The graph of facts that language models often get wrong: the demo compares the modes on it.
COMPARE_GRAPH = "companies"


def bundled_graphs_dir() -> Path:
    """Return the repository's ``graphs/`` folder (the package is installed from the checkout)."""
    return Path(__file__).resolve().parent.parent / "graphs"


def read_sample_questions(graphs_dir: Path) -> list[tuple[str, str]]:
    """Return ``(graph, question)`` pairs from ``questions.txt``; ``#`` lines are comments."""
    pairs = []
    for line in (graphs_dir / "questions.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        graph, _, question = line.partition("\t")
        pairs.append((graph.strip(), question.strip()))
    return pairs


def read_drafts(graphs_dir: Path) -> list[tuple[str | None, str, str]]:
    """Return ``(graph, question, draft)`` rows from ``drafts.txt``; graph ``-`` becomes None."""
    rows = []
    for line in (graphs_dir / "drafts.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        graph, question, draft = (part.strip() for part in line.split("\t", 2))
        rows.append((None if graph == "-" else graph, question, draft))
    return rows


def run_demo(engine: Engine, graphs_dir: Path | None, echo: Callable[[str], None],
             modes: AnswerModes | None = None) -> None:
    """Load each bundled graph unless the stored copy is current, then ask its sample questions."""
    from kgqa.cli import format_answer, format_comparison, format_mode_result

    graphs_dir = graphs_dir or bundled_graphs_dir()
    for name in BUNDLED_GRAPHS:
        path = graphs_dir / name / f"{name}.ttl"
        info = engine.ensure_loaded([path], name)
        echo(f"graph '{name}': {info.triples} triples, {info.entities} entities")

    started = time.perf_counter()
    engine.warm_up(list(BUNDLED_GRAPHS))
    echo(f"models and indexes ready in {time.perf_counter() - started:.1f} s")

    echo("\n== Graph-only answers ==")
    compare_questions = []
    for graph, question in read_sample_questions(graphs_dir):
        echo("")
        echo(f"[{graph}] Q: {question}")
        answer = engine.ask(question, graph=graph)
        echo(format_answer(answer.to_dict()))
        if graph == COMPARE_GRAPH and answer.status == "answered" and len(compare_questions) < 2:
            compare_questions.append(question)

    if modes is None:
        return
    echo("\n== The model alone, the model given the facts, and the model corrected ==")
    for question in compare_questions:
        echo("")
        echo(format_comparison(modes.compare(question, graph=COMPARE_GRAPH).to_dict()))

    echo("\n== Drafts checked claim by claim and corrected ==")
    for graph, question, draft in read_drafts(graphs_dir):
        echo("")
        echo(f"Q: {question}")
        result = modes.corrected(question, graph=graph, draft=draft)
        echo(format_mode_result(result.to_dict()))
