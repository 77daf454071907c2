"""Tests for answer types: the answer class of a question and classes that are not agents."""

from __future__ import annotations

import pytest
from rdflib import Literal, Namespace

from kgqa.answering.answer_types import AgentTypes, answer_class, class_share
from kgqa.answering.result import LinkedEntity

EX = Namespace("http://example.org/")


def _mention(text: str, question: str) -> LinkedEntity:
    start = question.index(text)
    return LinkedEntity(text, start, start + len(text), EX[text], text, 1.0)


def test_non_agent_classes_from_labels(world, embedder):
    agents = AgentTypes(world, embedder)

    assert agents.non_agent_classes() == {EX.City, EX.Country, EX.Currency}


@pytest.mark.parametrize(("node", "expected"), [
    (EX.Paris, True),
    (EX.Frank, False),
    (EX.Nowhere, False),
    (Literal("Paris"), False),
])
def test_is_non_agent_table(world, embedder, node, expected):
    assert AgentTypes(world, embedder).is_non_agent(node) is expected


def test_no_agents_needs_members(world, embedder):
    agents = AgentTypes(world, embedder)

    assert agents.none_are_agents([EX.Paris, EX.Yen])
    assert not agents.none_are_agents([EX.Paris, EX.Frank])
    assert not agents.none_are_agents([])


@pytest.mark.parametrize(("question", "mentions", "answer_type", "expected"), [
    ("Which currency does NE use?", ["currency"], "entity", "currency"),
    ("In which city is the parent company of NE headquartered?", ["company", "city"], "entity",
     "city"),
    ("What are the official languages of NE?", ["languages"], "any", "languages"),
    ("What is the capital of the country that borders NE?", ["country"], "any", None),
    ("Who founded the company headquartered in NE?", ["company"], "person", None),
])
def test_answer_class_table(question, mentions, answer_type, expected):
    classes = [_mention(text, question) for text in mentions]

    found = answer_class(classes, question, answer_type)

    assert (found.mention if found else None) == expected


def test_class_share_counts_instances(world):
    assert class_share(world, [EX.Paris, EX.Yen], EX.City) == 0.5
    assert class_share(world, [], EX.City) == 0.0
