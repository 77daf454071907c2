"""Answer metrics on hand-made cases with known values."""

from __future__ import annotations

import numpy as np
import pytest

from kgqa.errors import InvalidInput
from kgqa.evaluation.metrics import (
    any_label_in_text,
    exact_match,
    hits_at_1,
    label_in_text,
    normalize_answer,
    percentile,
    precision_recall_f1,
)


def test_perfect_answer_scores_one():
    predicted, gold = ["Tokyo", "Kyoto"], ["Kyoto", "Tokyo"]
    assert hits_at_1(predicted, gold) == 1.0
    assert exact_match(predicted, gold) == 1.0
    assert precision_recall_f1(predicted, gold) == (1.0, 1.0, 1.0)


def test_empty_answer_scores_zero():
    assert hits_at_1([], ["Paris"]) == 0.0
    assert exact_match([], ["Paris"]) == 0.0
    assert precision_recall_f1([], ["Paris"]) == (1.0, 0.0, 0.0)


def test_partial_overlap_known_values():
    predicted, gold = ["Ann", "Bea", "Cy"], ["Bea", "Cy", "Dee", "Eve"]
    precision, recall, f1 = precision_recall_f1(predicted, gold)
    assert hits_at_1(predicted, gold) == 0.0
    assert exact_match(predicted, gold) == 0.0
    assert precision == pytest.approx(2 / 3)
    assert recall == pytest.approx(0.5)
    assert f1 == pytest.approx(4 / 7)


def test_first_answer_decides_hits():
    assert hits_at_1(["Bea", "Ann"], ["Bea"]) == 1.0
    assert hits_at_1(["Ann", "Bea"], ["Bea"]) == 0.0


def test_correct_abstention_scores_one():
    assert hits_at_1([], []) == 1.0
    assert exact_match([], []) == 1.0
    assert precision_recall_f1([], []) == (1.0, 1.0, 1.0)


def test_answer_to_unanswerable_scores_zero():
    assert hits_at_1(["Paris"], []) == 0.0
    assert exact_match(["Paris"], []) == 0.0
    assert precision_recall_f1(["Paris"], []) == (0.0, 1.0, 0.0)


def test_duplicate_predictions_count_once():
    assert precision_recall_f1(["Paris", "paris", "PARIS"], ["Paris"]) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize(("first", "second"), [
    ("São Paulo", "sao paulo"),
    ("127,080,000", "127080000"),
    ("Jean-Luc Picard", "jean luc picard"),
    ("  Tokyo\t", "TOKYO"),
    ("Łódź", "lodz"),
    ("The Lord of the Rings: The Two Towers", "the lord of the rings the two towers"),
])
def test_normalization_makes_equal(first, second):
    assert normalize_answer(first) == normalize_answer(second)


def test_normalization_keeps_decimals_apart():
    assert normalize_answer("26.98") != normalize_answer("2698")


@pytest.mark.parametrize(("label", "text", "expected"), [
    ("Paris", "The capital of France is Paris.", True),
    ("paris", "PARIS is the capital.", True),
    ("Marie Curie", "It was discovered by Marie  Curie in 1898.", True),
    ("São Paulo", "Its largest city is Sao Paulo.", True),
    ("127080000", "Japan has 127,080,000 people.", True),
    ("Paris", "Parisian cafés are famous.", False),
    ("Yen", "The currency is the euro.", False),
    ("", "Anything at all.", False),
])
def test_label_in_text_table(label, text, expected):
    assert label_in_text(label, text) is expected


def test_any_label_in_text():
    assert any_label_in_text(["Pierre Curie", "Marie Curie"], "Marie Curie discovered it.")
    assert not any_label_in_text(["Pierre Curie"], "Marie Curie discovered it.")
    assert not any_label_in_text([], "Marie Curie discovered it.")


def test_percentile_matches_numpy():
    values = [12.0, 3.5, 7.0, 100.0, 41.0, 8.0]
    for q in (0, 25, 50, 95, 100):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_percentile_of_nothing_is_none():
    assert percentile([], 50) is None


def test_percentile_out_of_range_raises():
    with pytest.raises(InvalidInput, match="101"):
        percentile([1.0], 101)
