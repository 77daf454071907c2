"""Tests for questions about a class that name no entity."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import RDF

EX = Namespace("http://example.org/")


def _labels(answer) -> list[str]:
    return sorted(item.label for item in answer.answers)


def test_count_class_instances(world, ask):
    answer = ask(world, "How many countries are there?", {"countries": EX.Country})

    assert answer.status == "answered"
    assert answer.kind == "count"
    assert _labels(answer) == ["3"]
    assert [mention.entity for mention in answer.classes] == [EX.Country]
    assert answer.linked_entities == []


def test_instances_carry_type_evidence(world, ask):
    answer = ask(world, "Which cities are in the graph?", {"cities": EX.City})

    assert _labels(answer) == ["Berlin", "Paris", "Tokyo"]
    assert {(triple.predicate, triple.object) for triple in answer.evidence} == {(RDF.type, EX.City)}


def test_instances_by_literal_value(world, ask):
    answer = ask(world, "Which countries have a population of 68?", {"countries": EX.Country})

    assert _labels(answer) == ["France"]
    assert (answer.evidence[0].subject, answer.evidence[0].predicate) == (EX.France,
                                                                         EX.population)


def test_value_then_second_relation(world, ask):
    answer = ask(world, "What is the capital of the country with population 84?")

    assert _labels(answer) == ["Berlin"]
    assert {triple.predicate for triple in answer.evidence} == {EX.population, EX.capital}


def test_unknown_relation_not_in_graph(world, ask):
    answer = ask(world, "Which countries have a national anthem?", {"countries": EX.Country})

    assert answer.status == "not_in_graph"
    assert answer.answers == []
    assert "national anthem" in answer.text
