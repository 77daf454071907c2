"""Learn which relation sequences answer which questions from question/answer pairs.

``read_examples`` parses two formats, chosen per line:

- MetaQA: ``question with [topic entity]<TAB>answer|answer|...``
- JSON Lines: ``{"question": ..., "answers": [...], "topic": ...}`` (``topic`` optional).

``ExampleIndex.build`` finds, for each pair, the shortest relation sequence
from the topic entity whose reached set best matches the gold answers (F1),
and stores the embedding of the masked question next to that sequence. At
question time the nearest examples vote for their sequences
(``PathRetriever`` adds the votes to the zero-shot score).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
from rdflib import Literal, URIRef
from rdflib.term import Node

from kgqa.embedding import Embedder
from kgqa.errors import InvalidInput, StoreError
from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.linking.mentions import LinkedEntity
from kgqa.normalize import fold, prepare_text
from kgqa.retrieval.paths import StepKey, iter_path_layers
from kgqa.retrieval.verbalize import TOPIC_PLACEHOLDER
from kgqa.settings import Settings

__all__ = [
    "ExampleIndex",
    "ExamplePair",
    "best_sequence",
    "mask_linked",
    "mask_topic",
    "read_examples",
]

log = logging.getLogger(__name__)

# Pairs whose best path matches the gold answers worse than this teach nothing reliable.
MIN_EXAMPLE_F1 = 0.5
# Softmax temperature over cosine similarities: a neighbour 0.1 less similar weighs e^-2 as much.
VOTE_TEMPERATURE = 0.05
_FORMAT_VERSION = 1
_EMBEDDINGS_FILE = "embeddings.npy"
_METADATA_FILE = "examples.json"
_BRACKET_RE = re.compile(r"\[([^\[\]]+)\]")

Sequence = tuple[StepKey, ...]


@dataclasses.dataclass(frozen=True)
class ExamplePair:
    """One question with its gold answers (labels) and, if known, its topic entity's label."""

    question: str
    answers: tuple[str, ...]
    topic: str | None = None
    line: int = 0


def read_examples(path: str | Path) -> list[ExamplePair]:
    """Parse a MetaQA or JSON Lines file of question/answer pairs.

    Raises:
        InvalidInput: the file is missing, or a line is malformed; the message
            names the file and the 1-based line number.
    """
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"Cannot read examples file {source}: {error}. "
                           "Give a UTF-8 text file of MetaQA lines or JSON Lines.") from error

    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            pairs.append(_parse_json_line(source, number, line))
        else:
            pairs.append(_parse_metaqa_line(source, number, line))
    return pairs


def _line_error(source: Path, number: int, problem: str) -> InvalidInput:
    return InvalidInput(
        f"{source}, line {number}: {problem}. Expected 'question with [topic]<TAB>answer|answer' "
        'or a JSON object {"question": ..., "answers": [...], "topic": ...}.',
        details={"file": str(source), "line": number},
    )


def _parse_metaqa_line(source: Path, number: int, line: str) -> ExamplePair:
    question, tab, answer_field = line.rstrip("\r\n").partition("\t")
    if not tab:
        raise _line_error(source, number, "no tab between question and answers")
    answers = tuple(answer.strip() for answer in answer_field.split("|") if answer.strip())
    if not question.strip() or not answers:
        raise _line_error(source, number, "empty question or no answers")

    brackets = _BRACKET_RE.search(question)
    topic = brackets.group(1).strip() if brackets else None
    return ExamplePair(question=question.strip(), answers=answers, topic=topic, line=number)


def _parse_json_line(source: Path, number: int, line: str) -> ExamplePair:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise _line_error(source, number, f"invalid JSON ({error.msg})") from error

    question = record.get("question") if isinstance(record, dict) else None
    answers = record.get("answers") if isinstance(record, dict) else None
    if isinstance(answers, str):
        answers = [answers]
    if not isinstance(question, str) or not question.strip():
        raise _line_error(source, number, "missing or empty \"question\" string")
    if not isinstance(answers, list) or not answers or not all(isinstance(a, str | int | float)
                                                               for a in answers):
        raise _line_error(source, number, "\"answers\" must be a non-empty list of strings")

    topic = record.get("topic")
    if topic is not None and not isinstance(topic, str):
        raise _line_error(source, number, "\"topic\" must be a string")
    return ExamplePair(question=question.strip(), answers=tuple(str(a) for a in answers),
                       topic=topic, line=number)


def mask_topic(question: str, topic: str | None) -> str:
    """Replace the topic mention (``[...]`` or the topic's text) with ``NE`` and drop brackets."""
    text = prepare_text(question)
    if _BRACKET_RE.search(text):
        return _BRACKET_RE.sub(TOPIC_PLACEHOLDER, text, count=1).replace("[", "").replace("]", "")
    if topic:
        position = text.casefold().find(prepare_text(topic).casefold())
        if position >= 0:
            return text[:position] + TOPIC_PLACEHOLDER + text[position + len(topic):]
    return text


def mask_linked(question: str, entities: Iterable[LinkedEntity]) -> str:
    """Replace each linked mention of ``question`` with ``NE``, right to left so offsets hold."""
    text = question
    for entity in sorted(entities, key=lambda linked: linked.start, reverse=True):
        text = text[:entity.start] + TOPIC_PLACEHOLDER + text[entity.end:]
    return text


class _LabelLookup:
    """Nodes by folded label, built once per ``build`` call so pairs never scan the graph."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self._nodes: dict[str, set[Node]] = defaultdict(set)
        for text, entity, _label in kg.labels.surface_forms():
            self._nodes[fold(text)].add(entity)
        for node in kg.nx_graph.nodes:
            if isinstance(node, Literal):
                self._nodes[fold(str(node))].add(node)

    def find(self, label: str) -> set[Node]:
        return self._nodes.get(fold(label), set())


def _f1(reached: frozenset[Node], gold: set[Node]) -> float:
    hits = len(gold & reached) if len(gold) < len(reached) else len(reached & gold)
    if hits == 0:
        return 0.0
    precision = hits / len(reached)
    recall = hits / len(gold)
    return 2 * precision * recall / (precision + recall)


def best_sequence(kg: KnowledgeGraph, topics: Iterable[Node], gold: set[Node], max_hops: int,
                  frontier_limit: int) -> tuple[Sequence | None, float]:
    """Return the shortest relation sequence from any of ``topics`` that best matches ``gold`` (F1).

    Deeper layers are only enumerated while no path matches the gold answers
    exactly, so 1-hop examples never pay for 3-hop enumeration.
    """
    best: tuple[float, int] = (0.0, 0)
    best_keys: Sequence | None = None
    for topic in topics:
        for layer in iter_path_layers(kg, topic, max_hops, frontier_limit):
            for path in layer:
                rank = (_f1(path.reached, gold), -path.hops)
                if rank > best:
                    best, best_keys = rank, path.keys
            if best[0] >= 1.0:
                break
    return best_keys, best[0]


class ExampleIndex:
    """Masked example questions, their embeddings and the relation sequence answering each."""

    def __init__(self, embeddings: np.ndarray, sequence_ids: np.ndarray, sequences: list[Sequence],
                 questions: list[str], graph_hash: str = "") -> None:
        self.embeddings = embeddings.astype(np.float32, copy=False)
        self.sequence_ids = sequence_ids.astype(np.int32, copy=False)
        self.sequences = sequences
        self.questions = questions
        self.graph_hash = graph_hash

    def __len__(self) -> int:
        return len(self.questions)

    @classmethod
    def build(cls, kg: KnowledgeGraph, embedder: Embedder, pairs: list[ExamplePair],
              link: Callable[[str], list[LinkedEntity]] | None = None, *,
              settings: Settings | None = None) -> ExampleIndex:
        """Find the relation sequence of every pair and embed the masked questions.

        The topic comes from the pair (brackets or ``topic``), else from
        ``link(question)``, else the pair is skipped. Answers are matched to
        nodes by label. Skipped pairs are counted in the INFO log line.
        """
        settings = settings or Settings()
        started = time.perf_counter()
        lookup = _LabelLookup(kg)
        sequence_index: dict[Sequence, int] = {}
        masked_questions: list[str] = []
        sequence_ids: list[int] = []
        skipped: dict[str, int] = defaultdict(int)

        for pair in pairs:
            found = _resolve_pair(pair, lookup, link)
            if isinstance(found, str):
                skipped[found] += 1
                continue
            masked, topics, gold = found
            keys, f1 = best_sequence(kg, topics, gold, settings.max_hops, settings.frontier_limit)
            if keys is None or f1 < MIN_EXAMPLE_F1:
                skipped["no matching path"] += 1
                continue
            masked_questions.append(masked)
            sequence_ids.append(sequence_index.setdefault(keys, len(sequence_index)))

        embeddings = embedder.encode_many(masked_questions)
        log.info("built %d examples (%d relation sequences) from %d pairs in %.1f s; skipped: %s",
                 len(masked_questions), len(sequence_index), len(pairs),
                 time.perf_counter() - started, dict(skipped) or "none")
        return cls(embeddings, np.asarray(sequence_ids, dtype=np.int32), list(sequence_index),
                   masked_questions, kg.info.content_hash)

    def votes(self, query: np.ndarray, available: set[Sequence], k: int) -> dict[Sequence, float]:
        """Return each available sequence's share of the votes of the ``k`` nearest examples.

        A neighbour's weight is ``exp((similarity - best similarity) / VOTE_TEMPERATURE)``,
        so close paraphrases outvote loosely related questions. Shares are taken
        over all ``k`` neighbours, so a sequence the topic entity lacks still
        dilutes the others instead of passing its votes on.
        """
        if len(self) == 0:
            return {}
        similarities = self.embeddings @ query.astype(np.float32)
        count = min(k, len(similarities))
        nearest = [index for index in np.argpartition(-similarities, count - 1)[:count]
                   if similarities[index] > 0]
        if not nearest:
            return {}

        best = max(float(similarities[index]) for index in nearest)
        total = 0.0
        votes: dict[Sequence, float] = defaultdict(float)
        for index in nearest:
            weight = math.exp((float(similarities[index]) - best) / VOTE_TEMPERATURE)
            total += weight
            sequence = self.sequences[self.sequence_ids[index]]
            if sequence in available:
                votes[sequence] += weight
        return {sequence: weight / total for sequence, weight in votes.items()}

    def save(self, path: str | Path) -> None:
        """Write the index to the folder ``path``: ``embeddings.npy`` and ``examples.json``."""
        folder = Path(path)
        metadata = {
            "format": _FORMAT_VERSION,
            "graph_hash": self.graph_hash,
            "sequences": [[[str(predicate), inverse] for predicate, inverse in sequence]
                          for sequence in self.sequences],
            "sequence_ids": self.sequence_ids.tolist(),
            "questions": self.questions,
        }
        try:
            folder.mkdir(parents=True, exist_ok=True)
            np.save(folder / _EMBEDDINGS_FILE, self.embeddings)
            (folder / _METADATA_FILE).write_text(json.dumps(metadata), encoding="utf-8")
        except OSError as error:
            raise StoreError(f"Cannot write the example index to {folder}: {error}. "
                             "Check that the folder is writable.") from error

    @classmethod
    def load(cls, path: str | Path) -> ExampleIndex:
        """Read an index written by ``save``.

        Raises:
            StoreError: the folder is missing, unreadable or from another format version.
        """
        folder = Path(path)
        try:
            metadata = json.loads((folder / _METADATA_FILE).read_text(encoding="utf-8"))
            embeddings = np.load(folder / _EMBEDDINGS_FILE)
        except (OSError, ValueError) as error:
            raise StoreError(f"Cannot read the example index in {folder}: {error}. "
                             "Rebuild it from the examples file.") from error
        if metadata.get("format") != _FORMAT_VERSION:
            raise StoreError(f"The example index in {folder} has format "
                             f"{metadata.get('format')!r}, expected {_FORMAT_VERSION}. "
                             "Rebuild it from the examples file.")

        sequences = [tuple((URIRef(predicate), bool(inverse)) for predicate, inverse in sequence)
                     for sequence in metadata["sequences"]]
        return cls(embeddings, np.asarray(metadata["sequence_ids"], dtype=np.int32), sequences,
                   list(metadata["questions"]), metadata.get("graph_hash", ""))


def _resolve_pair(pair: ExamplePair, lookup: _LabelLookup,
                  link: Callable[[str], list[LinkedEntity]] | None
                  ) -> tuple[str, set[Node], set[Node]] | str:
    """Return ``(masked question, topic nodes, gold nodes)``, or the reason the pair is skipped."""
    topics: set[Node] = set()
    masked = mask_topic(pair.question, pair.topic)
    if pair.topic:
        topics = lookup.find(pair.topic)
    elif link is not None:
        linked = link(pair.question)
        topics = {entity.entity for entity in linked[:1]}
        masked = mask_linked(prepare_text(pair.question), linked[:1])
    if not topics:
        return "topic not found"

    gold: set[Node] = set()
    for answer in pair.answers:
        gold |= lookup.find(answer)
    if not gold:
        return "answers not found"
    return masked, topics, gold

