"""Fixtures for answering tests: a small typed world graph and an exact-label asker.

The asker links every label it finds in the question, classes included, the
way an older linker did, so tests also cover moving class terms out of the
linked entities.
"""

from __future__ import annotations

import pytest
from exact_links import link_labels
from rdflib import Dataset
from rdflib.term import Node

from kgqa.answering.graph_answerer import GraphAnswerer
from kgqa.answering.result import Answer, LinkedEntity
from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.normalize import prepare_text
from kgqa.retrieval.scoring import PathRetriever

WORLD_TTL = """
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
ex:Country a rdfs:Class ; rdfs:label "country" .
ex:City a rdfs:Class ; rdfs:label "city" .
ex:Currency a rdfs:Class ; rdfs:label "currency" .
ex:Person a rdfs:Class ; rdfs:label "person" .
ex:capital rdfs:label "capital" .
ex:currency rdfs:label "currency" .
ex:population rdfs:label "population" .
ex:borders rdfs:label "borders" .
ex:headOfState rdfs:label "head of state" ; skos:altLabel "president" .
ex:Japan a ex:Country ; rdfs:label "Japan" ; ex:capital ex:Tokyo ; ex:currency ex:Yen ;
    ex:population 125 .
ex:France a ex:Country ; rdfs:label "France" ; ex:capital ex:Paris ; ex:currency ex:Euro ;
    ex:population 68 .
ex:Germany a ex:Country ; rdfs:label "Germany" ; ex:capital ex:Berlin ; ex:currency ex:Euro ;
    ex:population 84 ; ex:borders ex:France ; ex:headOfState ex:Frank .
ex:Tokyo a ex:City ; rdfs:label "Tokyo" .
ex:Paris a ex:City ; rdfs:label "Paris" .
ex:Berlin a ex:City ; rdfs:label "Berlin" .
ex:Yen a ex:Currency ; rdfs:label "Yen" .
ex:Euro a ex:Currency ; rdfs:label "Euro" .
ex:Frank a ex:Person ; rdfs:label "Frank Walter" .
"""


@pytest.fixture(scope="module")
def world() -> KnowledgeGraph:
    """A few countries, their capitals and currencies, every node typed."""
    dataset = Dataset()
    dataset.parse(data=WORLD_TTL, format="turtle")
    return KnowledgeGraph.from_dataset("world", dataset)


def class_mentions(question: str, classes: dict[str, Node]) -> list[LinkedEntity]:
    """Return class mentions for the given texts, as a linker that matches plurals reports them."""
    normalized = prepare_text(question)
    mentions = []
    for text, class_ in classes.items():
        start = normalized.index(text)
        mentions.append(LinkedEntity(text, start, start + len(text), class_, text, 1.0))
    return mentions


@pytest.fixture
def ask(embedder, settings):
    """Return ``ask(kg, question, classes={}) -> Answer`` through a real retriever and answerer.

    ``classes`` maps class mention texts ("countries") to class terms.
    """
    def ask_question(kg: KnowledgeGraph, question: str,
                     classes: dict[str, Node] | None = None) -> Answer:
        normalized, masked, linked = link_labels(kg, question)
        answerer = GraphAnswerer(kg, PathRetriever(kg, embedder, settings), settings)
        return answerer.answer(question, normalized, masked, linked,
                               classes=class_mentions(question, classes or {}))

    return ask_question
