"""Tests for yes/no questions: two linked entities, class membership."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import RDF

EX = Namespace("http://example.org/")


def _verdict(answer) -> list[str]:
    return [item.label for item in answer.answers]


def test_linked_pair_without_relation_words(world, ask):
    answer = ask(world, "Is Tokyo in Japan?")

    assert _verdict(answer) == ["yes"]
    assert (answer.evidence[0].subject, answer.evidence[0].object) == (EX.Japan, EX.Tokyo)


def test_named_relation_links_pair(world, ask):
    answer = ask(world, "Does Germany border France?")

    assert _verdict(answer) == ["yes"]
    assert answer.evidence[0].predicate == EX.borders


def test_other_value_cited_from_subject(world, ask):
    answer = ask(world, "Is Paris the capital of Germany?")

    assert _verdict(answer) == ["no"]
    assert (answer.evidence[0].subject, answer.evidence[0].object) == (EX.Germany, EX.Berlin)
    assert "Berlin" in answer.text


def test_unnamed_relation_not_in_graph(world, ask):
    answer = ask(world, "Is Paris the twin city of Berlin?")

    assert answer.status == "not_in_graph"
    assert answer.answers == []


def test_class_membership_yes(world, ask):
    answer = ask(world, "Is Tokyo a city?")

    assert _verdict(answer) == ["yes"]
    assert (answer.evidence[0].predicate, answer.evidence[0].object) == (RDF.type, EX.City)


def test_class_membership_no(world, ask):
    answer = ask(world, "Is Japan a city?")

    assert _verdict(answer) == ["no"]
    assert answer.evidence[0].object == EX.Country
