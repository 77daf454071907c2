"""Tests for relation path enumeration and evidence tracing."""

from __future__ import annotations

import time

import pytest
from rdflib import Dataset, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.retrieval.paths import enumerate_paths, relation_range, trace_evidence

EX = Namespace("http://example.org/")

FILMS_TTL = """
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:F1 rdfs:label "Salt Roads" ; a ex:Film ; ex:castMember ex:Ana , ex:Ben ; ex:director ex:Cole .
ex:F2 rdfs:label "Night Ferry" ; a ex:Film ; ex:castMember ex:Ana ; ex:director ex:Cole .
ex:F3 rdfs:label "Glass Harbour" ; a ex:Film ; ex:castMember ex:Ben ; ex:director ex:Eva .
"""


def _kg(turtle: str) -> KnowledgeGraph:
    dataset = Dataset()
    dataset.parse(data=turtle, format="turtle")
    return KnowledgeGraph.from_dataset("test", dataset)


def _keys(path) -> tuple:
    return tuple((str(predicate).rsplit("/", 1)[-1], inverse) for predicate, inverse in path.keys)


@pytest.fixture
def films() -> KnowledgeGraph:
    return _kg(FILMS_TTL)


def test_paths_grouped_by_sequence(films):
    paths = {_keys(path): path for path in enumerate_paths(films, EX.F2, 3, 5000)}

    assert paths[(("castMember", False),)].reached == {EX.Ana}
    assert paths[(("director", False),)].reached == {EX.Cole}
    assert paths[(("director", False), ("director", True), ("castMember", False))].reached \
        == {EX.Ana, EX.Ben}


def test_paths_never_walk_back(films):
    paths = {_keys(path): path for path in enumerate_paths(films, EX.F2, 3, 5000)}

    # Night Ferry's director made Salt Roads too; Night Ferry itself is not "another film".
    assert paths[(("director", False), ("director", True))].reached == {EX.F1}
    for path in paths.values():
        assert EX.F2 not in path.reached


def test_paths_reach_literals():
    kg = _kg(FILMS_TTL + "ex:F1 ex:year 1999 .\nex:F3 ex:year 2004 .\n")
    paths = {_keys(path): path for path in enumerate_paths(kg, EX.F2, 3, 5000)}

    assert paths[(("director", False), ("director", True), ("year", False))].reached \
        == {Literal(1999)}
    assert paths[(("castMember", False), ("castMember", True), ("year", False))].reached \
        == {Literal(1999)}


def test_paths_of_unlinked_entity_empty(films):
    assert enumerate_paths(films, EX.Nobody, 3, 5000) == []


def test_paths_skip_type_and_labels(films):
    predicates = {predicate for path in enumerate_paths(films, EX.F1, 3, 5000)
                  for predicate, _ in path.keys}

    assert RDF.type not in predicates
    assert RDFS.label not in predicates


def test_paths_shortest_first(films):
    hops = [path.hops for path in enumerate_paths(films, EX.F1, 3, 5000)]

    assert hops == sorted(hops)


def test_hub_frontier_limit_holds():
    dataset = Dataset()
    genre = EX.drama
    dataset.add((genre, RDFS.label, Literal("drama")))
    for number in range(20_000):
        film = URIRef(f"http://example.org/film{number}")
        dataset.add((film, EX.genre, genre))
        dataset.add((film, EX.director, URIRef(f"http://example.org/person{number % 500}")))
    kg = KnowledgeGraph.from_dataset("hub", dataset)

    started = time.perf_counter()
    paths = enumerate_paths(kg, EX.film7, 3, 5000)
    elapsed_s = time.perf_counter() - started

    by_keys = {_keys(path): path for path in paths}
    assert len(by_keys[(("genre", False), ("genre", True))].reached) == 19_999
    assert not [path for path in paths if _keys(path)[:2] == (("genre", False), ("genre", True))
                and path.hops == 3]
    assert elapsed_s < 10


def test_hub_source_not_expanded():
    dataset = Dataset()
    for number in range(6000):
        dataset.add((URIRef(f"http://example.org/film{number}"), EX.genre, EX.drama))
    kg = KnowledgeGraph.from_dataset("hub", dataset)

    paths = enumerate_paths(kg, EX.drama, 3, 5000)

    assert [path.hops for path in paths] == [1]
    assert len(paths[0].reached) == 6000


def test_evidence_traces_chain(films):
    keys = ((EX.castMember, True), (EX.director, False))

    quads = trace_evidence(films, EX.Ana, keys, [EX.Cole], limit=10)

    assert {(EX.F1, EX.castMember, EX.Ana, None), (EX.F2, EX.castMember, EX.Ana, None)} & set(quads)
    assert any(quad[1] == EX.director and quad[2] == EX.Cole for quad in quads)


def test_evidence_keeps_named_graph():
    dataset = Dataset()
    dataset.parse(data="""
        @prefix ex: <http://example.org/> .
        ex:g1 { ex:Rhea ex:role "chair" . }
        ex:g2 { ex:Rhea ex:role "chair" . }
    """, format="trig")
    kg = KnowledgeGraph.from_dataset("named", dataset)

    quads = trace_evidence(kg, EX.Rhea, ((EX.role, False),), [Literal("chair")], limit=10)

    assert {quad[3] for quad in quads} == {EX.g1, EX.g2}


def test_evidence_respects_limit(films):
    quads = trace_evidence(films, EX.Cole, ((EX.director, True),), [EX.F1, EX.F2], limit=1)

    assert len(quads) == 1


def test_relation_range_inverse(films):
    assert relation_range(films, (EX.castMember, True)) == {EX.F1, EX.F2, EX.F3}
