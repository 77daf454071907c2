"""Score answers against gold answers: pure functions over answer labels and texts.

Every comparison goes through ``normalize_answer``: case folded, accents
removed, digit-group commas dropped ("127,080,000" = "127080000"), every other
punctuation character turned into a space, whitespace collapsed. So "São
Paulo" equals "sao paulo", and "Jean-Luc" equals "jean luc".

Set metrics follow the conventions of the WebQSP evaluation script: with no
gold answer and no prediction, precision, recall and F1 are all 1.0 (a correct
abstention). With no gold answer but a prediction they are 0.0, 1.0 and 0.0.
With gold answers but no prediction they are 1.0, 0.0 and 0.0.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence

from kgqa.errors import InvalidInput
from kgqa.normalize import fold

__all__ = [
    "any_label_in_text",
    "exact_match",
    "hits_at_1",
    "label_in_text",
    "normalize_answer",
    "percentile",
    "precision_recall_f1",
]

_DIGIT_GROUP_RE = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def normalize_answer(text: str) -> str:
    """Return the comparison key of an answer label or a text (see the module docstring)."""
    folded = _DIGIT_GROUP_RE.sub("", fold(text))
    spaced = "".join(" " if unicodedata.category(char)[0] in "PS" else char for char in folded)
    return " ".join(spaced.split())


def _answer_set(answers: Iterable[str]) -> set[str]:
    return {key for key in map(normalize_answer, answers) if key}


def hits_at_1(predicted: Sequence[str], gold: Iterable[str]) -> float:
    """Return 1.0 when the first prediction is a gold answer, else 0.0.

    With no gold answer, 1.0 means the prediction is empty too: the right abstention.
    """
    gold_set = _answer_set(gold)
    if not gold_set:
        return 1.0 if not _answer_set(predicted) else 0.0
    if not predicted:
        return 0.0
    return 1.0 if normalize_answer(predicted[0]) in gold_set else 0.0


def exact_match(predicted: Iterable[str], gold: Iterable[str]) -> float:
    """Return 1.0 when the predicted set equals the gold set after normalization, else 0.0."""
    return 1.0 if _answer_set(predicted) == _answer_set(gold) else 0.0


def precision_recall_f1(predicted: Iterable[str], gold: Iterable[str]) -> tuple[float, float, float]:
    """Return precision, recall and F1 of the predicted set against the gold set."""
    predicted_set, gold_set = _answer_set(predicted), _answer_set(gold)
    if not gold_set:
        return (1.0, 1.0, 1.0) if not predicted_set else (0.0, 1.0, 0.0)
    if not predicted_set:
        return 1.0, 0.0, 0.0

    hits = len(predicted_set & gold_set)
    precision = hits / len(predicted_set)
    recall = hits / len(gold_set)
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return precision, recall, f1


def label_in_text(label: str, text: str) -> bool:
    """Return whether ``label`` occurs in ``text`` as whole words, after normalizing both."""
    key = normalize_answer(label)
    if not key:
        return False
    return f" {key} " in f" {normalize_answer(text)} "


def any_label_in_text(labels: Iterable[str], text: str) -> bool:
    """Return whether any of ``labels`` occurs in ``text`` (see ``label_in_text``)."""
    normalized_text = f" {normalize_answer(text)} "
    return any(key and f" {key} " in normalized_text for key in map(normalize_answer, labels))


def percentile(values: Sequence[float], q: float) -> float | None:
    """Return the ``q``-th percentile (0-100) with linear interpolation between ranks, or None if empty.

    Matches ``numpy.percentile``'s default method.
    """
    if not 0 <= q <= 100:
        raise InvalidInput(f"Invalid percentile {q!r}: give a number from 0 to 100.")
    if not values:
        return None

    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    lower = math.floor(rank)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (rank - lower)
