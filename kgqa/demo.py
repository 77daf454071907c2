"""Run the demo: load the bundled graphs and answer their sample questions with evidence."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from kgqa.answering.engine import Engine

__all__ = ["BUNDLED_GRAPHS", "bundled_graphs_dir", "read_sample_questions", "run_demo"]

log = logging.getLogger(__name__)

BUNDLED_GRAPHS = ("countries", "elements", "companies")


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


def run_demo(engine: Engine, graphs_dir: Path | None, echo: Callable[[str], None]) -> None:
    """Load each bundled graph unless the stored copy is current, then ask its sample questions."""
    from kgqa.cli import format_answer

    graphs_dir = graphs_dir or bundled_graphs_dir()
    for name in BUNDLED_GRAPHS:
        path = graphs_dir / name / f"{name}.ttl"
        info = engine.ensure_loaded([path], name)
        echo(f"graph '{name}': {info.triples} triples, {info.entities} entities")

    started = time.perf_counter()
    engine.warm_up(list(BUNDLED_GRAPHS))
    echo(f"models and indexes ready in {time.perf_counter() - started:.1f} s")

    for graph, question in read_sample_questions(graphs_dir):
        echo("")
        echo(f"[{graph}] Q: {question}")
        answer = engine.ask(question, graph=graph)
        echo(format_answer(answer.to_dict()))
