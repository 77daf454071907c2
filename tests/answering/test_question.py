"""Tests for question analysis: form, answer type, negation, widening and display language."""

from __future__ import annotations

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from kgqa.answering.question import (
    analyze_question,
    display_language,
    is_temporal_literal,
    is_temporal_relation,
)


@pytest.mark.parametrize(("question", "form"), [
    ("How many members does NE have?", "count"),
    ("Is NE a member of NE?", "yes_no"),
    ("Does NE play jazz?", "yes_no"),
    ("Which films feature both NE and NE?", "list"),
    ("Who directed NE?", "list"),
    ("can you name a film directed by NE", "list"),
    ("NE写了几部小说？", "count"),
    ("NE是作家吗？", "yes_no"),
])
def test_form_table(question, form):
    assert analyze_question(question).form == form


@pytest.mark.parametrize(("question", "answer_type"), [
    ("When was NE born?", "time"),
    ("In what year was NE released?", "time"),
    ("NE是哪一年发表的?", "time"),
    ("Where was NE born?", "place"),
    ("Who wrote NE?", "person"),
    ("How many members does NE have?", "number"),
    ("Which country is NE in?", "entity"),
    ("NE写了哪部小说?", "entity"),
    ("What is the gain of NE?", "any"),
    ("What does a NE eat?", "any"),
])
def test_answer_type_table(question, answer_type):
    assert analyze_question(question).answer_type == answer_type


@pytest.mark.parametrize(("question", "negated"), [
    ("Which restaurants do not serve meat?", True),
    ("Which restaurants don't serve meat?", True),
    ("Which restaurants serve meat?", False),
    ("哪些餐馆不供应肉?", True),
])
def test_negation_table(question, negated):
    assert analyze_question(question).negated is negated


@pytest.mark.parametrize(("question", "widened"), [
    ("How many people have ever been in NE?", True),
    ("How many people are in NE in total?", True),
    ("How many members does NE have?", False),
])
def test_widening_table(question, widened):
    assert analyze_question(question).widened is widened


@pytest.mark.parametrize(("question", "language"), [
    ("鲁迅写了哪部小说？", "zh"),
    ("Who wrote 狂人日记?", None),
    ("Who wrote A Madman's Diary?", None),
])
def test_display_language_table(question, language):
    assert display_language(question) == language


def test_temporal_literal_types():
    assert is_temporal_literal(Literal("1918", datatype=XSD.gYear))
    assert is_temporal_literal(Literal("1918-05-15", datatype=XSD.date))
    assert not is_temporal_literal(Literal(1918))


def test_temporal_relation_labels():
    assert is_temporal_relation("published Year")
    assert is_temporal_relation("release year")
    assert not is_temporal_relation("birth Place")
