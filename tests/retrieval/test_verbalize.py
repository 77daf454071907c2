"""Tests for path verbalization in both edge directions."""

from __future__ import annotations

import pytest

from kgqa.answering.result import PathStep
from kgqa.retrieval.verbalize import inverse_phrase, step_phrase, verbalize_path


@pytest.mark.parametrize(("label", "expected"), [
    ("directed by", "directed"),
    ("member of", "has member"),
    ("has genre", "genre of"),
    ("in language", "language of"),
    ("director", "director of"),
    ("cast Member", "cast Member of"),
])
def test_inverse_phrase_table(label, expected):
    assert inverse_phrase(label) == expected


def test_step_phrase_follows_direction():
    forward = PathStep("http://example.org/directedBy", "directed by", inverse=False)
    backward = PathStep("http://example.org/directedBy", "directed by", inverse=True)

    assert step_phrase(forward) == "directed by"
    assert step_phrase(backward) == "directed"


def test_path_starts_with_topic():
    steps = (PathStep("http://example.org/castMember", "cast member", inverse=True),
             PathStep("http://example.org/director", "director", inverse=False))

    assert verbalize_path(steps) == "NE cast member of director"
    assert verbalize_path(steps, topic="Dora Lind") == "Dora Lind cast member of director"
