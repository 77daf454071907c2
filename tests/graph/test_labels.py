"""The label index: label priority, language preference, owl:sameAs aliases, local-name fallback."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kgqa.graph.labels import LabelIndex

EX = "http://example.org/"
PREFIXES = """@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix schema: <http://schema.org/> .
"""


def _index(turtle: str) -> LabelIndex:
    graph = Graph()
    graph.parse(data=PREFIXES + turtle, format="turtle")
    return LabelIndex.from_triples(graph)


def _texts(index: LabelIndex, local: str) -> set[str]:
    return {label.text for label in index.labels(URIRef(EX + local))}


def test_rdfs_label_is_displayed():
    index = _index('ex:Mira rdfs:label "Mira Okafor" .')
    assert index.display(URIRef(EX + "Mira")) == "Mira Okafor"


def test_pref_label_beats_rdfs_label():
    index = _index('ex:Mira rdfs:label "M. Okafor" ; skos:prefLabel "Mira Okafor" .')
    assert index.display(URIRef(EX + "Mira")) == "Mira Okafor"
    assert _texts(index, "Mira") == {"M. Okafor", "Mira Okafor"}


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ('"Łódź"@pl , "Lodz"@en', "Lodz"),
        ('"Lodz"@en , "Łódź"@pl', "Lodz"),
        ('"Łódź"@pl , "Lodz"', "Lodz"),
        ('"Łódź"@pl , "Lodz"@en-GB', "Lodz"),
        ('"Łódź"@pl', "Łódź"),
        ('"Łódź" , "Lodz"@en', "Lodz"),
    ],
)
def test_display_prefers_english_then_untagged(labels, expected):
    index = _index(f"ex:Lodz rdfs:label {labels} .")
    assert index.display(URIRef(EX + "Lodz")) == expected


def test_display_in_requested_language():
    index = _index('ex:Lodz rdfs:label "Łódź"@pl , "Lodz"@en .')
    assert index.display(URIRef(EX + "Lodz"), lang="pl") == "Łódź"
    assert index.display(URIRef(EX + "Lodz"), lang="de") == "Lodz"


def test_language_case_keeps_every_label(cases_dir):
    graph = Graph()
    graph.parse(cases_dir / "language-tagged-labels" / "graph.ttl", format="turtle")
    index = LabelIndex.from_triples(graph)
    assert _texts(index, "Lodz") == {"Łódź", "Lodz"}
    assert _texts(index, "Krakow") == {"Kraków", "Cracow"}
    assert index.display(URIRef(EX + "Gdansk")) == "Gdańsk"
    assert index.display(URIRef(EX + "Krakow")) == "Cracow"


def test_same_as_shares_aliases_both_ways():
    index = _index('ex:Lodz rdfs:label "Łódź"@pl . ex:City42 rdfs:label "Lodz"@en .\n'
                   "ex:Lodz owl:sameAs ex:City42 .")
    assert _texts(index, "Lodz") == {"Łódź", "Lodz"}
    assert _texts(index, "City42") == {"Łódź", "Lodz"}
    assert index.display(URIRef(EX + "Lodz")) == "Lodz"


def test_same_as_chain_is_transitive():
    index = _index('ex:A rdfs:label "Alpha" . ex:B rdfs:label "Bravo" .\n'
                   'ex:C rdfs:label "Charlie" .\n'
                   "ex:A owl:sameAs ex:B . ex:B owl:sameAs ex:C .")
    for local in ("A", "B", "C"):
        assert _texts(index, local) == {"Alpha", "Bravo", "Charlie"}


def test_same_as_keeps_real_label_first():
    index = _index('ex:city42 owl:sameAs ex:Lodz . ex:Lodz rdfs:label "Łódź"@pl .')
    assert index.display(URIRef(EX + "city42")) == "Łódź"


def test_local_name_fallback_split_into_words():
    index = _index("ex:Mira ex:birthPlace ex:New_Lagos .")
    assert index.display(URIRef(EX + "New_Lagos")) == "New Lagos"
    assert index.relation_label(URIRef(EX + "birthPlace")) == "birth Place"


def test_relation_label_from_rdfs_label():
    index = _index('ex:Mira ex:worksFor ex:Lumen . ex:worksFor rdfs:label "works for"@en .')
    assert index.relation_label(URIRef(EX + "worksFor")) == "works for"
    assert index.relation_label(RDF.type) == "type"


def test_label_predicates_are_not_relations():
    index = _index('ex:Mira rdfs:label "Mira" ; schema:name "Mira O." ; ex:worksFor ex:Lumen .')
    assert set(index.relations()) == {URIRef(EX + "worksFor")}
    assert index.is_relation(URIRef(EX + "worksFor"))
    assert not index.is_relation(RDFS.label)
    assert index.is_label_predicate(URIRef("http://schema.org/name"))


def test_literal_displayed_by_value():
    index = _index('ex:S7 ex:gain .5 .')
    assert index.display(Literal("0.5", datatype=XSD.decimal)) == "0.5"


def test_relation_labels_list_aliases():
    index = _index('ex:Acme ex:chiefExecutive ex:Mira .\n'
                   'ex:chiefExecutive rdfs:label "chief executive"@en ;\n'
                   '    skos:altLabel "CEO"@en , "Chief Executive"@en , "Vorstandschef"@de .')
    assert index.relation_labels(URIRef(EX + "chiefExecutive")) == [
        "chief executive", "CEO", "Vorstandschef"]


def test_relation_labels_without_label():
    index = _index("ex:Mira ex:birthPlace ex:New_Lagos .")
    assert index.relation_labels(URIRef(EX + "birthPlace")) == ["birth Place"]
