"""Tests of the linking pipeline: tokenizer changes, token norms and token classes."""

from __future__ import annotations

import pytest
import spacy

from kgqa.errors import InvalidInput, ModelUnavailable
from kgqa.linking.pipeline import (
    NORMS_COMPONENT,
    build_nlp,
    is_name_like,
    is_ordinary_token,
    is_sentence_start,
    is_title_abbreviation,
    is_title_case,
    name_runs,
    token_norm,
)
from kgqa.normalize import prepare_text


def test_blank_pipeline_sets_norms(nlp):
    doc = nlp("Björk")

    assert NORMS_COMPONENT in nlp.pipe_names
    assert doc[0].norm_ == "bjork"


def test_unknown_language_raises():
    with pytest.raises(InvalidInput, match="Unknown spaCy language code 'qq'"):
        build_nlp("blank:qq")


def test_missing_trained_pipeline_raises():
    with pytest.raises(ModelUnavailable, match="en_core_web_notinstalled"):
        build_nlp("en_core_web_notinstalled")


def test_empty_pipeline_name_raises():
    with pytest.raises(InvalidInput, match="KGQA_SPACY_PIPELINE"):
        build_nlp("  ")


def test_cjk_split_per_character(nlp):
    doc = nlp(prepare_text("鲁迅写了哪部小说？"))

    assert [token.text for token in doc] == ["鲁", "迅", "写", "了", "哪", "部", "小", "说", "?"]


def test_cjk_split_from_latin_neighbours(nlp):
    doc = nlp("Lu鲁迅Xun")

    assert [token.text for token in doc] == ["Lu", "鲁", "迅", "Xun"]


@pytest.mark.parametrize(("text", "tokens"), [
    ("founded AT&T.", ["founded", "AT&T", "."]),
    ("Who designed C++?", ["Who", "designed", "C++", "?"]),
    ("in St. Louis", ["in", "St.", "Louis"]),
    ("the U.S. economy", ["the", "U.S", ".", "economy"]),
    ("wait...", ["wait", "..."]),
])
def test_final_period_split(nlp, text, tokens):
    assert [token.text for token in nlp(text)] == tokens


@pytest.mark.parametrize(("text", "norm"), [
    ("Björk", "bjork"),
    ("Bjo\u0308rk", "bjork"),
    ("ＢＪＯＲＫ", "bjork"),
    ("Łódź", "lodz"),
    ("’s", "'s"),
    ("Straße", "strasse"),
])
def test_token_norm_folds(text, norm):
    assert token_norm(text) == norm


@pytest.mark.parametrize(("word", "ordinary"), [
    ("up", True),
    ("What", True),
    ("C", True),
    ("time", True),
    ("?", True),
    ("Coventry", False),
    ("jaguar", False),
    ("C++", False),
])
def test_ordinary_token_classes(nlp, word, ordinary):
    assert is_ordinary_token(nlp(word)[0]) is ordinary


def test_sentence_start_after_question_mark(nlp):
    doc = nlp("Who directed Up? Paris is big.")

    assert is_sentence_start(doc, 0)
    assert not is_sentence_start(doc, 2)
    assert is_sentence_start(doc, 4)


def test_sentence_start_uses_sentencizer():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    doc = nlp("Is it big? Paris is.")

    assert doc.has_annotation("SENT_START")
    assert is_sentence_start(doc, 4)
    assert not is_sentence_start(doc, 5)


def test_sentence_start_skips_opening_bracket(nlp):
    doc = nlp("[Paris] is big")

    assert is_sentence_start(doc, 1)


@pytest.mark.parametrize(("word", "name_like"), [
    ("Hilton", True),
    ("AT&T", True),
    ("Up", False),
    ("What", False),
    ("hilton", False),
    ("1999", False),
    ("CEO", False),
    ("CFOs", False),
    ("IBM", True),
])
def test_name_like_tokens(nlp, word, name_like):
    assert is_name_like(nlp(word)[0]) is name_like


@pytest.mark.parametrize(("text", "expected"), [
    ("CEO", True),
    ("CEOs", True),
    ("CISO", True),
    ("SVP", True),
    ("VPs", True),
    ("CO", False),
    ("IBM", False),
    ("Ceo", False),
])
def test_title_abbreviation_table(text, expected):
    assert is_title_abbreviation(text) is expected


@pytest.mark.parametrize(("question", "title_case"), [
    ("What Is The Population Of New York City?", True),
    ("What Is the Population of New York City?", True),
    ("WHO DIRECTED UP?", True),
    ("What is the population of New York City?", False),
    ("Visit Ursula Kemp in Paris?", False),
    ("Who is Ursula Kemp?", False),
])
def test_title_case_detection(nlp, question, title_case):
    assert is_title_case(nlp(question)) is title_case


@pytest.mark.parametrize(("question", "runs"), [
    ("What does Paris Hilton do?", ["Paris Hilton"]),
    ("Visit Paris today.", ["Paris"]),
    ("Marlow Vance was born where?", ["Marlow Vance"]),
    ("Where were Guns N' Roses formed?", ["Guns N' Roses"]),
    ("Is the Bank of Ireland open?", ["Bank", "Ireland"]),
    ("Is Paris, France big?", ["Paris", "France"]),
    ("Who is the CEO of Google?", ["Google"]),
    ("Who were the former CEOs of Google?", ["Google"]),
    ("When did Tim Cook become CEO of Apple?", ["Tim Cook", "Apple"]),
    ("Is Eric Schmidt the CEO of Google?", ["Eric Schmidt", "Google"]),
    ("Did the CFO of Intel Corp resign?", ["Intel Corp"]),
    ("Is the USA Mexico's neighbour?", ["USA", "Mexico"]),
    ("Does IBM Research publish?", ["IBM Research"]),
    ("Who is Ludwig van Beethoven?", ["Ludwig van Beethoven"]),
    ("Where was Bashar al-Assad born?", ["Bashar al-Assad"]),
    ("Who is the President of France?", ["President", "France"]),
])
def test_name_runs_table(nlp, question, runs):
    doc = nlp(question)

    assert [doc[start:end].text for start, end in name_runs(doc, set())] == runs


@pytest.mark.parametrize(("question", "runs"), [
    ("Is the Bank of Ireland open?", ["Bank of Ireland"]),
    ("Who owns the Bank of the West?", ["Bank of the West"]),
    ("Who is the President of France?", ["President", "France"]),
])
def test_name_runs_join_title_heads(nlp, question, runs):
    doc = nlp(question)

    found = name_runs(doc, set(), title_heads=frozenset({"bank"}))

    assert [doc[start:end].text for start, end in found] == runs


def test_name_runs_keep_matched_start(nlp):
    doc = nlp("Paris Hilton is famous.")

    assert name_runs(doc, {0}) == [(0, 2)]
    assert name_runs(doc, set()) == [(1, 2)]
