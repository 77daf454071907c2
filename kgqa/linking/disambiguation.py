"""Rank the entities that share one mention ("Jaguar" the company, "jaguar" the species).

Evidence, from strongest to weakest, each scaled to [0, 1]:

1. relation fit: how well the entity's relations fit the question, from the
   ``relation_fit`` callable the retrieval layer supplies;
2. case: the mention spells one of the entity's labels with the same capitals;
3. context: cosine similarity between the question and a text made of the
   entity's relations and neighbours (only with an ``Embedder``). The
   vectors of known namesakes can be given in advance (``use_context_vectors``),
   so that questions do not wait for the model to encode them;
4. degree: the entity's number of edges in ``kg.nx_graph``, log-scaled
   against the best-connected candidate.

The weights make each kind of evidence, when fully present, outweigh all
weaker kinds together (0.6 > 0.2 + 0.12 + 0.08 and 0.2 >= 0.12 + 0.08). A
relation fit ahead by more than a third outweighs a case match.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Callable

import numpy as np
from rdflib.term import Node

from kgqa.embedding import Embedder
from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.linking.mentions import Candidate

__all__ = ["Disambiguator", "RelationFit", "Sense"]

log = logging.getLogger(__name__)

RelationFit = Callable[[Node, str], float]

WEIGHT_RELATION_FIT = 0.6
WEIGHT_CASE = 0.2
WEIGHT_CONTEXT = 0.12
WEIGHT_DEGREE = 0.08

# Added to every candidate's evidence so that candidates with no evidence at
# all share the score equally instead of dividing by zero.
_EVIDENCE_FLOOR = 0.05
_CONTEXT_EDGES = 12


@dataclasses.dataclass(frozen=True)
class Sense:
    """An entity a mention may name, with the matched label, match score in [0, 1] and case flag."""

    entity: Node
    label: str
    match_score: float
    case_match: bool = False


class Disambiguator:
    """Order the senses of a mention by the evidence above and score each one."""

    def __init__(self, kg: KnowledgeGraph, embedder: Embedder | None = None,
                 relation_fit: RelationFit | None = None) -> None:
        self.kg = kg
        self.embedder = embedder
        self.relation_fit = relation_fit
        self._context_texts: dict[Node, str] = {}
        self._context_vectors: dict[Node, np.ndarray] = {}

    def use_context_vectors(self, entities: list[Node], matrix: np.ndarray) -> None:
        """Take the context vectors of ``entities``, one row of ``matrix`` each (``context_vectors``)."""
        self._context_vectors = dict(zip(entities, matrix, strict=True))

    def context_vectors(self, entities: list[Node]) -> np.ndarray | None:
        """Encode the context texts of ``entities``, one unit-length row each (None without an embedder)."""
        if self.embedder is None:
            return None
        return self.embedder.encode_many([self.context_text(entity) for entity in entities])

    def rank(self, senses: list[Sense], masked_question: str) -> list[Candidate]:
        """Return one candidate per sense, best first.

        A candidate's score is its match score times its share of the summed
        evidence, so a clear choice scores near the match score and a tie
        between two senses scores about half of it. A single sense keeps its
        match score and is not looked at further.
        """
        if not senses:
            return []
        if len(senses) == 1:
            only = senses[0]
            return [Candidate(only.entity, only.label, only.match_score)]

        evidence = self._evidence(senses, masked_question)
        total = sum(value + _EVIDENCE_FLOOR for value in evidence)
        ranked = sorted(zip(senses, evidence, strict=True),
                        key=lambda pair: (-pair[1], -pair[0].match_score, str(pair[0].entity)))

        candidates = []
        for sense, value in ranked:
            share = (value + _EVIDENCE_FLOOR) / total
            candidates.append(Candidate(sense.entity, sense.label, sense.match_score * share))
        log.debug("ranked senses for %r: %s", masked_question,
                  [(str(candidate.entity), round(candidate.score, 3)) for candidate in candidates])
        return candidates

    def _evidence(self, senses: list[Sense], masked_question: str) -> list[float]:
        fits = [self._relation_fit(sense.entity, masked_question) for sense in senses]
        contexts = self._context_similarities(senses, masked_question)
        degrees = self._degree_scores(senses)

        evidence = []
        for sense, fit, context, degree in zip(senses, fits, contexts, degrees, strict=True):
            value = (WEIGHT_RELATION_FIT * fit + WEIGHT_CASE * float(sense.case_match)
                     + WEIGHT_CONTEXT * context + WEIGHT_DEGREE * degree)
            evidence.append(value)
        return evidence

    def _relation_fit(self, entity: Node, masked_question: str) -> float:
        if self.relation_fit is None:
            return 0.0
        fit = float(self.relation_fit(entity, masked_question))
        if math.isnan(fit):
            return 0.0
        return min(1.0, max(0.0, fit))

    def _context_similarities(self, senses: list[Sense], masked_question: str) -> list[float]:
        if self.embedder is None:
            return [0.0] * len(senses)

        question = self.embedder.encode([masked_question])[0]
        missing = [sense.entity for sense in senses if sense.entity not in self._context_vectors]
        encoded = dict(zip(missing, self.embedder.encode([self.context_text(entity)
                                                           for entity in missing]), strict=True))
        vectors = np.stack([self._context_vectors.get(sense.entity, encoded.get(sense.entity))
                            for sense in senses])
        similarities = vectors @ question
        return [float(value) for value in np.clip(similarities, 0.0, 1.0)]

    def _degree_scores(self, senses: list[Sense]) -> list[float]:
        nx_graph = self.kg.nx_graph
        degrees = [nx_graph.degree(sense.entity) if sense.entity in nx_graph else 0
                   for sense in senses]
        highest = max(degrees)
        if highest == 0:
            return [0.0] * len(senses)
        return [math.log1p(degree) / math.log1p(highest) for degree in degrees]

    def context_text(self, entity: Node) -> str:
        """Return the text that stands for an entity's neighbourhood: "relation neighbour" phrases.

        At most 12 edges are used, outgoing before incoming, in a stable order.
        """
        cached = self._context_texts.get(entity)
        if cached is not None:
            return cached

        labels = self.kg.labels
        phrases = []
        nx_graph = self.kg.nx_graph
        if entity in nx_graph:
            outgoing = sorted(nx_graph.out_edges(entity, data="predicate"), key=str)
            incoming = sorted(nx_graph.in_edges(entity, data="predicate"), key=str)
            for _, target, predicate in outgoing[:_CONTEXT_EDGES]:
                phrases.append(f"{labels.relation_label(predicate)} {labels.display(target)}")
            for source, _, predicate in incoming[:max(0, _CONTEXT_EDGES - len(phrases))]:
                phrases.append(f"{labels.display(source)} {labels.relation_label(predicate)}")

        text = f"{labels.display(entity)}: " + "; ".join(phrases)
        self._context_texts[entity] = text
        return text
