"""Tests for the words a relation explains: stems, aliases, embeddings and values."""

from __future__ import annotations

from rdflib import Dataset, Namespace

from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.retrieval.coverage import explained_by_values, explained_words

EX = Namespace("http://example.org/")

COMPANY_TTL = """
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
ex:Acme rdfs:label "Acme" ; ex:chiefExecutive ex:Mira ; ex:atomicWeight 12.5 ;
    ex:birthPlace ex:Oslo .
ex:chiefExecutive rdfs:label "chief executive" ; skos:altLabel "CEO" .
ex:atomicWeight rdfs:label "atomic weight" .
ex:birthPlace rdfs:label "birth place" .
"""


def _kg(turtle: str) -> KnowledgeGraph:
    dataset = Dataset()
    dataset.parse(data=turtle, format="turtle")
    return KnowledgeGraph.from_dataset("test", dataset)


def test_alias_explains_word(embedder):
    kg = _kg(COMPANY_TTL)

    explained = explained_words(["ceo"], [EX.chiefExecutive], kg.labels, embedder)

    assert explained[EX.chiefExecutive] == {"ceo"}


def test_near_miss_not_explained(embedder):
    kg = _kg(COMPANY_TTL)

    explained = explained_words(["melting", "point"], [EX.atomicWeight], kg.labels, embedder)

    assert explained[EX.atomicWeight] == frozenset()


def test_paraphrase_explained_by_embedding(embedder):
    kg = _kg(COMPANY_TTL)

    explained = explained_words(["born"], [EX.birthPlace, EX.atomicWeight], kg.labels, embedder)

    assert explained[EX.birthPlace] == {"born"}
    assert explained[EX.atomicWeight] == frozenset()


def test_stems_without_embedder():
    kg = _kg(COMPANY_TTL)

    explained = explained_words(["weights", "born"], [EX.atomicWeight, EX.birthPlace], kg.labels,
                                None)

    assert explained[EX.atomicWeight] == {"weights"}
    assert explained[EX.birthPlace] == frozenset()


def test_value_names_opaque_relation(embedder):
    found = explained_by_values(["email", "phone"], ["mailto:alice@example.org"], embedder)

    assert found == {"email"}
