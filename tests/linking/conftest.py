"""Fixtures of the linking tests: the spaCy pipeline and graphs built in memory from Turtle."""

from __future__ import annotations

import re

import pytest
import rdflib

from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.linking.pipeline import build_nlp

PREFIXES = """
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@pytest.fixture(scope="session")
def nlp():
    """The default tokenizer-only pipeline, built once per session."""
    return build_nlp("blank:en")


@pytest.fixture
def make_kg():
    """Return a function that parses Turtle into a graph; ``PREFIXES`` are declared for it."""

    def make(turtle: str, name: str = "test") -> KnowledgeGraph:
        dataset = rdflib.Dataset()
        # Dataset.parse raises a DeprecationWarning inside rdflib 7.6, but parsing into
        # the default graph does not.
        dataset.default_graph.parse(data=PREFIXES + turtle, format="turtle")
        return KnowledgeGraph.from_dataset(name, dataset)

    return make


@pytest.fixture
def word_overlap_fit():
    """Return a factory of relation fits for a graph, standing in for the retrieval layer's.

    The fit of an entity is the share of its outgoing relation labels' word
    stems (first five letters of words of four or more letters) that also
    occur in the question.
    """

    def stems(text: str) -> set[str]:
        return {word[:5] for word in re.findall(r"[a-z]+", text.lower()) if len(word) >= 4}

    def fit_for(kg: KnowledgeGraph):
        def fit(entity, masked_question: str) -> float:
            relations = {kg.labels.relation_label(predicate)
                         for _, _, predicate in kg.nx_graph.out_edges(entity, data="predicate")}
            relation_stems = stems(" ".join(relations))
            if not relation_stems:
                return 0.0
            return len(relation_stems & stems(masked_question)) / len(relation_stems)

        return fit

    return fit_for
