"""The networkx projection: one edge per non-label quad, keyed by predicate and named graph."""

from __future__ import annotations

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import FOAF, RDFS, SKOS

from kgqa.graph.projection import build_nx_graph

EX = "http://example.org/"
RHEA, CLUB, ROLE = URIRef(EX + "Rhea"), URIRef(EX + "Club"), URIRef(EX + "role")
G2023, G2024 = URIRef(EX + "g2023"), URIRef(EX + "g2024")


def test_label_triples_left_out():
    nx_graph = build_nx_graph([
        (RHEA, RDFS.label, Literal("Rhea Castell"), None),
        (RHEA, SKOS.altLabel, Literal("R. Castell"), None),
        (RHEA, URIRef(EX + "memberOf"), CLUB, None),
    ])
    assert nx_graph.number_of_edges() == 1
    assert set(nx_graph.nodes) == {RHEA, CLUB}


def test_edge_attributes_name_predicate_and_graph():
    nx_graph = build_nx_graph([(RHEA, URIRef(EX + "memberOf"), CLUB, None)])
    [(subject, obj, key, attributes)] = nx_graph.edges(keys=True, data=True)
    assert (subject, obj) == (RHEA, CLUB)
    assert key == (URIRef(EX + "memberOf"), None)
    assert attributes == {"predicate": URIRef(EX + "memberOf"), "graph": None}


def test_triple_in_two_graphs_kept():
    chair = Literal("chair")
    nx_graph = build_nx_graph([(RHEA, ROLE, chair, G2023), (RHEA, ROLE, chair, G2024)])
    assert nx_graph.number_of_edges(RHEA, chair) == 2
    assert {graph for _, _, graph in nx_graph.edges(data="graph")} == {G2023, G2024}


def test_blank_nodes_stay_distinct():
    first, second = BNode("k1f0b1"), BNode("k1f1b1")
    nx_graph = build_nx_graph([
        (first, FOAF.mbox, URIRef("mailto:alice@example.org"), None),
        (second, FOAF.mbox, URIRef("mailto:bruno@example.net"), None),
    ])
    assert set(nx_graph.successors(first)) == {URIRef("mailto:alice@example.org")}
    assert set(nx_graph.successors(second)) == {URIRef("mailto:bruno@example.net")}


def test_literal_and_iri_stay_distinct():
    text = EX + "Club"
    nx_graph = build_nx_graph([
        (RHEA, URIRef(EX + "memberOf"), URIRef(text), None),
        (RHEA, URIRef(EX + "note"), Literal(text), None),
    ])
    assert nx_graph.number_of_nodes() == 3
