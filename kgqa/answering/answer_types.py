"""Decide whether a path's answers have the type a question asks for: classes and agents.

Two checks use the graph's classes (``kg.classes``):

- **Answer class.** "Which *currency* does NE use?" names the class of its
  answers. ``answer_class`` picks that class among the question's class
  mentions, and ``class_share`` measures how many of a path's answers are
  instances of it.
- **Agents.** "Who ..." asks for a person or an organization. A class is
  *clearly not an agent* when its label is closer, in embedding space, to a
  top-level kind of thing (place, event, product ...) than to "person" and
  "organization", by at least ``AGENT_MARGIN``. An answer set whose members
  are all typed, and typed only with such classes, does not answer "who".
  Untyped nodes and literals that are not numbers or dates count as
  possible agents, because the graph does not say what they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDFS
from rdflib.term import Node

from kgqa.embedding import Embedder
from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.linking.mentions import LinkedEntity
from kgqa.normalize import fold
from kgqa.retrieval.words import WORD_RE, focus_word

__all__ = [
    "AGENT_MARGIN",
    "AGENT_PROTOTYPES",
    "KIND_PROTOTYPES",
    "AgentTypes",
    "answer_class",
    "class_share",
]

# What "who" asks for.
AGENT_PROTOTYPES = ("person", "organization")
# Top-level kinds of things that are not agents, close to schema.org's
# top-level types (Place, Event, CreativeWork, Product, Quantity, Substance,
# Taxon) plus time periods and abstract concepts.
KIND_PROTOTYPES = ("place", "event", "creative work", "product", "quantity", "substance",
                   "animal", "time period", "abstract concept")
# Cosine margin by which a class label must be nearer to a kind than to an agent
# prototype. Measured with all-MiniLM-L6-v2: "city" -0.24, "currency" -0.19,
# "element" -0.16, "language" -0.16 (not agents); "painter" -0.06, "film"
# -0.10, "writer" -0.09 (too close to call, so allowed); "company" +0.06,
# "person" +0.61 (agents).
AGENT_MARGIN = 0.12
# Classes that every resource belongs to say nothing about agents.
_UNINFORMATIVE_CLASSES = frozenset({
    OWL.Thing, RDFS.Resource, URIRef("http://schema.org/Thing"), URIRef("https://schema.org/Thing"),
})
_CACHE_KEY = "answering.non_agent_classes"


class AgentTypes:
    """Classify the classes of one graph as clearly not agents, once per graph."""

    def __init__(self, kg: KnowledgeGraph, embedder: Embedder | None) -> None:
        self.kg = kg
        self.embedder = embedder

    def non_agent_classes(self) -> frozenset[Node]:
        """Return the classes whose labels are clearly not a person or organization kind."""
        cached = self.kg.cache.get(_CACHE_KEY)
        if cached is not None:
            return cached

        classes = sorted(self.kg.classes.classes() - _UNINFORMATIVE_CLASSES, key=str)
        if self.embedder is None or not classes:
            found: frozenset[Node] = frozenset()
        else:
            labels = [self.kg.labels.display(class_) for class_ in classes]
            found = frozenset(class_ for class_, margin in zip(classes, self._margins(labels),
                                                               strict=True)
                              if margin >= AGENT_MARGIN)
        self.kg.cache[_CACHE_KEY] = found
        return found

    def _margins(self, labels: list[str]) -> np.ndarray:
        """Return, per label, max kind similarity minus max agent similarity."""
        prototypes = [*AGENT_PROTOTYPES, *KIND_PROTOTYPES]
        vectors = self.embedder.encode([*prototypes, *labels])
        agents = vectors[: len(AGENT_PROTOTYPES)]
        kinds = vectors[len(AGENT_PROTOTYPES): len(prototypes)]
        label_vectors = vectors[len(prototypes):]
        return (label_vectors @ kinds.T).max(axis=1) - (label_vectors @ agents.T).max(axis=1)

    def is_non_agent(self, node: Node) -> bool:
        """Return whether ``node`` is typed, and typed only with classes that are not agents."""
        if isinstance(node, Literal):
            return False
        types = self.kg.classes.types_of(node) - _UNINFORMATIVE_CLASSES
        return bool(types) and types <= self.non_agent_classes()

    def none_are_agents(self, nodes: Iterable[Node]) -> bool:
        """Return whether every node is clearly not an agent (False for an empty set)."""
        nodes = list(nodes)
        return bool(nodes) and all(self.is_non_agent(node) for node in nodes)


def answer_class(classes: Sequence[LinkedEntity], masked_question: str,
                 answer_type: str = "any") -> LinkedEntity | None:
    """Return the class mention that names the type of the answers, if any.

    The noun after "which", "what" or "how many" wins ("In which *city* is the
    parent company of NE ..."). Otherwise, when the question word sets no
    other type (``answer_type`` is ``entity`` or ``any``, so not "who" or
    "when"), the first class mention that is not the object of "of" ("What
    are the official *languages* of NE?", but not "the capital of the
    *country* that ..."), because such a mention describes a node on the way.
    """
    if not classes:
        return None
    focus = focus_word(masked_question)
    for mention in classes:
        words = WORD_RE.findall(fold(mention.mention))
        if focus is not None and words and words[-1] == focus:
            return mention

    if answer_type not in ("entity", "any"):
        return None
    text = fold(masked_question)
    for mention in classes:
        position = text.find(fold(mention.mention))
        if position < 0 or not re.search(r"\bof(?: the| a| an)?\s*$", text[:position]):
            return mention
    return None


def class_share(kg: KnowledgeGraph, nodes: Iterable[Node], class_: Node) -> float:
    """Return the share of ``nodes`` that are instances of ``class_`` (0 for no nodes)."""
    nodes = list(nodes)
    if not nodes:
        return 0.0
    instances = kg.classes.instances(class_)
    return sum(1 for node in nodes if node in instances) / len(nodes)
