"""Answer questions from the graph alone: choose a relation path, collect answers and evidence.

Every answer form is computed over the whole graph: counts, intersections and
negations use the full reached sets, and only the evidence list is cut to
``settings.top_k``. The answerer never guesses. A question whose best path
scores below ``MIN_PATH_SCORE``, or that no path of the expected answer type
fits, gets the status ``not_in_graph``.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections.abc import Iterable, Sequence

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kgqa.answering.question import (
    QuestionAnalysis,
    analyze_question,
    display_language,
    is_boolean_literal,
    is_numeric_literal,
    is_temporal_literal,
    is_temporal_relation,
)
from kgqa.answering.result import Answer, AnswerItem, EvidenceTriple, LinkedEntity, RelationPath
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
from kgqa.retrieval.scoring import PathRetriever, ScoredPath, content_stems
from kgqa.retrieval.verbalize import step_phrase
from kgqa.settings import Settings

__all__ = ["MIN_PATH_SCORE", "GraphAnswerer"]

log = logging.getLogger(__name__)

# Below this zero-shot score a path is a guess, and the answer is "not in the graph".
# Chosen on the acceptance cases, where fitting paths score about 0.45 or more.
MIN_PATH_SCORE = 0.25
# How many top paths per entity are tried when intersecting two entities' answers.
PAIR_CANDIDATES = 5
# Answers named in ``Answer.text``; the rest are counted ("and 12 more").
TEXT_LABELS = 10
_PREPOSITIONS = {"of", "by", "in", "at", "for", "to", "from", "with", "on", "as"}



@dataclasses.dataclass
class _Reading:
    """The chosen interpretation of a question: the main path, the answer set and its evidence."""

    scored: ScoredPath
    values: set[Node]
    quads: list[Quad]
    companions: list[ScoredPath] = dataclasses.field(default_factory=list)


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

    def answer(self, question: str, normalized_question: str, masked_question: str,
               entities: list[LinkedEntity], unlinked_names: Sequence[str] = (),
               classes: Sequence[LinkedEntity] = ()) -> Answer:
        """Answer ``question`` from the graph.

        ``masked_question`` is ``normalized_question`` with each linked mention
        replaced by ``NE``. ``unlinked_names`` are names the linker found but
        could not match to the graph; they are named when nothing is linked.
        """
        watch = _Stopwatch()
        analysis = analyze_question(masked_question)
        lang = display_language(normalized_question)
        answer = Answer(question=question, normalized_question=normalized_question,
                        graph=self.kg.name, linked_entities=list(entities))
        topics = _distinct_topics(entities)

        if not topics:
            self._answer_without_entity(answer, analysis, masked_question, unlinked_names, lang,
                                        watch)
        elif analysis.form == "yes_no":
            self._answer_yes_no(answer, topics, masked_question, lang, watch)
        else:
            self._answer_from_paths(answer, analysis, topics, masked_question, lang, watch)

        answer.timings_ms = watch.timings()
        log.debug("answered %r: status %s, kind %s, %d answers", question, answer.status,
                  answer.kind, len(answer.answers))
        return answer

    # Questions with linked entities: lists, literals, counts.

    def _answer_from_paths(self, answer: Answer, analysis: QuestionAnalysis,
                           topics: list[LinkedEntity], masked_question: str, lang: str | None,
                           watch: _Stopwatch) -> None:
        started = time.perf_counter()
        ranked = {
            topic.entity: [scored for scored in self.retriever.rank(topic.entity, masked_question)
                           if _fits_answer_type(scored.path, analysis)]
            for topic in topics
        }
        watch.retrieval_ms += (time.perf_counter() - started) * 1000

        reading = self._intersect(topics, ranked) if len(topics) > 1 else None
        if reading is None:
            reading = self._best_single(topics, ranked)
        if reading is None or not _is_confident(reading.scored, analysis):
            self._not_in_graph(answer, topics, lang, reading)
            return

        if analysis.widened:
            self._widen(reading, ranked[reading.scored.path.source])
        if analysis.negated:
            self._negate(reading)
        self._fill_answer(answer, analysis, reading, ranked, topics, lang)

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
        reading.quads = self._range_evidence(last_key, _sorted_nodes(self.kg, reading.values))

    # Yes/no questions.

    def _answer_yes_no(self, answer: Answer, topics: list[LinkedEntity], masked_question: str,
                       lang: str | None, watch: _Stopwatch) -> None:
        started = time.perf_counter()
        if len(topics) > 1:
            self._yes_no_between(answer, topics, masked_question, lang)
        else:
            self._yes_no_value(answer, topics[0], masked_question, lang)
        watch.retrieval_ms += (time.perf_counter() - started) * 1000

    def _yes_no_between(self, answer: Answer, topics: list[LinkedEntity], masked_question: str,
                        lang: str | None) -> None:
        """Answer "Is A a member of B?" with the best-fitting relation from either side.

        Yes when that relation links A and B. Otherwise No, citing whatever
        other relation links them, because the graph states the asked relation
        for its source and the other entity is not among its values.
        """
        first, second = topics[0], topics[1]
        candidates = (self.retriever.rank(first.entity, masked_question)
                      + self.retriever.rank(second.entity, masked_question))
        candidates.sort(key=lambda scored: -scored.score)
        if not candidates or candidates[0].score < MIN_PATH_SCORE:
            self._not_in_graph(answer, topics, lang, None)
            return

        asked = candidates[0]
        other = second.entity if asked.path.source == first.entity else first.entity
        if other in asked.path.reached:
            quads = trace_evidence(self.kg, asked.path.source, asked.path.keys, [other],
                                   self.settings.top_k)
            self._fill_yes_no(answer, True, asked, quads, candidates, topics, lang)
            return

        linking = [scored for scored in candidates
                   if (scored.path.source == first.entity and second.entity in scored.path.reached)
                   or (scored.path.source == second.entity and first.entity in scored.path.reached)]
        evidence_path = linking[0] if linking else asked
        targets = [other] if linking else _sorted_nodes(self.kg, asked.path.reached)
        quads = trace_evidence(self.kg, evidence_path.path.source, evidence_path.path.keys, targets,
                               self.settings.top_k)
        self._fill_yes_no(answer, False, asked, quads, candidates, topics, lang)

    def _yes_no_value(self, answer: Answer, topic: LinkedEntity, masked_question: str,
                      lang: str | None) -> None:
        """Answer "Does NE play jazz?" with one linked entity.

        Yes when a reached value is named in the question ("play folk"), or
        when the best relation covers every content word of the question ("Does
        NE have members?"). Otherwise No, citing the values of the best
        relation with literal values: a named value that the linker did not
        link is not an entity of the graph, so the asked relation must take
        literals. Without such a relation the answer is "not in the graph".
        """
        candidates = self.retriever.rank(topic.entity, masked_question)
        question_text = fold(masked_question)
        named = [(scored, self._named_values(scored.path, question_text)) for scored in candidates]
        named = [(scored, values) for scored, values in named if values]
        if named:
            scored, values = named[0]
            quads = trace_evidence(self.kg, topic.entity, scored.path.keys,
                                   _sorted_nodes(self.kg, values), self.settings.top_k)
            self._fill_yes_no(answer, True, scored, quads, candidates, [topic], lang)
            return

        if candidates and candidates[0].score >= MIN_PATH_SCORE \
                and _covers_question(candidates[0].path, masked_question):
            asked = candidates[0]
            quads = trace_evidence(self.kg, topic.entity, asked.path.keys,
                                   _sorted_nodes(self.kg, asked.path.reached), self.settings.top_k)
            self._fill_yes_no(answer, True, asked, quads, candidates, [topic], lang)
            return

        literal_valued = [scored for scored in candidates
                          if any(isinstance(node, Literal) for node in scored.path.reached)]
        if not literal_valued or literal_valued[0].score < MIN_PATH_SCORE:
            self._not_in_graph(answer, [topic], lang, None)
            return
        asked = literal_valued[0]
        quads = trace_evidence(self.kg, topic.entity, asked.path.keys,
                               _sorted_nodes(self.kg, asked.path.reached), self.settings.top_k)
        self._fill_yes_no(answer, False, asked, quads, candidates, [topic], lang)

    def _named_values(self, path: CandidatePath, question_text: str) -> set[Node]:
        """Return the reached nodes whose label occurs as whole words in the (folded) question."""
        named = set()
        for node in path.reached:
            labels = [self.kg.labels.display(node)] if isinstance(node, Literal) else \
                [label.text for label in self.kg.labels.labels(node)]
            for label in labels:
                key = fold(label)
                if len(key) >= 3 and re.search(rf"(?<!\w){re.escape(key)}(?!\w)", question_text):
                    named.add(node)
                    break
        return named

    # Questions without a linked entity.

    def _answer_without_entity(self, answer: Answer, analysis: QuestionAnalysis,
                               masked_question: str, unlinked_names: Sequence[str],
                               lang: str | None, watch: _Stopwatch) -> None:
        """Answer "Which restaurants (do not) serve meat?" from a relation named in full.

        Without such a relation, or when the linker found names not in the graph,
        the status is ``no_entity``.
        """
        started = time.perf_counter()
        predicate = None if unlinked_names else self._relation_named_in(masked_question)
        watch.retrieval_ms += (time.perf_counter() - started) * 1000
        if predicate is None or analysis.form == "yes_no":
            _no_entity(answer, unlinked_names)
            return

        subjects = relation_range(self.kg, (predicate, True))
        positive = {subject for subject in subjects if self._has_positive_value(subject, predicate)}
        values = subjects - positive if analysis.negated else positive
        nodes = _sorted_nodes(self.kg, values, lang)
        quads = self._range_evidence((predicate, True), nodes)
        if not values:
            answer.status, answer.kind = "not_in_graph", "none"
            answer.text = (f"The graph has no fact that answers this question: no subject of "
                           f"'{self.kg.labels.relation_label(predicate)}' fits.")
            return

        answer.status = "answered"
        answer.evidence = self._evidence(quads, lang)
        answer.confidence = 0.6
        label = self.kg.labels.relation_label(predicate)
        answer.notes.append(f"No entity was linked; answered from the relation '{label}'"
                            + (" with the negation applied." if analysis.negated else "."))
        self._fill_values(answer, analysis, nodes, lang, f"relation '{label}'"
                          + (", negated" if analysis.negated else ""))

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

    def _fill_answer(self, answer: Answer, analysis: QuestionAnalysis, reading: _Reading,
                     ranked: dict[Node, list[ScoredPath]], topics: list[LinkedEntity],
                     lang: str | None) -> None:
        path = reading.scored.path
        nodes = _sorted_nodes(self.kg, reading.values, lang)
        if not reading.quads:
            reading.quads = self._reading_evidence(reading, nodes)

        answer.status = "answered"
        answer.path = reading.scored.to_relation_path()
        answer.path.verbalization = self._describe_path(path, lang)
        answer.alternative_paths = self._alternatives(reading, ranked)
        answer.evidence = self._evidence(reading.quads, lang)
        answer.confidence = _confidence(reading.scored, ranked[path.source], topics)
        description = self._describe_path(path, lang)
        if reading.companions:
            description += "; " + "; ".join(self._describe_path(companion.path, lang)
                                            for companion in reading.companions)
        if analysis.negated:
            answer.notes.append("The question is negated: the answers are the values of the "
                                "last relation that the path does not reach.")
        self._fill_values(answer, analysis, nodes, lang, description)

    def _fill_values(self, answer: Answer, analysis: QuestionAnalysis, nodes: list[Node],
                     lang: str | None, description: str) -> None:
        """Set ``kind``, ``answers`` and ``text`` from the answer nodes."""
        items = [AnswerItem(node, self.kg.labels.display(node, lang)) for node in nodes]
        single_number = len(nodes) == 1 and is_numeric_literal(nodes[0])
        if analysis.form == "count" and not single_number:
            count = len(nodes)
            answer.kind = "count"
            answer.answers = [AnswerItem(Literal(count, datatype=XSD.integer), str(count))]
            answer.text = f"{count} ({description}: {_join_labels(items)})."
            return

        answer.kind = "literal" if all(isinstance(node, Literal) for node in nodes) else "entities"
        answer.answers = items
        answer.text = f"{_join_labels(items)} ({description})."

    def _fill_yes_no(self, answer: Answer, verdict: bool, asked: ScoredPath, quads: list[Quad],
                     candidates: list[ScoredPath], topics: list[LinkedEntity],
                     lang: str | None) -> None:
        answer.status = "answered"
        answer.kind = "yes_no"
        answer.answers = [AnswerItem(Literal(verdict), "yes" if verdict else "no")]
        answer.path = asked.to_relation_path()
        answer.path.verbalization = self._describe_path(asked.path, lang)
        answer.alternative_paths = [scored.to_relation_path() for scored in candidates[1:4]]
        answer.evidence = self._evidence(quads, lang)
        answer.confidence = _confidence(asked, candidates, topics)
        facts = "; ".join(triple.verbalize() for triple in answer.evidence[:3])
        if verdict:
            answer.text = f"Yes. The graph states: {facts}."
        else:
            answer.text = f"No. The graph states: {facts}." if facts else "No."

    def _not_in_graph(self, answer: Answer, topics: list[LinkedEntity], lang: str | None,
                      reading: _Reading | None) -> None:
        names = ", ".join(self.kg.labels.display(topic.entity, lang) for topic in topics)
        answer.status, answer.kind, answer.answers = "not_in_graph", "none", []
        answer.text = f"The graph has no fact that answers this question about {names}."
        if reading is not None:
            answer.alternative_paths = [reading.scored.to_relation_path()]
            answer.notes.append(f"The best path scored {reading.scored.score:.2f}, "
                                f"below the threshold {MIN_PATH_SCORE}.")

    def _alternatives(self, reading: _Reading,
                      ranked: dict[Node, list[ScoredPath]]) -> list[RelationPath]:
        chosen = {reading.scored.path.keys}
        chosen |= {companion.path.keys for companion in reading.companions}
        runners_up = [scored for scored in ranked[reading.scored.path.source]
                      if scored.path.keys not in chosen][:3]
        return [scored.to_relation_path() for scored in [*reading.companions, *runners_up]]

    def _describe_path(self, path: CandidatePath, lang: str | None) -> str:
        """Return "Dora Lind: has cast member -> director" with the topic's display label."""
        phrases = " -> ".join(step_phrase(step) for step in path.steps)
        return f"{self.kg.labels.display(path.source, lang)}: {phrases}"

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

    def _evidence(self, quads: Iterable[Quad], lang: str | None) -> list[EvidenceTriple]:
        labels = self.kg.labels
        return [
            EvidenceTriple(subject=subject, predicate=predicate, object=obj, graph=graph,
                           subject_label=labels.display(subject, lang),
                           predicate_label=labels.relation_label(predicate),
                           object_label=labels.display(obj, lang))
            for subject, predicate, obj, graph in list(quads)[: self.settings.top_k]
        ]



def _distinct_topics(entities: list[LinkedEntity]) -> list[LinkedEntity]:
    """Return one linked entity per node (its best-scoring mention), in question order."""
    best: dict[Node, LinkedEntity] = {}
    for entity in entities:
        if entity.entity not in best or entity.score > best[entity.entity].score:
            best[entity.entity] = entity
    return sorted(best.values(), key=lambda entity: entity.start)


def _is_scalar(node: Node) -> bool:
    return is_numeric_literal(node) or is_temporal_literal(node) or is_boolean_literal(node)


def _fits_answer_type(path: CandidatePath, analysis: QuestionAnalysis) -> bool:
    """Return whether the path's answers can be of the type the question asks for.

    "When" needs a date or year: a temporal literal, or a forward step whose
    relation names a time ("release year"). "Who", "where" and "which X"
    exclude paths that only reach numbers, dates or booleans.
    """
    expected = analysis.answer_type
    last = path.steps[-1]
    if expected == "time":
        return (not last.inverse and is_temporal_relation(last.label)) \
            or any(is_temporal_literal(node) for node in path.reached)
    if expected in ("place", "person", "entity"):
        return not all(_is_scalar(node) for node in path.reached)
    return True


def _is_confident(scored: ScoredPath, analysis: QuestionAnalysis) -> bool:
    # NOTE: for Chinese, Japanese and Korean questions the similarity term is
    # left out (the embedding model is English-only), so scores sit near zero
    # and the threshold would reject every path. Those questions rely on the
    # answer-type filter and the hop prior alone, which is weak when an entity
    # has several relations of the same answer type.
    return analysis.cjk or scored.score >= MIN_PATH_SCORE


def _covers_question(path: CandidatePath, masked_question: str) -> bool:
    """Return whether the path's relation labels contain every content word of the question."""
    label_stems = set().union(*(content_stems(step.label) for step in path.steps))
    question_stems = content_stems(masked_question)
    return bool(question_stems) and question_stems <= label_stems


def _confidence(chosen: ScoredPath, ranked: list[ScoredPath], topics: list[LinkedEntity]) -> float:
    """Combine path fit, margin over the best rival answer set and linking score, in [0, 1]."""
    fit = min(1.0, max(0.0, chosen.score))
    rivals = [scored.score for scored in ranked
              if scored is not chosen and scored.path.reached != chosen.path.reached]
    margin = chosen.score - max(rivals) if rivals else 1.0
    margin_factor = min(1.0, max(0.0, margin / 0.2))
    linking = min(1.0, max(0.0, min(topic.score for topic in topics)))
    return linking * (0.6 * fit + 0.4 * margin_factor)


def _head_noun(label: str) -> str:
    """Return the stem of the last word of a relation label that is not a preposition."""
    words = [word for word in re.findall(r"[^\W_]+", fold(label)) if word not in _PREPOSITIONS]
    stems = content_stems(words[-1]) if words else set()
    return next(iter(stems), "")


def _sorted_nodes(kg: KnowledgeGraph, nodes: Iterable[Node], lang: str | None = None) -> list[Node]:
    return sorted(nodes, key=lambda node: (kg.labels.display(node, lang).casefold(), str(node)))


def _join_labels(items: list[AnswerItem]) -> str:
    labels = [item.label for item in items[:TEXT_LABELS]]
    if len(items) > TEXT_LABELS:
        return ", ".join(labels) + f" and {len(items) - TEXT_LABELS} more"
    if len(labels) > 1:
        return ", ".join(labels[:-1]) + " and " + labels[-1]
    return labels[0] if labels else ""


def _no_entity(answer: Answer, unlinked_names: Sequence[str]) -> None:
    answer.status, answer.kind, answer.answers = "no_entity", "none", []
    answer.text = "No entity of the graph was found in the question."
    if unlinked_names:
        names = ", ".join(f"'{name}'" for name in unlinked_names)
        answer.text += f" The graph has nothing named {names}, so it cannot answer this question."
