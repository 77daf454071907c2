"""Tests of typo tolerance and the embedding fallback: heads, guards, margins, autocomplete."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from kgqa.linking.fuzzy import (
    EmbeddingIndex,
    FuzzyIndex,
    candidate_spans,
    differs_by_typos,
    label_head,
    pick_closest,
)
from kgqa.linking.gazetteer import Gazetteer

EX = "http://example.org/"

PEOPLE = """
ex:Vance rdfs:label "Marlowe Vance" .
ex:Vane rdfs:label "Marlow Vane" .
ex:VP rdfs:label "Vision Pro" .
ex:AD rdfs:label "Alzheimer's disease" .
ex:Alz rdfs:label "Alzheimer" .
ex:NYC rdfs:label "New York City" .
ex:JaguarCo rdfs:label "Jaguar" .
ex:JaguarCat rdfs:label "jaguar" .
ex:ZAF rdfs:label "South Africa" .
ex:Group18 rdfs:label "group 18" .
"""


@pytest.fixture
def gazetteer(make_kg, nlp):
    return Gazetteer.build(make_kg(PEOPLE).labels, nlp)


@pytest.fixture
def fuzzy_index(gazetteer, nlp):
    return FuzzyIndex(gazetteer.entries(), frozenset(nlp.Defaults.stop_words))


@pytest.mark.parametrize(("label", "head"), [
    ("Alzheimer's disease", "Alzheimer's"),
    ("Parkinson's disease", "Parkinson's"),
    ("Ebola virus", "Ebola"),
    ("Vision Pro", ""),
    ("University of Oxford", ""),
    ("Down syndrome", ""),
    ("river", ""),
])
def test_label_head_table(nlp, label, head):
    assert label_head(label, frozenset(nlp.Defaults.stop_words)) == head


def test_search_finds_one_letter_typo(fuzzy_index):
    hits = fuzzy_index.search("Visio Pro", 0.88)

    assert [str(hit.entry.entity) for hit in hits] == [EX + "VP"]
    assert hits[0].score == pytest.approx(18 / 19)


def test_search_reaches_label_head(fuzzy_index):
    hits = fuzzy_index.search("alzeimer's", 0.88)

    assert EX + "AD" in {str(hit.entry.entity) for hit in hits}


def test_head_hit_scores_below_full_label(fuzzy_index):
    scores = {str(hit.entry.entity): hit.score for hit in fuzzy_index.search("Alzheimer's", 0.88)}

    assert scores[EX + "AD"] < 1.0
    assert scores[EX + "AD"] == pytest.approx(0.98)


@pytest.mark.parametrize(("text", "key", "expected"), [
    ("south afrika", "south africa", True),
    ("germny", "germany", True),
    ("marlow vance", "marlowe vance", True),
    ("south america", "south africa", False),
    ("vatican city use", "vatican city state", False),
    ("group 19", "group 18", False),
    ("spike le", "spike lee", True),
    ("grup 18", "group 18", True),
])
def test_differs_by_typos_table(text, key, expected):
    assert differs_by_typos(text, key) is expected


@pytest.mark.parametrize("text", ["South America", "group 19"])
def test_search_skips_different_words(fuzzy_index, text):
    assert fuzzy_index.search(text, 0.85) == []


def test_search_keeps_misspelled_words(fuzzy_index):
    hits = fuzzy_index.search("South Afrika", 0.85)

    assert [str(hit.entry.entity) for hit in hits] == [EX + "ZAF"]


def test_search_repeats_give_fresh_lists(fuzzy_index):
    first = fuzzy_index.search("South Afrika", 0.85)
    first.clear()
    second = fuzzy_index.search("south afrika", 0.85)

    assert [str(hit.entry.entity) for hit in second] == [EX + "ZAF"]


def test_search_below_threshold_is_empty(fuzzy_index):
    assert fuzzy_index.search("Vienna", 0.88) == []


def test_near_twins_are_unclear(fuzzy_index):
    hits = fuzzy_index.search("Marlow Vance", 0.88)

    closest, clear = pick_closest(hits, 0.03)

    assert {str(hit.entry.entity) for hit in hits} == {EX + "Vance", EX + "Vane"}
    assert [str(hit.entry.entity) for hit in closest] == [EX + "Vance"]
    assert not clear


def test_single_close_label_is_clear(fuzzy_index):
    closest, clear = pick_closest(fuzzy_index.search("Marlowe Vancee", 0.88), 0.03)

    assert [str(hit.entry.entity) for hit in closest] == [EX + "Vance"]
    assert clear


def test_homographs_group_as_closest(fuzzy_index):
    closest, clear = pick_closest(fuzzy_index.search("Jagguar", 0.88), 0.03)

    assert {str(hit.entry.entity) for hit in closest} == {EX + "JaguarCo", EX + "JaguarCat"}
    assert clear


def _span_texts(nlp, question, units=()):
    doc = nlp(question)
    return [doc[start:end].text
            for start, end in candidate_spans(doc, [True] * len(doc), list(units))]


@pytest.mark.parametrize(("question", "absent"), [
    ("Who directed Upp?", "Upp"),
    ("How many people live there?", "people"),
    ("What is the time there?", "the time"),
    ("Whereas Leeds grew, who led it?", "Whereas"),
    ("鲁迅写了哪部小说？", "鲁迅"),
])
def test_candidate_spans_guards(nlp, question, absent):
    assert absent not in _span_texts(nlp, question)


def test_candidate_spans_keep_possessive(nlp):
    assert "alzeimer's" in _span_texts(nlp, "Which organ does alzeimer's affect?")


def test_candidate_spans_keep_units_whole(nlp):
    spans = _span_texts(nlp, "What does Paris Hilton do for a living?", units=[(2, 4)])

    assert "Paris Hilton" in spans
    assert "Paris" not in spans
    assert "Hilton" not in spans


def test_complete_prefers_prefix(fuzzy_index):
    hits = fuzzy_index.complete("Marl", 5)

    assert {str(hit.entry.entity) for hit in hits[:2]} == {EX + "Vance", EX + "Vane"}
    assert hits[0].score >= 0.9


def test_complete_matches_inner_word(fuzzy_index):
    hits = fuzzy_index.complete("york", 5)

    assert str(hits[0].entry.entity) == EX + "NYC"


def test_complete_tolerates_typo(fuzzy_index):
    hits = fuzzy_index.complete("Vission Pro", 5)

    assert str(hits[0].entry.entity) == EX + "VP"
    assert hits[0].score <= 0.8


def test_embedding_index_finds_abbreviation(gazetteer, embedder):
    index = EmbeddingIndex(gazetteer.entries(), embedder)

    hits = index.search("NYC", 0.85)

    assert str(hits[0].entry.entity) == EX + "NYC"
    assert index.matrix.shape == (len(index.texts), embedder.dimension)


def test_embedding_index_uses_given_matrix(gazetteer, embedder):
    matrix = embedder.encode_many(sorted({entry.label for entry in gazetteer.entries()}))

    index = EmbeddingIndex(gazetteer.entries(), embedder, matrix)

    assert index.matrix is matrix


def test_embedding_index_ignores_wrong_matrix(gazetteer, embedder, caplog):
    wrong = np.zeros((2, embedder.dimension), dtype=np.float32)

    with caplog.at_level(logging.WARNING, logger="kgqa.linking.fuzzy"):
        index = EmbeddingIndex(gazetteer.entries(), embedder, wrong)

    assert "ignoring precomputed label embeddings" in caplog.text
    assert index.matrix.shape == (len(index.texts), embedder.dimension)
