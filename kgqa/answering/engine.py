"""Compose the pipeline: the graph store, the linker, retrieval and graph-only answering.

One ``Engine`` per process. Models (spaCy, the embedding model) load lazily
and once; each graph's linker and retriever are built on first use and
rebuilt when the stored version of that graph changes. The CLI, the HTTP
service and the evaluation harness all call ``Engine.ask``, so they give the
same answer for the same question.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kgqa.answering.graph_answerer import GraphAnswerer
from kgqa.answering.result import Answer, Candidate, LinkedEntity
from kgqa.errors import EntityNotFound, GraphNotFound, InvalidInput
from kgqa.graph.knowledge_graph import GraphInfo, KnowledgeGraph
from kgqa.graph.store import GraphStore
from kgqa.linking.linker import EntityLinker, LinkResult
from kgqa.linking.pipeline import build_nlp
from kgqa.normalize import fold, prepare_text
from kgqa.retrieval.examples import ExampleIndex, ExamplePair, read_examples
from kgqa.retrieval.scoring import PathRetriever
from kgqa.retrieval.verbalize import TOPIC_PLACEHOLDER
from kgqa.settings import Settings

__all__ = ["Engine"]

log = logging.getLogger(__name__)

_LABEL_EMBEDDINGS_KEY = "linking.label-embeddings"
_CONTEXT_EMBEDDINGS_KEY = "linking.context-embeddings"

ProgressCallback = Callable[[str, int, int | None], None]


@dataclass
class _GraphSession:
    """Everything built for one stored version of one graph."""

    content_hash: str
    kg: KnowledgeGraph
    linker: EntityLinker
    retriever: PathRetriever
    answerer: GraphAnswerer
    # Entities by folded label, built on the first question with given topics.
    topic_index: dict[str, list[tuple[str, Any]]] | None = field(default=None, repr=False)


class Engine:
    """Answer questions over the graphs in the store, loading models and graphs once."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.store = GraphStore(self.settings)
        self._sessions: dict[str, _GraphSession] = {}
        self._lock = threading.RLock()
        self._nlp = None
        self._embedder = None

    @property
    def nlp(self):
        """The spaCy pipeline, built on first use."""
        with self._lock:
            if self._nlp is None:
                self._nlp = build_nlp(self.settings.spacy_pipeline)
            return self._nlp

    @property
    def embedder(self):
        """The sentence-embedding model, loaded on first use."""
        with self._lock:
            if self._embedder is None:
                from kgqa.embedding import Embedder

                self._embedder = Embedder(self.settings.embedding_model or None)
            return self._embedder

    # Graph management

    def graph_names(self) -> list[str]:
        """Return the names of the stored graphs, sorted."""
        return self.store.names()

    def graph_info(self, name: str) -> GraphInfo:
        """Return the metadata of a stored graph; raises GraphNotFound listing the loaded ones."""
        return self.store.info(name)

    def load(self, paths: list[Path], name: str, fmt: str | None = None,
             progress: ProgressCallback | None = None) -> GraphInfo:
        """Parse ``paths`` completely, then store them as graph ``name`` (replacing any older version)."""
        info = self.store.load(name, [Path(path) for path in paths], fmt=fmt, progress=progress)
        with self._lock:
            self._sessions.pop(name, None)
        return info

    def load_bytes(self, data: bytes, name: str, fmt: str | None, filename: str | None = None) -> GraphInfo:
        """Parse uploaded bytes completely, then store them as graph ``name`` (see GraphStore.load_bytes)."""
        info = self.store.load_bytes(name, data, fmt, filename)
        with self._lock:
            self._sessions.pop(name, None)
        return info

    def ensure_loaded(self, paths: list[Path], name: str, fmt: str | None = None,
                      progress: ProgressCallback | None = None) -> GraphInfo:
        """Load ``paths`` as ``name`` unless the stored graph already has exactly this content."""
        if self.store.is_current(name, paths, fmt):
            return self.store.info(name)
        return self.load(paths, name, fmt=fmt, progress=progress)

    def delete(self, name: str) -> None:
        """Delete a stored graph and its examples."""
        self.store.delete(name)
        with self._lock:
            self._sessions.pop(name, None)
        examples_file = self._examples_file(name)
        for path in (examples_file, examples_file.with_suffix(".sources")):
            if path.exists():
                path.unlink()

    def model_state(self) -> dict[str, bool]:
        """Return which models this process has loaded so far: ``spacy`` and ``embedding``."""
        return {"spacy": self._nlp is not None, "embedding": self._embedder is not None}

    def prepared_graphs(self) -> list[str]:
        """Return the graphs whose linker and retriever are built for their stored version."""
        with self._lock:
            return sorted(self._sessions)

    def graph_parts(self, name: str) -> tuple[KnowledgeGraph, EntityLinker]:
        """Return the current ``KnowledgeGraph`` of ``name`` and its linker (for claim checking)."""
        session = self._session(name)
        return session.kg, session.linker

    def warm_up(self, names: list[str] | None = None) -> None:
        """Load models and build every graph's linker and retriever now instead of on first question."""
        for name in names or self.graph_names():
            self._session(name)

    # Examples

    def add_examples(self, path: Path, graph: str, *, once: bool = False) -> int:
        """Add question/answer pairs from a MetaQA or JSONL file to ``graph``; return how many were added.

        With ``once``, a file whose SHA-256 matches a file already added to
        ``graph`` adds nothing and 0 is returned, so reruns add no duplicates.
        """
        self.store.info(graph)
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest() if Path(path).is_file() else None
        sources_file = self._examples_file(graph).with_suffix(".sources")
        if once and digest and sources_file.exists() and digest in sources_file.read_text().split():
            log.info("examples from %s are already in graph %s", path, graph)
            return 0

        pairs = read_examples(Path(path))
        if not pairs:
            raise InvalidInput(f"No question/answer pairs in {path}. Each line needs a question "
                               "and its answers (MetaQA lines or JSONL with 'question' and 'answers').")
        count = self.add_example_pairs(pairs, graph)
        with sources_file.open("a", encoding="utf-8") as handle:
            handle.write(f"{digest}\n")
        log.info("added %d examples to graph %s from %s", count, graph, path)
        return count

    def add_example_pairs(self, pairs: list[ExamplePair], graph: str) -> int:
        """Add question/answer pairs to ``graph``; the example index is rebuilt on the next question."""
        self.store.info(graph)
        examples_file = self._examples_file(graph)
        examples_file.parent.mkdir(parents=True, exist_ok=True)
        with examples_file.open("a", encoding="utf-8") as handle:
            for pair in pairs:
                record = {"question": pair.question, "answers": list(pair.answers), "topic": pair.topic}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        with self._lock:
            self._sessions.pop(graph, None)
        return len(pairs)

    def _examples_file(self, graph: str) -> Path:
        return self.settings.data_path / "examples" / f"{graph}.jsonl"

    def _example_index(self, graph: str, kg: KnowledgeGraph, linker: EntityLinker) -> ExampleIndex | None:
        examples_file = self._examples_file(graph)
        if not examples_file.exists():
            return None

        raw = examples_file.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()[:16]
        folder = (self.settings.data_path / "examples" / f"{graph}.index"
                  / f"{kg.info.content_hash[:16]}-{digest}")
        if (folder / "examples.json").exists():
            return ExampleIndex.load(folder)

        records = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
        pairs = [ExamplePair(question=record["question"], answers=tuple(record["answers"]),
                             topic=record.get("topic"), line=number)
                 for number, record in enumerate(records, start=1)]
        started = time.perf_counter()
        index = ExampleIndex.build(kg, self.embedder, pairs, link=lambda q: linker.link(q).entities,
                                   settings=self.settings)
        log.info("built example index for graph %s: %d pairs in %.1f s",
                 graph, len(pairs), time.perf_counter() - started)
        shutil.rmtree(folder.parent, ignore_errors=True)
        index.save(folder)
        return index

    # Questions

    def ask(self, question: str, graph: str | None = None, top_k: int | None = None,
            topics: Sequence[str] | None = None) -> Answer:
        """Answer ``question`` from the graph ``graph``, or from every loaded graph when it is None.

        ``topics`` names the question's topic entities by label, as benchmarks
        such as MetaQA give them. They become the linked entities (method
        ``given``) in place of the entities the linker finds, while the
        linker's class mentions stay. On a 300-question MetaQA 1-hop sample,
        keeping the linker's extra entities too lowered Hits@1 from 73% to 64%.

        Raises:
            EntityNotFound: a topic label (case and accents ignored) names no
                entity of the graph, or of any graph when ``graph`` is None.
        """
        question = self._check_question(question)
        names = self._target_graphs(graph)
        topics = _checked_topics(topics)

        answers = []
        missing_topic: EntityNotFound | None = None
        for name in names:
            try:
                answers.append(self._ask_graph(question, name, top_k, topics))
            except EntityNotFound as error:
                missing_topic = error
        if not answers and missing_topic is not None:
            raise missing_topic
        best = max(answers, key=_answer_rank)
        if len(names) > 1 and best.status == "no_entity":
            # No graph knows anything the question names, so no single graph is the source.
            best.graph = None
            best.notes.append(f"Searched graphs: {', '.join(names)}.")
        return best

    def _check_question(self, question: Any) -> str:
        if not isinstance(question, str) or not question.strip():
            raise InvalidInput("The question is empty. Pass a question such as "
                               "'What is the capital of France?'.")
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise InvalidInput(
                f"The question has {len(question)} characters; the limit is {limit} "
                "(KGQA_MAX_QUESTION_CHARS). Shorten the question.",
                details={"length": len(question), "limit": limit},
            )
        return question.strip()

    def _target_graphs(self, graph: str | None) -> list[str]:
        if graph:
            self.store.info(graph)
            return [graph]
        if self.settings.default_graph:
            return [self.settings.default_graph]

        names = self.graph_names()
        if not names:
            raise GraphNotFound("No graph is loaded. Load one first: kgqa load FILE --name NAME.")
        return names

    def _ask_graph(self, question: str, graph: str, top_k: int | None, topics: list[str]) -> Answer:
        started = time.perf_counter()
        session = self._session(graph)
        # Nonzero only when this call loaded models or built the graph's indexes.
        setup_ms = (time.perf_counter() - started) * 1000

        link_started = time.perf_counter()
        link_result = session.linker.link(question)
        if topics:
            link_result = self._with_given_topics(session, link_result, topics)
        linking_ms = (time.perf_counter() - link_started) * 1000

        answerer = session.answerer
        if top_k is not None and top_k != self.settings.top_k:
            answerer = GraphAnswerer(session.kg, session.retriever, self._settings_with(top_k=top_k))
        answer = answerer.answer(
            question=question,
            normalized_question=link_result.normalized_question,
            masked_question=link_result.masked_question,
            entities=link_result.entities,
            unlinked_names=link_result.unlinked_names,
            classes=link_result.classes,
        )
        answer.graph = graph
        answer.timings_ms = {"setup": setup_ms, "linking": linking_ms, **answer.timings_ms,
                             "total": (time.perf_counter() - started) * 1000}
        return answer

    def _with_given_topics(self, session: _GraphSession, link_result: LinkResult,
                           topics: list[str]) -> LinkResult:
        """Replace the linked entities with the given topics; keep the class mentions outside them."""
        normalized = link_result.normalized_question
        given = [self._given_topic(session, normalized, topic) for topic in topics]
        classes = [mention for mention in link_result.classes
                   if not any(_overlaps(mention, topic) for topic in given)]
        return LinkResult(
            question=link_result.question,
            normalized_question=normalized,
            doc=link_result.doc,
            entities=given,
            masked_question=_masked(normalized, given),
            unlinked_names=[],
            ambiguous=[],
            classes=classes,
        )

    def _given_topic(self, session: _GraphSession, normalized: str, topic: str) -> LinkedEntity:
        """Resolve a topic label to an entity and find where the question mentions it.

        An exact spelling beats a case- or accent-insensitive match, and among
        namesakes the entity with the most edges wins; the others become
        alternatives.
        """
        with self._lock:
            if session.topic_index is None:
                session.topic_index = _topic_index(session.kg)
        found = session.topic_index.get(fold(topic), [])
        if not found:
            raise EntityNotFound(
                f"The topic {topic!r} is not a label of any entity in graph {session.kg.name!r}. "
                "Check its spelling against the graph, or leave the topic out so the linker finds it.",
                details={"topic": topic, "graph": session.kg.name},
            )

        nx_graph = session.kg.nx_graph

        def rank(pair: tuple[str, Any]) -> tuple[bool, int]:
            text, entity = pair
            degree = nx_graph.degree(entity) if entity in nx_graph else 0
            return text != topic, -degree

        entities = list(dict.fromkeys(entity for _text, entity in sorted(found, key=rank)))
        labels = session.kg.labels
        start, end = _mention_span(normalized, prepare_text(topic))
        return LinkedEntity(
            mention=normalized[start:end] if end > start else topic,
            start=start,
            end=end,
            entity=entities[0],
            label=labels.display(entities[0]),
            score=1.0,
            method="given",
            alternatives=[Candidate(entity, labels.display(entity), 1.0) for entity in entities[1:]],
        )

    def _settings_with(self, **overrides: Any) -> Settings:
        if "top_k" in overrides and (not isinstance(overrides["top_k"], int) or overrides["top_k"] < 1):
            raise InvalidInput(f"top_k must be a positive integer, got {overrides['top_k']!r}.")
        return Settings(environ={}, **{**self.settings.as_dict(), **overrides})

    def _session(self, name: str) -> _GraphSession:
        current_hash = self.store.current_hash(name)
        with self._lock:
            session = self._sessions.get(name)
            if session is not None and session.content_hash == current_hash:
                return session

            started = time.perf_counter()
            kg = self.store.open(name)
            # The linker disambiguates with the retriever's relation fit, but the example index
            # that may replace the retriever needs the linker first, so the fit is looked up late.
            retrievers = [PathRetriever(kg, self.embedder, self.settings)]
            linker = self._linker(kg, lambda entity, question: retrievers[0].relation_fit(entity, question))
            examples = self._example_index(name, kg, linker)
            if examples is not None:
                retrievers[0] = PathRetriever(kg, self.embedder, self.settings, examples=examples)
            retriever = retrievers[0]
            answerer = GraphAnswerer(kg, retriever, self.settings)

            session = _GraphSession(kg.info.content_hash, kg, linker, retriever, answerer)
            self._sessions[name] = session
            log.info("prepared graph %s (%d triples) in %.1f s",
                     name, kg.info.triples, time.perf_counter() - started)
            return session

    def _linker(self, kg: KnowledgeGraph, relation_fit: Callable[[Any, str], float]) -> EntityLinker:
        """Build the linker, with label embeddings from the derived-data cache (encoded once per graph)."""
        cache, content_hash = self.store.cache, kg.info.content_hash
        cached = None
        if cache.contains(content_hash, _LABEL_EMBEDDINGS_KEY):
            cached = cache.get_or_build(content_hash, _LABEL_EMBEDDINGS_KEY, lambda: None)

        linker = EntityLinker(kg, self.nlp, embedder=self.embedder, settings=self.settings,
                              relation_fit=relation_fit, label_embeddings=cached)
        # The linker ignores a cached matrix whose shape does not fit its labels (written by a
        # release that embedded another label list) and encodes the labels again.
        matrix = linker.label_embeddings()
        if matrix is not None and (cached is None or cached.shape != matrix.shape):
            cache.put(content_hash, _LABEL_EMBEDDINGS_KEY, matrix)
        self._prepare_namesakes(linker, content_hash)
        return linker

    def _prepare_namesakes(self, linker: EntityLinker, content_hash: str) -> None:
        """Give the linker the context vectors of every namesake, from the derived-data cache.

        Encoding them at question time cost about a quarter of the CPU time
        of a MetaQA question with an ambiguous title. Here it happens once per
        graph version: MetaQA has 6,043 namesakes, about a minute of encoding
        on two cores (``bench/answer_dump.py``).
        """
        namesakes = linker.namesakes()
        if not namesakes:
            return
        cache = self.store.cache
        matrix = None
        if cache.contains(content_hash, _CONTEXT_EMBEDDINGS_KEY):
            matrix = cache.get_or_build(content_hash, _CONTEXT_EMBEDDINGS_KEY, lambda: None)
        if matrix is None or matrix.shape[0] != len(namesakes):
            matrix = linker.disambiguator.context_vectors(namesakes)
            if matrix is None:
                return
            cache.put(content_hash, _CONTEXT_EMBEDDINGS_KEY, matrix)
        linker.disambiguator.use_context_vectors(namesakes, matrix)


def _checked_topics(topics: Sequence[str] | None) -> list[str]:
    if topics is None:
        return []
    if isinstance(topics, str) or not all(isinstance(topic, str) and topic.strip() for topic in topics):
        raise InvalidInput(f"topics must be a list of non-empty entity labels, got {topics!r}. "
                           "Pass labels such as ['Tom Hanks'].")
    return [topic.strip() for topic in topics]


def _topic_index(kg: KnowledgeGraph) -> dict[str, list[tuple[str, Any]]]:
    index: dict[str, list[tuple[str, Any]]] = {}
    for text, entity, _label in kg.labels.surface_forms():
        if not kg.labels.is_relation(entity):
            index.setdefault(fold(text), []).append((text, entity))
    return index


def _mention_span(normalized: str, topic: str) -> tuple[int, int]:
    """Return the offsets of ``topic`` in the question: inside brackets first, else as whole words.

    ``(0, 0)`` means the question does not spell the topic, so it is linked without a mention.
    """
    escaped = re.escape(topic)
    for pattern in (rf"\[\s*({escaped})\s*\]", rf"(?<!\w)({escaped})(?!\w)"):
        match = re.search(pattern, normalized, re.IGNORECASE)
        if match:
            return match.start(1), match.end(1)
    return 0, 0


def _overlaps(first: LinkedEntity, second: LinkedEntity) -> bool:
    return first.start < second.end and second.start < first.end


def _masked(normalized: str, entities: list[LinkedEntity]) -> str:
    """Replace each mention, with its brackets if it has them, by ``NE``, right to left so offsets hold."""
    text = normalized
    for linked in sorted(entities, key=lambda linked: linked.start, reverse=True):
        if linked.end <= linked.start:
            continue
        start, end = linked.start, linked.end
        if text[:start].rstrip().endswith("[") and text[end:].lstrip().startswith("]"):
            start = text.rindex("[", 0, start)
            end = text.index("]", end) + 1
        text = text[:start] + TOPIC_PLACEHOLDER + text[end:]
    return text


def _answer_rank(answer: Answer) -> tuple[int, float]:
    """Order answers from different graphs: answered first, then facts found, then confidence."""
    status_rank = {"answered": 2, "not_in_graph": 1, "no_entity": 0}.get(answer.status, 0)
    return status_rank, answer.confidence
