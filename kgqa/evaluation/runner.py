"""Run an evaluation: ask every question in the chosen modes and append one record per question.

Records go to ``results.jsonl`` in the output folder, one JSON object per
line, flushed after each question. A rerun with the same output folder reads
the records already there and skips their question ids, so an interrupted run
resumes where it stopped. ``run.json`` in the folder keeps the settings that
shape the answers (graph and its content hash, modes, topic handling, question
file, examples, top_k). A rerun with other settings is rejected, because its
records could not be compared with the old ones. Sampling and ``limit`` only
choose questions, so they may change between runs.

How each record is scored (``kgqa.evaluation.metrics`` normalizes labels):

- graph mode: the graph's answer labels in their ranked order against the gold
  labels: ``hits_at_1``, ``exact_match``, ``precision``, ``recall`` and ``f1``.
  ``abstained`` means the graph gave no answer (status other than answered).
- ungrounded, grounded and corrected modes: ``hits_at_1`` is 1.0 when any gold
  label occurs in the final text as whole words. For a question without gold
  answers it is 1.0 when the mode abstained. ``abstained`` means the text's
  verdict is abstained or the text declines to answer (``is_abstention``).
  ``verdict`` is the final text's verdict against the graph. ``model_verdict``
  is the verdict of the model's own text, which grounded and corrected modes
  replace with a fact sentence when the graph does not support it.
- ``topic_linked`` (per question): with topics left to the linker, whether
  any linked entity has the gold topic among its labels. None when the topic
  is unknown or was given to the engine. ``topic_linked_alone``: whether the
  topic is the only linked entity, which shows extra links that steer the
  answer elsewhere (a two-entity question rightly links two).
- ``latency_ms``: graph mode, the time of ``Engine.ask``. The other modes add
  their own generation and verification time to it, because they need the
  graph's answer first. Corrected mode also includes its ungrounded draft.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from kgqa.answering.engine import Engine
from kgqa.answering.result import Answer, EvidenceTriple
from kgqa.errors import InvalidInput, KgqaError, ModelUnavailable
from kgqa.evaluation.metrics import any_label_in_text, exact_match, hits_at_1, precision_recall_f1
from kgqa.evaluation.questions import EvalQuestion
from kgqa.normalize import fold
from kgqa.verification.modes import AnswerModes
from kgqa.verification.results import MODES, ModeResult
from kgqa.verification.verdicts import is_abstention

__all__ = [
    "EVIDENCE_KEPT",
    "RESULTS_FILE",
    "RUN_FILE",
    "EvalConfig",
    "EvalRunner",
    "default_topics",
    "evaluate",
    "read_results",
    "select_questions",
]

log = logging.getLogger(__name__)

RESULTS_FILE = "results.jsonl"
RUN_FILE = "run.json"
# Evidence triples kept per mode record: enough to see why an answer is wrong, and small
# enough that 40,000 records stay a file of tens of megabytes.
EVIDENCE_KEPT = 3
TOPIC_HANDLING = ("given", "linked")


@dataclasses.dataclass(frozen=True)
class EvalConfig:
    """The settings of one evaluation run.

    ``topics``: ``given`` passes each question's known topic label to the
    engine (the published MetaQA setting). ``linked`` leaves the topic to the
    linker and scores the linking instead. ``examples_sha256`` identifies the
    examples file added to the graph before the run, if any.
    """

    questions_file: str
    graph: str
    modes: tuple[str, ...] = ("graph",)
    topics: str = "given"
    strip_brackets: bool = False
    top_k: int | None = None
    examples_file: str | None = None
    examples_sha256: str | None = None
    sample: int | None = None
    seed: int = 0
    limit: int | None = None

    def __post_init__(self) -> None:
        if not self.modes or any(mode not in MODES for mode in self.modes):
            raise InvalidInput(f"Invalid modes {','.join(self.modes)!r}: choose one or more of "
                               f"{','.join(MODES)}, separated by commas.")
        if self.topics not in TOPIC_HANDLING:
            raise InvalidInput(f"Invalid topic handling {self.topics!r}: use 'given' or 'linked'.")

    def answer_settings(self) -> dict[str, Any]:
        """Return the settings that shape the answers, which must match for a run to resume."""
        return {"questions_file": self.questions_file, "graph": self.graph, "modes": list(self.modes),
                "topics": self.topics, "strip_brackets": self.strip_brackets, "top_k": self.top_k,
                "examples_sha256": self.examples_sha256}


def default_topics(questions_file: str | Path, strip_brackets: bool) -> str:
    """Return how topics are handled when not chosen: ``given`` for bracketed MetaQA lines, else ``linked``.

    MetaQA's published results give the bracketed topic entity. A JSON Lines
    or CSV set's ``topic`` names only one entity of a question that may name
    two, so its questions are linked end to end and the topic scores the linking.
    """
    suffix = Path(questions_file).suffix.lower()
    if strip_brackets or suffix in (".jsonl", ".json", ".csv"):
        return "linked"
    return "given"


def select_questions(questions: Sequence[EvalQuestion], sample: int | None = None, seed: int = 0,
                     limit: int | None = None) -> list[EvalQuestion]:
    """Return a seeded random sample of ``sample`` questions in random order, then the first ``limit``.

    The sample keeps its random order, so the first ``limit`` questions of a
    sample are a random subset too: benchmark files such as MetaQA's are
    grouped by question type, and a prefix in file order would hold only the
    first types. The same seed gives the same order, so a resumed run asks
    the same questions.
    """
    for name, value in (("sample", sample), ("limit", limit)):
        if value is not None and value < 1:
            raise InvalidInput(f"Invalid {name} {value}: give a positive number of questions.")

    chosen = list(questions)
    if sample is not None and sample < len(chosen):
        positions = random.Random(seed).sample(range(len(chosen)), sample)
        chosen = [chosen[position] for position in positions]
    if limit is not None:
        chosen = chosen[:limit]
    return chosen


def read_results(path: Path) -> list[dict[str, Any]]:
    """Read the records of ``results.jsonl``; cut off a last line left incomplete by a killed run.

    Raises:
        InvalidInput: a complete line is not a result record.
    """
    if not path.exists():
        return []
    raw = path.read_bytes()
    complete, newline, partial = raw.rpartition(b"\n")

    records: list[dict[str, Any]] = []
    for number, line in enumerate(complete.split(b"\n") if newline else [], start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = None
        if not isinstance(record, dict) or "id" not in record:
            raise InvalidInput(f"{path}, line {number}: not a result record. Delete the file or choose "
                               "another --out folder to start the run again.",
                               details={"file": str(path), "line": number})
        records.append(record)

    if partial.strip():
        log.warning("dropping the incomplete last line of %s, where an earlier run was interrupted", path)
        with path.open("r+b") as handle:
            handle.truncate(len(complete) + len(newline))
    return records


class EvalRunner:
    """Ask questions through one ``Engine`` (and ``AnswerModes`` for generated modes) and record results."""

    def __init__(self, engine: Engine, config: EvalConfig, out_dir: Path,
                 answer_modes: AnswerModes | None = None) -> None:
        self.engine = engine
        self.config = config
        self.out_dir = Path(out_dir)
        self._answer_modes = answer_modes
        self._topic_labels: dict[Any, set[str]] = {}

    @property
    def answer_modes(self) -> AnswerModes:
        """The answer modes over the engine; the generative model loads on first use."""
        if self._answer_modes is None:
            self._answer_modes = AnswerModes(self.engine)
        return self._answer_modes

    def run(self, questions: Sequence[EvalQuestion], *, progress: bool = True) -> list[dict[str, Any]]:
        """Answer every question not yet in ``results.jsonl``; return the records of all ``questions``.

        Raises:
            GraphNotFound: the graph is not loaded.
            InvalidInput: the output folder contains results of a run with other settings.
            ModelUnavailable: a generated mode cannot load or reach its model.
        """
        info = self.engine.graph_info(self.config.graph)
        results_path = self._prepare_out_dir(info.content_hash)
        done = {record["id"]: record for record in read_results(results_path)}
        todo = [item for item in questions if item.id not in done]
        if done:
            log.info("resuming: %d of %d questions already answered in %s",
                     len(questions) - len(todo), len(questions), results_path)

        if todo:
            self._answer_all(todo, results_path, total=len(questions), progress=progress)
            done = {record["id"]: record for record in read_results(results_path)}
        return [done[item.id] for item in questions if item.id in done]

    def _prepare_out_dir(self, content_hash: str) -> Path:
        """Create the output folder, or check that its earlier run used the same settings."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        run_path = self.out_dir / RUN_FILE
        settings = {**self.config.answer_settings(), "graph_content_hash": content_hash}
        results_path = self.out_dir / RESULTS_FILE
        if results_path.exists() and run_path.exists():
            earlier = json.loads(run_path.read_text(encoding="utf-8")).get("answer_settings", {})
            changed = sorted(key for key in settings if earlier.get(key) != settings[key])
            if changed:
                raise InvalidInput(
                    f"{self.out_dir} contains results of a run with other settings ({', '.join(changed)}). "
                    "Choose another --out folder, or delete this one to start again.",
                    details={"out": str(self.out_dir), "changed": changed})
        run_path.write_text(json.dumps({"answer_settings": settings,
                                        "config": dataclasses.asdict(self.config)}, indent=2),
                            encoding="utf-8")
        return results_path

    def _answer_all(self, todo: list[EvalQuestion], results_path: Path, *, total: int,
                    progress: bool) -> None:
        from tqdm import tqdm

        started = time.perf_counter()
        self.engine.warm_up([self.config.graph])
        log.info("graph %s ready in %.1f s; answering %d questions in modes %s", self.config.graph,
                 time.perf_counter() - started, len(todo), ",".join(self.config.modes))
        started = time.perf_counter()

        bar = tqdm(total=total, initial=total - len(todo), unit="q", desc="eval", file=sys.stderr,
                   mininterval=0.5, disable=not progress, dynamic_ncols=True)
        try:
            with results_path.open("a", encoding="utf-8") as handle:
                for item in todo:
                    _append(handle, self.answer(item))
                    bar.update(1)
        finally:
            bar.close()
        elapsed_s = time.perf_counter() - started
        log.info("answered %d questions in %.1f s (%.1f questions/s)", len(todo), elapsed_s,
                 len(todo) / elapsed_s if elapsed_s else 0.0)

    def answer(self, item: EvalQuestion) -> dict[str, Any]:
        """Ask one question in every configured mode and return its scored record."""
        topics = [item.topic] if self.config.topics == "given" and item.topic else None
        record: dict[str, Any] = {
            "id": item.id, "question": item.question, "gold": list(item.answers), "topic": item.topic,
            "hop": item.hop, "category": item.category, "line": item.line,
            "linked": [], "topic_linked": None, "topic_linked_alone": None, "modes": {},
        }
        try:
            graph_answer, results = self._ask(item.question, topics)
        except ModelUnavailable:
            raise
        except KgqaError as error:
            log.warning("question %s failed: %s", item.id, error.message)
            record["modes"] = {mode: _error_record(mode, error.message) for mode in self.config.modes}
            return record

        record["linked"] = [entity.label for entity in graph_answer.linked_entities]
        if self.config.topics == "linked" and item.topic:
            record["topic_linked"] = self._topic_found(item.topic, graph_answer)
            record["topic_linked_alone"] = record["topic_linked"] and len(graph_answer.linked_entities) == 1
        for mode in self.config.modes:
            if mode == "graph":
                record["modes"][mode] = _graph_record(graph_answer, item.answers)
            else:
                record["modes"][mode] = _generated_record(results[mode], graph_answer, item.answers)
        return record

    def _ask(self, question: str, topics: list[str] | None) -> tuple[Answer, dict[str, ModeResult]]:
        """Return the graph's answer and, when generated modes are asked for, their results."""
        config = self.config
        if config.modes == ("graph",):
            return self.engine.ask(question, config.graph, config.top_k, topics=topics), {}

        comparison = self.answer_modes.compare(question, config.graph, config.top_k, topics=topics,
                                               modes=config.modes)
        graph_answer = next(iter(comparison.modes.values())).graph_answer
        return graph_answer, comparison.modes

    def _topic_found(self, topic: str, answer: Answer) -> bool:
        key = fold(topic)
        return any(key in self._labels_of(entity.entity) for entity in answer.linked_entities)

    def _labels_of(self, entity: Any) -> set[str]:
        labels = self._topic_labels.get(entity)
        if labels is None:
            kg, _linker = self.engine.graph_parts(self.config.graph)
            labels = {fold(label.text) for label in kg.labels.labels(entity)}
            self._topic_labels[entity] = labels
        return labels


def _append(handle: TextIO, record: dict[str, Any]) -> None:
    # One flush per record and no fsync: a killed process loses at most the line being written,
    # which read_results cuts off on resume.
    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    handle.flush()


def _graph_record(answer: Answer, gold: Sequence[str]) -> dict[str, Any]:
    labels = [item.label for item in answer.answers]
    precision, recall, f1 = precision_recall_f1(labels, gold)
    return {
        "answers": labels,
        "text": answer.text,
        "status": answer.status,
        "verdict": "supported" if answer.status == "answered" else "abstained",
        "abstained": answer.status != "answered",
        "hits_at_1": hits_at_1(labels, gold),
        "exact_match": exact_match(labels, gold),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "path": answer.path.verbalization if answer.path else None,
        "latency_ms": round(answer.timings_ms.get("total", 0.0), 2),
        "evidence": _evidence(answer.evidence),
        "error": None,
    }


def _generated_record(result: ModeResult, graph_answer: Answer, gold: Sequence[str]) -> dict[str, Any]:
    abstained = result.verdict == "abstained" or is_abstention(result.text)
    hit = any_label_in_text(gold, result.text) if gold else abstained
    latency_ms = graph_answer.timings_ms.get("total", 0.0) + result.timings_ms.get("total", 0.0)
    return {
        "answers": [claim.text for claim in result.claims if claim.scope == "answer"],
        "text": result.text,
        "status": graph_answer.status,
        "verdict": result.verdict,
        "model_verdict": result.verification.verdict if result.verification else None,
        "source": result.source,
        "claims": dict(Counter(claim.verdict for claim in result.claims)),
        "abstained": abstained,
        "hits_at_1": 1.0 if hit else 0.0,
        "latency_ms": round(latency_ms, 2),
        "evidence": _evidence(result.evidence),
        "error": None,
    }


def _error_record(mode: str, message: str) -> dict[str, Any]:
    """Score a question that raised as a miss in every metric, keeping the error message."""
    record = {"answers": [], "text": "", "status": "error", "verdict": None, "abstained": False,
              "hits_at_1": 0.0, "latency_ms": None, "evidence": [], "error": message}
    if mode == "graph":
        record.update(exact_match=0.0, precision=0.0, recall=0.0, f1=0.0)
    return record


def _evidence(triples: Sequence[EvidenceTriple]) -> list[dict[str, Any]]:
    return [triple.to_dict() for triple in triples[:EVIDENCE_KEPT]]


def evaluate(engine: Engine, config: EvalConfig, out_dir: Path, *, hop: int | None = None,
             progress: bool = True, answer_modes: AnswerModes | None = None) -> dict[str, Any]:
    """Run a whole evaluation: read and pick the questions, add examples, answer, write the report.

    Returns the summary written to ``summary.json``.

    Raises:
        InvalidInput: the question file does not parse (the message names the line),
            or the output folder contains results of a run with other settings.
        GraphNotFound: the graph is not loaded.
    """
    from kgqa.evaluation.questions import read_questions
    from kgqa.evaluation.report import summarize, write_report

    engine.graph_info(config.graph)
    questions = read_questions(config.questions_file, strip_brackets=config.strip_brackets, hop=hop)
    chosen = select_questions(questions, config.sample, config.seed, config.limit)
    if config.examples_file:
        examples_path = Path(config.examples_file)
        if not examples_path.is_file():
            raise InvalidInput(f"Examples file {examples_path} not found. Give a file of MetaQA lines "
                               "or JSON Lines with question/answer pairs.")
        config = dataclasses.replace(config, examples_sha256=hashlib.sha256(examples_path.read_bytes())
                                     .hexdigest())
        added = engine.add_examples(examples_path, config.graph, once=True)
        log.info("examples from %s: %d added to graph %s", config.examples_file, added, config.graph)

    records = EvalRunner(engine, config, out_dir, answer_modes).run(chosen, progress=progress)
    summary = summarize(records, config.modes, dataclasses.asdict(config))
    write_report(Path(out_dir), summary, records)
    return summary
