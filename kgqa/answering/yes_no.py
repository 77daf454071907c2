"""Answer yes/no questions from the graph, citing the triples the verdict rests on.

- **Two entities** ("Is Spanish an official language of Mexico?"). When the
  question names no relation ("Is gold in period 6?"), a direct link between
  the two entities means yes. When it names one, the asked relation is the
  best-ranked path of either entity that explains the relation words: yes when
  it links the two entities. Longer chains never count as a link when the
  question names no relation, because nearly any two nodes are linked by some
  chain ("iron" and "group 18" through period 4 and krypton). Otherwise no, citing the direct link the graph
  does have ("Google -- former chief executive --> Eric Schmidt"), or, when
  there is none, what the graph states for the subject of the asked relation
  ("Brazil -- official language --> Portuguese").
- **One entity and a class** ("Is Tokyo a city?"): class membership, citing
  the triple that makes the entity an instance, or the entity's own types.
- **One entity** ("Does NE play jazz?"): a value named in the question, or
  the relation's values when none is named.

A question whose relation words no relation of its entities explains gets
``not_in_graph``, never a guessed no.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rdflib import Literal
from rdflib.term import Node

from kgqa.answering.assembly import (
    describe_path,
    evidence_triples,
    fill_not_in_graph,
    fill_yes_no_text,
    path_confidence,
    sorted_nodes,
)
from kgqa.answering.question import AskedQuestion
from kgqa.answering.result import Answer, LinkedEntity
from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.normalize import fold
from kgqa.retrieval.paths import CandidatePath, Quad, StepKey, relation_adjacency, trace_evidence
from kgqa.retrieval.scoring import PathRetriever, ScoredPath
from kgqa.retrieval.words import content_stems, relation_words
from kgqa.settings import Settings

__all__ = ["YesNoAnswerer"]


class YesNoAnswerer:
    """Answer yes/no questions about one or two linked entities."""

    def __init__(self, kg: KnowledgeGraph, retriever: PathRetriever, settings: Settings,
                 min_path_score: float,
                 accepts: Callable[[ScoredPath, AskedQuestion], bool]) -> None:
        self.kg = kg
        self.retriever = retriever
        self.settings = settings
        self.min_path_score = min_path_score
        self.accepts = accepts

    def answer(self, answer: Answer, topics: list[LinkedEntity], asked: AskedQuestion) -> None:
        """Fill ``answer`` with a yes/no verdict and its evidence, or ``not_in_graph``."""
        if len(topics) > 1:
            self._between(answer, topics[0], topics[1], asked)
        elif asked.classes and not relation_words(asked.masked, asked.class_words):
            self._membership(answer, topics[0], asked)
        else:
            self._value(answer, topics[0], asked)

    # Two entities.

    def _between(self, answer: Answer, first: LinkedEntity, second: LinkedEntity,
                 asked: AskedQuestion) -> None:
        topics = [first, second]
        candidates = sorted(self._rank(first, asked) + self._rank(second, asked),
                            key=lambda scored: -scored.score)
        linking = [scored for scored in candidates if _links(scored.path, first, second)]
        direct = [scored for scored in linking if scored.path.hops == 1]

        if not relation_words(asked.masked, asked.class_words):
            if direct:
                self._verdict(answer, True, direct[0], self._trace_to_other(direct[0], topics),
                              candidates, topics, asked)
            else:
                self._no_shared_relation(answer, topics, candidates, asked)
            return

        fitting = [scored for scored in candidates if self.accepts(scored, asked)]
        if not fitting or fitting[0].score < self.min_path_score:
            missing = tuple(word for word in candidates[0].unexplained
                            if word in asked.required_words) if candidates else ()
            fill_not_in_graph(self.kg, answer, topics, asked.lang, missing)
            return

        chosen = fitting[0]
        if chosen in linking:
            self._verdict(answer, True, chosen, self._trace_to_other(chosen, topics),
                          candidates, topics, asked)
            return

        quads = self._trace_to_other(direct[0], topics) if direct \
            else self._subject_side(chosen, topics)
        self._verdict(answer, False, chosen, quads, candidates, topics, asked)

    def _trace_to_other(self, scored: ScoredPath, topics: list[LinkedEntity]) -> list[Quad]:
        other = next(topic.entity for topic in topics if topic.entity != scored.path.source)
        return trace_evidence(self.kg, scored.path.source, scored.path.keys, [other],
                              self.settings.top_k)

    def _subject_side(self, asked: ScoredPath, topics: list[LinkedEntity]) -> list[Quad]:
        """Return what the graph states for the asked relation, from its subject's side.

        For "Is Spanish an official language of Brazil?" that is Brazil's
        official languages, not the other countries that speak Spanish.
        """
        path = asked.path
        other = next(topic.entity for topic in topics if topic.entity != path.source)
        reversed_keys = tuple((predicate, not inverse) for predicate, inverse in reversed(path.keys))
        if not reversed_keys[0][1]:
            values = self._reached(other, reversed_keys)
            if values:
                return trace_evidence(self.kg, other, reversed_keys,
                                      sorted_nodes(self.kg, values), self.settings.top_k)
        return trace_evidence(self.kg, path.source, path.keys,
                              sorted_nodes(self.kg, path.reached), self.settings.top_k)

    def _reached(self, source: Node, keys: tuple[StepKey, ...]) -> set[Node]:
        adjacency = relation_adjacency(self.kg)
        frontier = {source}
        for key in keys:
            frontier = set().union(*(adjacency.neighbours(node).get(key, set())
                                     for node in frontier))
        frontier.discard(source)
        return frontier

    def _no_shared_relation(self, answer: Answer, topics: list[LinkedEntity],
                            candidates: list[ScoredPath], asked: AskedQuestion) -> None:
        """Answer no when one entity has a relation whose values could include the other.

        "Is gold in period 5?": gold's period is period 6, and period 5 is a
        value of "period" elsewhere in the graph, so the graph does answer it.
        """
        adjacency = relation_adjacency(self.kg)
        for source, other in ((topics[0], topics[1]), (topics[1], topics[0])):
            for scored in candidates:
                path = scored.path
                if path.source != source.entity or path.hops != 1:
                    continue
                if other.entity in adjacency.step_range(path.keys[0]):
                    quads = trace_evidence(self.kg, path.source, path.keys,
                                           sorted_nodes(self.kg, path.reached),
                                           self.settings.top_k)
                    self._verdict(answer, False, scored, quads, candidates, topics, asked)
                    return
        fill_not_in_graph(self.kg, answer, topics, asked.lang)

    # One entity and a class.

    def _membership(self, answer: Answer, topic: LinkedEntity, asked: AskedQuestion) -> None:
        class_ = asked.classes[0].entity
        classes = self.kg.classes
        if topic.entity in classes.instances(class_):
            reasons = [classes.reason(topic.entity, class_)]
            verdict = True
        else:
            reasons = [classes.reason(topic.entity, other)
                       for other in sorted(classes.types_of(topic.entity), key=str)]
            verdict = False
        quads = [(*reason, None) for reason in reasons if reason is not None]
        if not quads:
            fill_not_in_graph(self.kg, answer, [topic], asked.lang)
            answer.text += " The graph states no class for it."
            return

        answer.evidence = evidence_triples(self.kg, quads, asked.lang, self.settings.top_k)
        answer.confidence = min(1.0, topic.score)
        fill_yes_no_text(answer, verdict)

    # One entity.

    def _value(self, answer: Answer, topic: LinkedEntity, asked: AskedQuestion) -> None:
        """Answer "Does NE play jazz?" with one linked entity.

        Yes when a reached value is named in the question ("play folk"), or
        when the best relation covers every content word of the question ("Does
        NE have members?"). Otherwise No, citing the values of the best
        relation with literal values: a named value that the linker did not
        link is not an entity of the graph, so the asked relation must take
        literals. Without such a relation the answer is "not in the graph".
        """
        candidates = self._rank(topic, asked)
        question_text = fold(asked.masked)
        named = [(scored, self._named_values(scored.path, question_text)) for scored in candidates]
        named = [(scored, values) for scored, values in named if values]
        if named:
            scored, values = named[0]
            quads = trace_evidence(self.kg, topic.entity, scored.path.keys,
                                   sorted_nodes(self.kg, values), self.settings.top_k)
            self._verdict(answer, True, scored, quads, candidates, [topic], asked)
            return

        if candidates and candidates[0].score >= self.min_path_score \
                and _covers_question(candidates[0].path, asked.masked):
            chosen = candidates[0]
            quads = trace_evidence(self.kg, topic.entity, chosen.path.keys,
                                   sorted_nodes(self.kg, chosen.path.reached), self.settings.top_k)
            self._verdict(answer, True, chosen, quads, candidates, [topic], asked)
            return

        literal_valued = [scored for scored in candidates
                          if any(isinstance(node, Literal) for node in scored.path.reached)]
        if not literal_valued or literal_valued[0].score < self.min_path_score:
            fill_not_in_graph(self.kg, answer, [topic], asked.lang)
            return
        chosen = literal_valued[0]
        quads = trace_evidence(self.kg, topic.entity, chosen.path.keys,
                               sorted_nodes(self.kg, chosen.path.reached), self.settings.top_k)
        self._verdict(answer, False, chosen, quads, candidates, [topic], asked)

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

    # Shared steps.

    def _rank(self, topic: LinkedEntity, asked: AskedQuestion) -> list[ScoredPath]:
        return self.retriever.rank(topic.entity, asked.masked, asked.class_words)

    def _verdict(self, answer: Answer, verdict: bool, chosen: ScoredPath, quads: list[Quad],
                 candidates: list[ScoredPath], topics: list[LinkedEntity],
                 asked: AskedQuestion) -> None:
        answer.path = chosen.to_relation_path()
        answer.path.verbalization = describe_path(self.kg, chosen.path, asked.lang)
        answer.alternative_paths = [scored.to_relation_path() for scored in candidates
                                    if scored is not chosen][:3]
        answer.evidence = evidence_triples(self.kg, quads, asked.lang, self.settings.top_k)
        answer.confidence = path_confidence(chosen, candidates, topics)
        fill_yes_no_text(answer, verdict)


def _links(path: CandidatePath, first: LinkedEntity, second: LinkedEntity) -> bool:
    """Return whether ``path`` leads from one of the two entities to the other."""
    return (path.source == first.entity and second.entity in path.reached) \
        or (path.source == second.entity and first.entity in path.reached)


def _covers_question(path: CandidatePath, masked_question: str) -> bool:
    """Return whether the path's relation labels contain every content word of the question."""
    label_stems = set().union(*(content_stems(step.label) for step in path.steps))
    question_stems = content_stems(masked_question)
    return bool(question_stems) and question_stems <= label_stems
