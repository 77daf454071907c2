"""Tests for question words: stems, focus nouns, relation words and attribute words."""

from __future__ import annotations

import pytest

from kgqa.retrieval.words import (
    attribute_words,
    focus_word,
    relation_words,
    stem,
    stems_match,
)


@pytest.mark.parametrize(("left", "right"), [
    ("wrote", "writer"),
    ("written", "writes"),
    ("screenwriter", "written"),
    ("discovered", "discovery"),
    ("headquartered", "headquarters"),
])
def test_stems_match_word_forms(left, right):
    assert stems_match(stem(left), stem(right))


@pytest.mark.parametrize(("left", "right"), [
    ("melting", "weight"),
    ("president", "capital"),
    ("form", "formation"),
])
def test_stems_differ_for_other_words(left, right):
    assert not stems_match(stem(left), stem(right))


@pytest.mark.parametrize(("question", "expected"), [
    ("Which currency does NE use?", "currency"),
    ("In which city is the parent company of NE headquartered?", "city"),
    ("How many people live in NE?", "people"),
    ("What is the capital of NE?", None),
    ("Who directed NE?", None),
])
def test_focus_word_table(question, expected):
    assert focus_word(question) == expected


@pytest.mark.parametrize(("question", "excluded", "expected"), [
    ("What is the melting point of NE?", [], ["melting", "point"]),
    ("Which currency does NE use?", ["currency"], []),
    ("What is NE's email address?", [], ["email"]),
    ("Is NE a current member of NE?", [], ["member"]),
    ("Which movies share the same director of NE?", [], ["director"]),
    ("How many members does NE have?", [], ["members"]),
    ("How many people live in NE?", [], ["live"]),
    ("When did Apple release it in 2023?", [], ["apple", "release"]),
])
def test_relation_words_table(question, excluded, expected):
    assert relation_words(question, excluded) == expected


@pytest.mark.parametrize(("question", "expected"), [
    ("What is the melting point of NE?", {"melting", "point"}),
    ("What was NE's revenue in 2023?", {"revenue"}),
    ("What is the life expectancy in NE?", {"life", "expectancy"}),
    ("How many employees does NE have?", {"employees"}),
    ("Which films feature both NE and NE?", set()),
    ("Which films did NE not appear in?", set()),
])
def test_attribute_words_table(question, expected):
    assert attribute_words(question, relation_words(question)) == expected
