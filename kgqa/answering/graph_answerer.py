"""Answer questions from the graph alone: choose a relation path, collect answers and evidence.

Every answer form is computed over the whole graph: counts, intersections and
negations use the full reached sets, and only the evidence list is cut to
``settings.top_k``. The answerer never guesses. A question gets the status
``not_in_graph`` when

- its best path scores below ``MIN_PATH_SCORE``;
- no path has the expected answer type: a date for "when", a possible agent
  for "who" (``answer_types``), an instance of the class the question names
  ("Which *currency* ...") when some path reaches one;
- or every fitting path leaves one of the question's required relation
  words unexplained, unless the path scores at least ``STRONG_PATH_SCORE``
  or learned examples vouch for it. Required are the attribute nouns
  ("melting point" answered by "atomic weight") and, for a question with one
  topic, any word that names one of the graph's relations by stem ("Who
  *founded* IBM?" answered by "chief executive" when IBM has no founder).

Yes/no questions are answered in ``yes_no`` and questions about a class with
no entity ("How many countries are there?") in ``class_questions``.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections.abc import Iterable, Sequence

from rdflib import Literal, URIRef
from rdflib.term import Node

from kgqa.answering.answer_types import AgentTypes, answer_class, class_share
from kgqa.answering.assembly import (
    describe_path,
    evidence_triples,
    fill_not_in_graph,
    fill_values,
    path_confidence,
    sorted_nodes,
)
from kgqa.answering.class_questions import answer_class_question
from kgqa.answering.question import (
    AskedQuestion,
    analyze_question,
    display_language,
    is_boolean_literal,
    is_numeric_literal,
    is_temporal_literal,
    is_temporal_relation,
)
from kgqa.answering.result import Answer, LinkedEntity, RelationPath
from kgqa.answering.yes_no import YesNoAnswerer
from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.normalize import fold
from kgqa.retrieval.paths import (
    CandidatePath,
    Quad,
    StepKey,
    is_answer_relation,
    relation_adjacency,
    relation_range,
    trace_evidence,
)
from kgqa.retrieval.scoring import PathRetriever, ScoredPath
from kgqa.retrieval.verbalize import TOPIC_PLACEHOLDER
from kgqa.retrieval.words import content_stems, stems_match
from kgqa.settings import Settings

__all__ = [
    "MIN_PATH_SCORE",
    "STRONG_PATH_SCORE",
    "VOUCHING_VOTE",
    "GraphAnswerer",
    "explains_question",
    "missing_attributes",
]

log = logging.getLogger(__name__)

# Below this zero-shot score a path is a guess, and the answer is "not in the graph".
# Chosen on the acceptance cases, where fitting paths score about 0.45 or more.
MIN_PATH_SCORE = 0.25
# A path scoring at least this fits the question as a whole so well that a
# relation word it does not explain is taken as a paraphrase, not a near miss.
STRONG_PATH_SCORE = 0.8
# A share of example votes at least this large vouches for a path whatever its words.
VOUCHING_VOTE = 0.3
# Share of a path's answers that must be instances of the question's answer class.
MIN_CLASS_SHARE = 0.5
# How many top paths per entity are tried when intersecting two entities' answers.
PAIR_CANDIDATES = 5
_PREPOSITIONS = {"of", "by", "in", "at", "for", "to", "from", "with", "on", "as"}
_RELATION_STEMS_KEY = "answering.relation_stems"
_LITERAL_KINDS_KEY = "answering.literal_kinds"


@dataclasses.dataclass
class _Reading:
    """The chosen interpretation of a question: the main path, the answer set and its evidence."""

    scored: ScoredPath
    values: set[Node]
    quads: list[Quad]
    companions: list[ScoredPath] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class _Candidates:
    """One topic's ranked paths that fit the question, and the best path rejected for its words."""

    fitting: list[ScoredPath]
    near_miss: ScoredPath | None = None


class _Stopwatch:
    """Milliseconds spent in retrieval versus the rest of one ``answer`` call."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.retrieval_ms = 0.0

    def timings(self) -> dict[str, float]:
        total_ms = (time.perf_counter() - self.started) * 1000
        return {"retrieval": self.retrieval_ms, "answering": max(0.0, total_ms - self.retrieval_ms)}


class GraphAnswerer:
    """Turn linked entities and a question into an ``Answer`` using only the graph."""

    def __init__(self, kg: KnowledgeGraph, retriever: PathRetriever, settings: Settings) -> None:
        self.kg = kg
        self.retriever = retriever
        self.settings = settings
        self.agents = AgentTypes(kg, retriever.embedder)
        self.yes_no = YesNoAnswerer(kg, retriever, settings, MIN_PATH_SCORE, explains_question)

    def answer(self, question: str, normalized_question: str, masked_question: str,
               entities: list[LinkedEntity], unlinked_names: Sequence[str] = (),
               classes: Sequence[LinkedEntity] = ()) -> Answer:
        """Answer ``question`` from the graph.

        ``masked_question`` is ``normalized_question`` with each linked entity
        mention replaced by ``NE``. ``classes`` are class mentions ("which
        *currency*"), left unmasked: they constrain the answer type and are
        never topics. A class that arrives among ``entities`` is moved to the
        class mentions and unmasked. ``unlinked_names`` are names the linker
        found but could not match to the graph; they are named when nothing is
        linked.
        """
        watch = _Stopwatch()
        entities, classes, masked_question = self._separate_classes(entities, classes,
                                                                    masked_question)
        asked = AskedQuestion(masked=masked_question, analysis=analyze_question(masked_question),
                              classes=tuple(classes), lang=display_language(normalized_question))
        answer = Answer(question=question, normalized_question=normalized_question,
                        graph=self.kg.name, linked_entities=list(entities), classes=list(classes))
        # NOTE: a question word that is also an entity label (MetaQA tags such as
        # "film" or "actors") becomes a second topic, so the answerer intersects
        # two entities' values. With MetaQA's brackets removed, 95% or more of the
        # wrong answers have such an extra topic (docs/benchmarks.md).
        topics = _distinct_topics(entities)
        # With two topics each path explains only its own part of the question,
        # so only a single topic's path must explain the words the graph names.
        if len(topics) == 1:
            asked = dataclasses.replace(asked, graph_words=self._graph_words(asked))

        if not topics:
            self._answer_without_entity(answer, asked, unlinked_names, watch)
        elif asked.analysis.form == "yes_no":
            started = time.perf_counter()
            self.yes_no.answer(answer, topics, asked)
            watch.retrieval_ms += (time.perf_counter() - started) * 1000
        else:
            self._answer_from_paths(answer, topics, asked, watch)

        self._label_paths(answer, asked.lang)
        answer.timings_ms = watch.timings()
        log.debug("answered %r: status %s, kind %s, %d answers", question, answer.status,
                  answer.kind, len(answer.answers))
        return answer

    def _graph_words(self, asked: AskedQuestion) -> frozenset[str]:
        """Return the question's relation words that a relation of the graph names by stem.

        "Who founded IBM?" in a graph with a founder relation requests that
        relation. When IBM has no founder edge, the chief executive path that
        whole-question similarity ranks first is a near miss, not an answer.
        Only relations whose values can be of the expected answer type count:
        "start date" does not make "started" a required word of a "who" question.
        """
        relation_stems = self._relation_stems(asked.analysis.answer_type)
        return frozenset(word for word in asked.relation_words
                         if any(stems_match(word_stem, label_stem)
                                for word_stem in content_stems(word) for label_stem in relation_stems))

    def _relation_stems(self, answer_type: str) -> frozenset[str]:
        """Return the label stems of the graph's relations whose values may be of ``answer_type``."""
        key = f"{_RELATION_STEMS_KEY}:{answer_type}"
        cached = self.kg.cache.get(key)
        if cached is None:
            cached = frozenset().union(*(content_stems(label)
                                         for predicate in self.kg.labels.relations()
                                         if is_answer_relation(predicate)
                                         and self._may_answer(predicate, answer_type)
                                         for label in self.kg.labels.relation_labels(predicate)))
            self.kg.cache[key] = cached
        return cached

    def _may_answer(self, predicate: URIRef, answer_type: str) -> bool:
        """Return whether the values of ``predicate`` may be of ``answer_type`` (``_fits_answer_type``)."""
        if answer_type not in ("time", "place", "person", "entity"):
            return True
        values = relation_range(self.kg, (predicate, False))
        if answer_type == "time":
            return is_temporal_relation(self.kg.labels.relation_label(predicate)) \
                or any(is_temporal_literal(node) for node in values)
        return not all(_is_scalar(node) for node in values)

    def _label_paths(self, answer: Answer, lang: str | None) -> None:
        """Render the chosen and runner-up paths alike: "Dora Lind: cast member of -> director"."""
        for path in [answer.path, *answer.alternative_paths]:
            if path is None or path.source is None:
                continue
            path.verbalization = describe_path(self.kg, path, lang)
            path.source_label = self.kg.labels.display(path.source, lang)

    def _separate_classes(self, entities: list[LinkedEntity], classes: Sequence[LinkedEntity],
                          masked_question: str
                          ) -> tuple[list[LinkedEntity], list[LinkedEntity], str]:
        """Move class terms linked as entities to the class mentions and unmask their text."""
        ordered = sorted(entities, key=lambda entity: entity.start)
        as_class = [self.kg.classes.is_class(entity.entity) for entity in ordered]
        if not any(as_class):
            return list(entities), list(classes), masked_question

        placeholders = list(re.finditer(rf"\b{TOPIC_PLACEHOLDER}\b", masked_question))
        if len(placeholders) == len(ordered):
            pieces, position = [], 0
            for match, entity, is_class in zip(placeholders, ordered, as_class, strict=True):
                pieces.append(masked_question[position:match.start()])
                pieces.append(entity.mention if is_class else TOPIC_PLACEHOLDER)
                position = match.end()
            masked_question = "".join(pieces) + masked_question[position:]

        moved = [entity for entity, is_class in zip(ordered, as_class, strict=True) if is_class]
        remaining = [entity for entity, is_class in zip(ordered, as_class, strict=True)
                     if not is_class]
        merged = sorted([*classes, *moved], key=lambda mention: mention.start)
        return remaining, merged, masked_question

    # Questions with linked entities: lists, literals, counts.

    def _answer_from_paths(self, answer: Answer, topics: list[LinkedEntity], asked: AskedQuestion,
                           watch: _Stopwatch) -> None:
        started = time.perf_counter()
        candidates = {topic.entity: self._candidates(topic.entity, asked) for topic in topics}
        ranked = {entity: found.fitting for entity, found in candidates.items()}
        watch.retrieval_ms += (time.perf_counter() - started) * 1000

        reading = self._intersect(topics, ranked) if len(topics) > 1 else None
        if reading is None:
            reading = self._best_single(topics, ranked)
        if reading is None or not _is_confident(reading.scored, asked):
            near_misses = [found.near_miss for found in candidates.values() if found.near_miss]
            self._not_in_graph(answer, topics, asked, reading, near_misses)
            return

        if asked.analysis.widened:
            self._widen(reading, ranked[reading.scored.path.source])
        if asked.analysis.negated:
            self._negate(reading)
        self._fill_answer(answer, asked, reading, ranked, topics)

    def _candidates(self, entity: Node, asked: AskedQuestion) -> _Candidates:
        """Rank the paths from ``entity`` and keep those of the expected type that explain the question.

        The answer-class constraint applies only when some path meets it, so a
        class mention that names a node on the way costs nothing.
        """
        ranked = [scored for scored in self.retriever.rank(entity, asked.masked, asked.class_words)
                  if self._fits_answer_type(scored.path, asked)]
        mention = answer_class(asked.classes, asked.masked, asked.analysis.answer_type) \
            if asked.analysis.form != "yes_no" else None
        if mention is not None:
            typed = [scored for scored in ranked
                     if class_share(self.kg, scored.path.reached, mention.entity)
                     >= MIN_CLASS_SHARE]
            ranked = typed or ranked

        fitting = [scored for scored in ranked if explains_question(scored, asked)]
        near_miss = next((scored for scored in ranked if not explains_question(scored, asked)),
                         None)
        return _Candidates(fitting=fitting, near_miss=near_miss)

    def _fits_answer_type(self, path: CandidatePath, asked: AskedQuestion) -> bool:
        """Return whether the path's answers can be of the type the question asks for.

        "When" needs a date or year: a temporal literal, or a forward step whose
        relation names a time ("release year"). "Who", "where" and "which X"
        exclude paths that only reach numbers, dates or booleans, and "who"
        also excludes answers that are all typed as something other than an agent.
        """
        expected = asked.analysis.answer_type
        last = path.steps[-1]
        temporal, scalar = self._literal_kinds()
        if expected == "time":
            return (not last.inverse and is_temporal_relation(last.label)) \
                or not path.reached.isdisjoint(temporal)
        if expected in ("place", "person", "entity") and path.reached <= scalar:
            return False
        return not (expected == "person" and self.agents.none_are_agents(path.reached))

    def _literal_kinds(self) -> tuple[frozenset[Node], frozenset[Node]]:
        """Return the graph's temporal literals and its scalar literals (numbers, dates, booleans).

        Paths from hub entities reach thousands of nodes, and testing each node
        for every path of every question was a visible part of a MetaQA
        question's profile, so set operations on these two sets replace the loops.
        """
        cached = self.kg.cache.get(_LITERAL_KINDS_KEY)
        if cached is None:
            literals = [node for node in self.kg.nx_graph.nodes if isinstance(node, Literal)]
            cached = (frozenset(node for node in literals if is_temporal_literal(node)),
                      frozenset(node for node in literals if _is_scalar(node)))
            self.kg.cache[_LITERAL_KINDS_KEY] = cached
        return cached

    def _best_single(self, topics: list[LinkedEntity],
                     ranked: dict[Node, list[ScoredPath]]) -> _Reading | None:
        """Return the best path of any topic, weighting path scores by linking scores."""
        best: tuple[float, ScoredPath] | None = None
        for topic in topics:
            candidates = ranked[topic.entity]
            if candidates and (best is None or candidates[0].score * topic.score > best[0]):
                best = (candidates[0].score * topic.score, candidates[0])
        if best is None:
            return None
        scored = best[1]
        return _Reading(scored=scored, values=set(scored.path.reached), quads=[])

    def _intersect(self, topics: list[LinkedEntity],
                   ranked: dict[Node, list[ScoredPath]]) -> _Reading | None:
        """Return the best pair of paths from the first two topics whose answers overlap.

        "Which films feature both Ana Ruiz and Ben Ito?" is the intersection of
        Ana Ruiz's films and Ben Ito's films. Pairs are scored by the sum of
        their path scores.
        """
        first, second = ranked[topics[0].entity], ranked[topics[1].entity]
        best: tuple[float, ScoredPath, ScoredPath, set[Node]] | None = None
        for left in first[:PAIR_CANDIDATES]:
            for right in second[:PAIR_CANDIDATES]:
                shared = set(left.path.reached & right.path.reached)
                pair_score = left.score + right.score
                if shared and (best is None or pair_score > best[0]):
                    best = (pair_score, left, right, shared)
        if best is None:
            return None
        _, left, right, shared = best
        return _Reading(scored=left, values=shared, quads=[], companions=[right])

    def _widen(self, reading: _Reading, ranked: list[ScoredPath]) -> None:
        """Add the answers of sibling relations with the last step's head noun ("former member")."""
        main = reading.scored.path
        head = _head_noun(main.steps[-1].label)
        for scored in ranked:
            path = scored.path
            if path.keys == main.keys or path.keys[:-1] != main.keys[:-1]:
                continue
            if path.steps[-1].inverse == main.steps[-1].inverse \
                    and _head_noun(path.steps[-1].label) == head:
                reading.values |= path.reached
                reading.companions.append(scored)

    def _negate(self, reading: _Reading) -> None:
        """Replace the answers with the rest of the last step's range ("films NE was not in")."""
        last_key = reading.scored.path.keys[-1]
        universe = relation_range(self.kg, last_key)
        excluded = set(reading.values)
        reading.values = {node for node in universe if node not in excluded}
        reading.quads = self._range_evidence(last_key, sorted_nodes(self.kg, reading.values))

    # Questions without a linked entity.

    def _answer_without_entity(self, answer: Answer, asked: AskedQuestion,
                               unlinked_names: Sequence[str], watch: _Stopwatch) -> None:
        """Answer from a class mention, or from a relation named in full ("Which restaurants serve meat?").

        Without either, or when the linker found names not in the graph, the
        status is ``no_entity``.
        """
        started = time.perf_counter()
        # Without a topic the question ranges over a class even when the class
        # is not the answers' type ("the capital of the country with ...").
        mention = None if unlinked_names \
            else answer_class(asked.classes, asked.masked) or next(iter(asked.classes), None)
        if mention is not None and asked.analysis.form != "yes_no":
            answer_class_question(self.kg, self.retriever.embedder, answer, asked.analysis,
                                  mention, asked.classes, asked.masked, asked.lang,
                                  self.settings.top_k)
            watch.retrieval_ms += (time.perf_counter() - started) * 1000
            return

        predicate = None if unlinked_names else self._relation_named_in(asked.masked)
        watch.retrieval_ms += (time.perf_counter() - started) * 1000
        if predicate is None or asked.analysis.form == "yes_no":
            _no_entity(answer, unlinked_names)
            return
        self._answer_from_relation(answer, asked, predicate)

    def _answer_from_relation(self, answer: Answer, asked: AskedQuestion,
                              predicate: URIRef) -> None:
        analysis, lang = asked.analysis, asked.lang
        subjects = relation_range(self.kg, (predicate, True))
        positive = {subject for subject in subjects if self._has_positive_value(subject, predicate)}
        values = subjects - positive if analysis.negated else positive
        nodes = sorted_nodes(self.kg, values, lang)
        quads = self._range_evidence((predicate, True), nodes)
        label = self.kg.labels.relation_label(predicate)
        if not values:
            answer.status, answer.kind = "not_in_graph", "none"
            answer.text = (f"The graph has no fact that answers this question: no subject of "
                           f"'{label}' fits.")
            return

        answer.status = "answered"
        answer.evidence = evidence_triples(self.kg, quads, lang, self.settings.top_k)
        answer.confidence = 0.6
        answer.notes.append(f"No entity was linked; answered from the relation '{label}'"
                            + (" with the negation applied." if analysis.negated else "."))
        fill_values(self.kg, answer, analysis.form, nodes, lang,
                    f"relation '{label}'" + (", negated" if analysis.negated else ""))

    def _relation_named_in(self, masked_question: str) -> URIRef | None:
        """Return the relation whose label words all occur in the question, longest label first."""
        question_stems = content_stems(masked_question)
        best: tuple[int, str, URIRef] | None = None
        for predicate in self.kg.labels.relations():
            if not is_answer_relation(predicate):
                continue
            label_stems = content_stems(self.kg.labels.relation_label(predicate))
            if label_stems and label_stems <= question_stems:
                rank = (len(label_stems), str(predicate), predicate)
                if best is None or rank[:2] > best[:2]:
                    best = rank
        return best[2] if best else None

    def _has_positive_value(self, subject: Node, predicate: URIRef) -> bool:
        """Return whether ``subject`` has ``predicate`` with a value other than boolean false."""
        values = self._neighbours(subject, (predicate, False))
        booleans = [value for value in values if is_boolean_literal(value)]
        if booleans:
            return any(value.toPython() is True for value in booleans)
        return bool(values)

    def _neighbours(self, node: Node, key: StepKey) -> set[Node]:
        return relation_adjacency(self.kg).neighbours(node).get(key, set())

    # Building the answer.

    def _fill_answer(self, answer: Answer, asked: AskedQuestion, reading: _Reading,
                     ranked: dict[Node, list[ScoredPath]], topics: list[LinkedEntity]) -> None:
        path, lang = reading.scored.path, asked.lang
        nodes = sorted_nodes(self.kg, reading.values, lang)
        if not reading.quads:
            reading.quads = self._reading_evidence(reading, nodes)

        answer.status = "answered"
        answer.path = reading.scored.to_relation_path()
        answer.path.verbalization = describe_path(self.kg, path, lang)
        answer.alternative_paths = self._alternatives(reading, ranked)
        answer.evidence = evidence_triples(self.kg, reading.quads, lang, self.settings.top_k)
        answer.confidence = path_confidence(reading.scored, ranked[path.source], topics)
        description = describe_path(self.kg, path, lang)
        if reading.companions:
            description += "; " + "; ".join(describe_path(self.kg, companion.path, lang)
                                            for companion in reading.companions)
        if asked.analysis.negated:
            answer.notes.append("The question is negated: the answers are the values of the "
                                "last relation that the path does not reach.")
        fill_values(self.kg, answer, asked.analysis.form, nodes, lang, description)

    def _not_in_graph(self, answer: Answer, topics: list[LinkedEntity], asked: AskedQuestion,
                      reading: _Reading | None, near_misses: list[ScoredPath]) -> None:
        best_miss = max(near_misses, key=lambda scored: scored.score, default=None)
        missing = missing_attributes(best_miss, asked) \
            if best_miss is not None and reading is None else ()
        fill_not_in_graph(self.kg, answer, topics, asked.lang, missing)
        if reading is not None:
            answer.alternative_paths = [reading.scored.to_relation_path()]
            answer.notes.append(f"The best path scored {reading.scored.score:.2f}, "
                                f"below the threshold {MIN_PATH_SCORE}.")
        elif best_miss is not None:
            answer.alternative_paths = [best_miss.to_relation_path()]
            closest = describe_path(self.kg, best_miss.path, asked.lang)
            answer.notes.append(f"The closest path, {closest}, does not explain "
                                f"'{' '.join(missing_attributes(best_miss, asked))}'.")

    def _alternatives(self, reading: _Reading,
                      ranked: dict[Node, list[ScoredPath]]) -> list[RelationPath]:
        chosen = {reading.scored.path.keys}
        chosen |= {companion.path.keys for companion in reading.companions}
        runners_up = [scored for scored in ranked[reading.scored.path.source]
                      if scored.path.keys not in chosen][:3]
        return [scored.to_relation_path() for scored in [*reading.companions, *runners_up]]

    # Evidence.

    def _reading_evidence(self, reading: _Reading, nodes: list[Node]) -> list[Quad]:
        limit = self.settings.top_k
        quads = trace_evidence(self.kg, reading.scored.path.source, reading.scored.path.keys, nodes,
                               limit)
        for companion in reading.companions:
            targets = [node for node in nodes if node in companion.path.reached]
            quads += [quad for quad in trace_evidence(self.kg, companion.path.source,
                                                      companion.path.keys, targets, limit)
                      if quad not in quads]
        return quads[:limit]

    def _range_evidence(self, key: StepKey, nodes: Iterable[Node]) -> list[Quad]:
        """Return the triples that put each of ``nodes`` in the range of step ``key``."""
        predicate, inverse = key
        quads: list[Quad] = []
        for node in nodes:
            if len(quads) >= self.settings.top_k:
                break
            edges = self.kg.nx_graph.out_edges(node, keys=True) if inverse else \
                self.kg.nx_graph.in_edges(node, keys=True)
            for subject, obj, (edge_predicate, graph) in edges:
                if edge_predicate == predicate:
                    quads.append((subject, predicate, obj, graph))
        return quads[: self.settings.top_k]


def explains_question(scored: ScoredPath, asked: AskedQuestion) -> bool:
    """Return whether a path may answer the question despite the relation words it leaves out.

    It may when it explains every word of ``asked.required_words``, when it
    scores at least ``STRONG_PATH_SCORE``, or when example votes vouch for it.
    """
    # NOTE: a step that explains no question word only lowers a path's score
    # (UNASKED_STEP_PENALTY), so "What is the capital of Macau?" can still be
    # answered through a bordering country. Rejecting such paths outright also
    # rejected correct paths whose verb no single word explains ("run by" for chief executive).
    return not missing_attributes(scored, asked) or scored.score >= STRONG_PATH_SCORE \
        or scored.vote >= VOUCHING_VOTE


def missing_attributes(scored: ScoredPath, asked: AskedQuestion) -> tuple[str, ...]:
    """Return the attribute words of the question that the path leaves unexplained."""
    return tuple(word for word in scored.unexplained if word in asked.required_words)


def _distinct_topics(entities: list[LinkedEntity]) -> list[LinkedEntity]:
    """Return one linked entity per node (its best-scoring mention), in question order."""
    best: dict[Node, LinkedEntity] = {}
    for entity in entities:
        if entity.entity not in best or entity.score > best[entity.entity].score:
            best[entity.entity] = entity
    return sorted(best.values(), key=lambda entity: entity.start)


def _is_scalar(node: Node) -> bool:
    return is_numeric_literal(node) or is_temporal_literal(node) or is_boolean_literal(node)


def _is_confident(scored: ScoredPath, asked: AskedQuestion) -> bool:
    # NOTE: for Chinese, Japanese and Korean questions the similarity term is
    # left out (the embedding model is English-only), so scores sit near zero
    # and the threshold would reject every path. Those questions rely on the
    # answer-type filter and the hop prior alone, which is weak when an entity
    # has several relations of the same answer type.
    return asked.analysis.cjk or scored.score >= MIN_PATH_SCORE


def _head_noun(label: str) -> str:
    """Return the stem of the last word of a relation label that is not a preposition."""
    words = [word for word in re.findall(r"[^\W_]+", fold(label)) if word not in _PREPOSITIONS]
    stems = content_stems(words[-1]) if words else set()
    return next(iter(stems), "")


def _no_entity(answer: Answer, unlinked_names: Sequence[str]) -> None:
    answer.status, answer.kind, answer.answers = "no_entity", "none", []
    answer.text = "No entity of the graph was found in the question."
    if unlinked_names:
        names = ", ".join(f"'{name}'" for name in unlinked_names)
        answer.text += f" The graph has nothing named {names}, so it cannot answer this question."
