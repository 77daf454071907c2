"""Write graph-only answers to MetaQA test questions as JSON Lines, to compare two versions of kgqa.

Usage::

    .venv/bin/python bench/answer_dump.py /path/to/metaqa --data-dir DIR --out answers.jsonl

``DIR`` must hold MetaQA's ``kb.txt`` loaded as graph ``metaqa`` (``kgqa load``).
The script prepares the graph, then asks ``--questions`` test questions
(1, 2 and 3 hops, shuffled with ``--seed``, brackets removed, so every
question is linked) and writes one answer object per line, without its
timings. Two runs with the same options on two commits give identical files
(``cmp``) when the change kept every answer. The report on stdout gives the
time to prepare the graph and the CPU time per question; removing the
derived-data cache from ``DIR`` first measures a graph prepared from scratch.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from kgqa.answering.engine import Engine  # noqa: E402
from kgqa.settings import Settings  # noqa: E402

_BRACKETS_RE = re.compile(r"[\[\]]")


def read_test_questions(metaqa_dir: Path, count: int, seed: int) -> list[str]:
    """Return ``count`` shuffled test questions of all hop counts, brackets removed."""
    questions = []
    for hops in (1, 2, 3):
        path = metaqa_dir / f"{hops}-hop" / "vanilla" / "qa_test.txt"
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                questions.append(_BRACKETS_RE.sub("", line.split("\t")[0]))
    random.Random(seed).shuffle(questions)
    return questions[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("metaqa_dir", type=Path, help="MetaQA folder with N-hop/vanilla/qa_test.txt")
    parser.add_argument("--data-dir", type=Path, required=True, help="data folder with graph 'metaqa'")
    parser.add_argument("--out", type=Path, required=True, help="JSON Lines file to write the answers to")
    parser.add_argument("--questions", type=int, default=800, help="test questions to ask")
    parser.add_argument("--seed", type=int, default=3, help="seed of the question shuffle")
    args = parser.parse_args()

    engine = Engine(Settings(data_dir=str(args.data_dir)))
    started = time.perf_counter()
    engine.warm_up(["metaqa"])
    prepare_s = time.perf_counter() - started

    questions = read_test_questions(args.metaqa_dir, args.questions, args.seed)
    cpu_started = time.thread_time()
    with args.out.open("w", encoding="utf-8") as out:
        for question in questions:
            answer = engine.ask(question, graph="metaqa").to_dict()
            answer.pop("timings_ms", None)
            out.write(json.dumps(answer, sort_keys=True, default=str) + "\n")
    cpu_ms = (time.thread_time() - cpu_started) * 1000 / max(1, len(questions))

    report = {"prepare_s": round(prepare_s, 1), "questions": len(questions),
              "cpu_ms_per_question": round(cpu_ms, 2), "out": str(args.out)}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
