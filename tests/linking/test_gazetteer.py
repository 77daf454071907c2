"""Tests of the gazetteer: patterns from graph labels, folded matching, caching and pickling."""

from __future__ import annotations

import pickle
import random

import pytest
from rdflib import RDFS, Literal, URIRef

from kgqa.graph.labels import LabelIndex
from kgqa.linking.gazetteer import Gazetteer, same_case
from kgqa.normalize import prepare_text

EX = "http://example.org/"

MUSIC = """
ex:Bjork rdfs:label "Björk" ; ex:knows ex:Thom .
ex:Thom rdfs:label "Thom Yorke" ; skos:altLabel "Thom"@en .
ex:knows rdfs:label "knows" .
ex:NYState rdfs:label "New York" .
ex:NYC rdfs:label "New York City" .
ex:York rdfs:label "York" .
ex:JaguarCo rdfs:label "Jaguar" .
ex:JaguarCat rdfs:label "jaguar" .
"""


def _matched(gazetteer, nlp, question):
    doc = nlp(prepare_text(question))
    return {(doc[match.start:match.end].text, str(entry.entity))
            for match in gazetteer.match(doc) for entry in match.entries}


def test_relations_are_not_patterns(make_kg, nlp):
    gazetteer = Gazetteer.build(make_kg(MUSIC).labels, nlp)

    assert ("knows",) not in gazetteer.patterns
    assert ("bjork",) in gazetteer.patterns


def test_aliases_are_patterns(make_kg, nlp):
    gazetteer = Gazetteer.build(make_kg(MUSIC).labels, nlp)

    assert ("Thom", EX + "Thom") in _matched(gazetteer, nlp, "Who is Thom?")


@pytest.mark.parametrize("question", [
    "Who knows Björk?",
    "Who knows Bjork?",
    "Who knows BJÖRK?",
    "Who knows Bjo\u0308rk?",
    "Who knows Ｂｊöｒｋ？",
])
def test_match_folds_case_and_accents(make_kg, nlp, question):
    gazetteer = Gazetteer.build(make_kg(MUSIC).labels, nlp)

    entities = {entity for _, entity in _matched(gazetteer, nlp, question)}

    assert EX + "Bjork" in entities


def test_match_keeps_overlapping_spans(make_kg, nlp):
    gazetteer = Gazetteer.build(make_kg(MUSIC).labels, nlp)

    matched = _matched(gazetteer, nlp, "Tell me about New York City.")

    assert ("New York City", EX + "NYC") in matched
    assert ("New York", EX + "NYState") in matched
    assert ("York", EX + "York") in matched


def test_homographs_share_one_pattern(make_kg, nlp):
    gazetteer = Gazetteer.build(make_kg(MUSIC).labels, nlp)

    entities = {str(entry.entity) for entry in gazetteer.patterns[("jaguar",)]}

    assert entities == {EX + "JaguarCo", EX + "JaguarCat"}


def test_for_graph_caches_in_kg(make_kg, nlp):
    kg = make_kg(MUSIC)

    first = Gazetteer.for_graph(kg, nlp)
    second = Gazetteer.for_graph(kg, nlp)

    assert first is second


def test_pickle_round_trip_matches(make_kg, nlp):
    gazetteer = Gazetteer.build(make_kg(MUSIC).labels, nlp)
    gazetteer.prepare(nlp.vocab)

    restored = pickle.loads(pickle.dumps(gazetteer))

    assert restored.patterns == gazetteer.patterns
    assert ("New York City", EX + "NYC") in _matched(restored, nlp, "Is New York City big?")


def test_chinese_label_matches_inside_text(make_kg, nlp):
    kg = make_kg('ex:LuXun rdfs:label "鲁迅"@zh .')
    gazetteer = Gazetteer.build(kg.labels, nlp)

    assert ("鲁迅", EX + "LuXun") in _matched(gazetteer, nlp, "鲁迅写了哪部小说？")


def _generated_labels(count: int) -> LabelIndex:
    """Return labels of ``count`` entities named like "Greta Borantor" or "The Velsun Drazor"."""
    chooser = random.Random(7)
    syllables = ["ka", "lo", "mi", "ran", "tor", "vel", "sun", "dra", "pe", "zor", "an", "qui"]
    first_names = [
        "Anna", "Boris", "Clara", "Farid", "Greta", "Hiro", "Ines", "Kofi", "Nadia", "Omar",
    ]

    def word() -> str:
        return "".join(chooser.choice(syllables) for _ in range(chooser.randint(2, 3))).capitalize()

    triples = []
    for number in range(count):
        name = f"{chooser.choice(first_names)} {word()}" if number % 2 else f"The {word()} {word()}"
        triples.append((URIRef(f"{EX}e{number}"), RDFS.label, Literal(name)))
    return LabelIndex.from_triples(triples)


def test_large_generated_graph_builds(nlp):
    labels = _generated_labels(40_000)
    names = [labels.display(URIRef(f"{EX}e{number}")) for number in (11, 2_000, 39_999)]

    gazetteer = Gazetteer.build(labels, nlp)
    found = {entry.label for name in names
             for match in gazetteer.match(nlp(f"Who is {name}, really?"))
             for entry in match.entries}

    assert len(gazetteer) > 10_000
    for name in names:
        assert name in found


@pytest.mark.parametrize(("mention", "label", "same"), [
    ("Up", "Up", True),
    ("up", "Up", False),
    ("Bjork", "Björk", True),
    ("Harlow’s", "Harlow's", True),
    ("New  York", "New York", True),
])
def test_same_case_ignores_accents_only(mention, label, same):
    assert same_case(mention, label) is same


ATLAS = """
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
ex:City a rdfs:Class ; rdfs:label "city" .
ex:Element a rdfs:Class ; rdfs:label "chemical element" .
ex:Paris a ex:City ; rdfs:label "Paris" .
ex:Iron a ex:Element ; rdfs:label "iron" .
ex:capital a rdf:Property ; rdfs:label "capital" .
ex:Ann foaf:mbox <mailto:ann@example.org> ; rdfs:label "Ann" .
"""


def _class_entries(gazetteer, key):
    return {(str(entry.entity), entry.is_class) for entry in gazetteer.patterns.get(key, ())}


@pytest.mark.parametrize(("key", "expected"), [
    (("city",), {(EX + "City", True)}),
    (("cities",), {(EX + "City", True)}),
    (("chemical", "elements"), {(EX + "Element", True)}),
    (("element",), {(EX + "Element", True)}),
    (("elements",), {(EX + "Element", True)}),
    (("people",), {("http://xmlns.com/foaf/0.1/Person", True)}),
    (("persons",), {("http://xmlns.com/foaf/0.1/Person", True)}),
    (("paris",), {(EX + "Paris", False)}),
])
def test_class_forms_are_patterns(make_kg, nlp, key, expected):
    gazetteer = Gazetteer.for_graph(make_kg(ATLAS), nlp)

    assert _class_entries(gazetteer, key) == expected


def test_schema_terms_are_left_out(make_kg, nlp):
    gazetteer = Gazetteer.for_graph(make_kg(ATLAS), nlp)

    assert ("property",) not in gazetteer.patterns
    assert ("class",) not in gazetteer.patterns


def test_entity_count_excludes_classes(make_kg, nlp):
    gazetteer = Gazetteer.for_graph(make_kg(ATLAS), nlp)
    entities = {str(entry.entity) for entry in gazetteer.entries() if not entry.is_class}

    assert entities == {EX + "Paris", EX + "Iron", EX + "Ann", EX + "capital",
                        "mailto:ann@example.org"}
    assert gazetteer.entity_count() == len(entities)


def test_build_without_classes_marks_none(make_kg, nlp):
    gazetteer = Gazetteer.build(make_kg(ATLAS).labels, nlp)

    assert not any(entry.is_class for entry in gazetteer.entries())
    assert ("cities",) not in gazetteer.patterns


@pytest.mark.parametrize(("label", "heads"), [
    ("Isle of Man", {"isle"}),
    ("Republic of the Marshall Islands", {"republic"}),
    ("Alexander the Great", {"alexander"}),
    ("Congo (Democratic Republic of the)", set()),
    ("Aguirre, the Wrath of God", {"wrath"}),
    ("bank of the river", set()),
    ("Holy See", set()),
])
def test_title_heads_from_labels(make_kg, nlp, label, heads):
    gazetteer = Gazetteer.build(make_kg(f'ex:X rdfs:label "{label}" .').labels, nlp)

    assert gazetteer.title_heads() == heads


def test_title_heads_survive_pickle(make_kg, nlp):
    gazetteer = Gazetteer.build(make_kg('ex:X rdfs:label "Isle of Man" .').labels, nlp)
    gazetteer.title_heads()

    restored = pickle.loads(pickle.dumps(gazetteer))

    assert restored.title_heads() == {"isle"}
