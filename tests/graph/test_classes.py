"""Class index: stated types, domains and ranges, and well-known person properties."""

from __future__ import annotations

from rdflib import Dataset, URIRef
from rdflib.namespace import FOAF

from kgqa.graph.classes import ClassIndex
from kgqa.graph.knowledge_graph import dataset_quads

EX = "http://example.org/"


def _index(turtle: str) -> ClassIndex:
    dataset = Dataset()
    dataset.default_graph.parse(data=turtle, format="turtle")
    return ClassIndex.from_triples((s, p, o) for s, p, o, _ in dataset_quads(dataset))


def test_stated_type_is_class():
    index = _index("@prefix ex: <http://example.org/> . ex:a a ex:City .")
    assert index.is_class(URIRef(EX + "City"))
    assert index.instances(URIRef(EX + "City")) == {URIRef(EX + "a")}
    assert not index.is_class(URIRef(EX + "a"))


def test_declared_class_without_instances():
    index = _index("@prefix ex: <http://example.org/> . "
                   "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . ex:Port a rdfs:Class .")
    assert index.is_class(URIRef(EX + "Port"))
    assert index.instances(URIRef(EX + "Port")) == set()


def test_domain_and_range_infer_types():
    index = _index("""@prefix ex: <http://example.org/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ex:directedBy rdfs:domain ex:Film ; rdfs:range ex:Person .
        ex:up ex:directedBy ex:docter .""")
    assert index.types_of(URIRef(EX + "up")) == {URIRef(EX + "Film")}
    assert index.types_of(URIRef(EX + "docter")) == {URIRef(EX + "Person")}
    assert index.reason(URIRef(EX + "up"), URIRef(EX + "Film"))[1] == URIRef(EX + "directedBy")


def test_literal_range_adds_no_type():
    index = _index("""@prefix ex: <http://example.org/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:age rdfs:range xsd:integer . ex:a ex:age 4 .""")
    assert index.classes() == set()


def test_foaf_mbox_makes_person():
    index = _index("""_:p <http://xmlns.com/foaf/0.1/name> "Alice" .
        _:p <http://xmlns.com/foaf/0.1/mbox> <mailto:alice@example.org> .""")
    assert len(index.instances(FOAF.Person)) == 1
