"""Measure graph-only answer latency through ``Engine.ask``.

Usage:
    python bench/bench_ask.py --graphs-dir graphs           # the bundled graphs and their sample questions
    python bench/bench_ask.py --metaqa /path/to/metaqa --limit 300

The MetaQA run loads ``kb.txt`` into a temporary store, then asks test
questions of each hop with the topic brackets kept, and prints Hits@1 next to
the latency so a speed-up that costs accuracy shows.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from kgqa.answering.engine import Engine
from kgqa.demo import BUNDLED_GRAPHS, read_sample_questions
from kgqa.settings import Settings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def report(label: str, latencies_ms: list[float], extra: str = "") -> None:
    print(f"{label:<28} n={len(latencies_ms):<5} p50={percentile(latencies_ms, 0.5):7.1f} ms  "
          f"p95={percentile(latencies_ms, 0.95):7.1f} ms  mean={statistics.fmean(latencies_ms):7.1f} ms"
          f"  {extra}")


def bench_bundled(engine: Engine, graphs_dir: Path, rounds: int) -> None:
    for name in BUNDLED_GRAPHS:
        started = time.perf_counter()
        engine.ensure_loaded([graphs_dir / name / f"{name}.ttl"], name)
        engine.warm_up([name])
        print(f"prepared {name} in {time.perf_counter() - started:.1f} s")

    questions = read_sample_questions(graphs_dir)
    for name in BUNDLED_GRAPHS:
        latencies = []
        for _ in range(rounds):
            for graph, question in questions:
                if graph != name:
                    continue
                started = time.perf_counter()
                engine.ask(question, graph=graph)
                latencies.append((time.perf_counter() - started) * 1000)
        report(name, latencies)


def read_metaqa(path: Path, limit: int, seed: int) -> list[tuple[str, set[str]]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        question, _, answers = line.partition("\t")
        rows.append((question, set(answers.split("|"))))
    random.Random(seed).shuffle(rows)
    return rows[:limit]


def bench_metaqa(engine: Engine, folder: Path, limit: int, seed: int) -> None:
    started = time.perf_counter()
    engine.load([folder / "kb.txt"], name="metaqa", fmt="pipe")
    print(f"loaded MetaQA kb.txt in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    engine.warm_up(["metaqa"])
    print(f"prepared metaqa (labels, matcher, projection) in {time.perf_counter() - started:.1f} s")

    for hop in (1, 2, 3):
        rows = read_metaqa(folder / f"{hop}-hop" / "vanilla" / "qa_test.txt", limit, seed)
        latencies, hits = [], 0
        for question, gold in rows:
            started = time.perf_counter()
            answer = engine.ask(question, graph="metaqa")
            latencies.append((time.perf_counter() - started) * 1000)
            hits += bool(answer.answers) and answer.answers[0].label in gold
        report(f"metaqa {hop}-hop zero-shot", latencies, f"Hits@1={hits / len(rows):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graphs-dir", type=Path, help="folder of the bundled graphs")
    parser.add_argument("--metaqa", type=Path, help="MetaQA folder (kb.txt, N-hop/vanilla/qa_test.txt)")
    parser.add_argument("--limit", type=int, default=300, help="MetaQA questions per hop")
    parser.add_argument("--rounds", type=int, default=3, help="repetitions of the bundled questions")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as data_dir:
        engine = Engine(Settings(data_dir=data_dir))
        if args.graphs_dir:
            bench_bundled(engine, args.graphs_dir, args.rounds)
        if args.metaqa:
            bench_metaqa(engine, args.metaqa, args.limit, args.seed)


if __name__ == "__main__":
    main()
