"""Abstentions are recognized, and a text's verdict follows from its claims."""

from __future__ import annotations

import pytest

from kgqa.verification.checking import text_verdict
from kgqa.verification.verdicts import Claim, is_abstention


@pytest.mark.parametrize(("text", "expected"), [
    ("I don't know.", True),
    ("I do not know who that is.", True),
    ("not in the graph", True),
    ("The answer is not in the facts.", True),
    ("I cannot answer this question.", True),
    ("I can't determine that from the data.", True),
    ("There is no information about his birth.", True),
    ("The facts do not contain the answer.", True),
    ("I'm not sure.", True),
    ("His birth date is unknown.", True),
    ("Marlowe Vance was born in Tromsø.", False),
    ("The CEO of Google is Sundar Pichai.", False),
    ("She knows the answer.", False),
])
def test_is_abstention_phrases(text, expected):
    assert is_abstention(text) is expected


def _claim(verdict: str, scope: str = "answer") -> Claim:
    return Claim("entity", "X", 0, 1, "x", scope=scope, verdict=verdict)


@pytest.mark.parametrize(("text", "claims", "expected"), [
    ("X.", [_claim("supported")], "supported"),
    ("X.", [_claim("supported"), _claim("supported", "detail")], "supported"),
    ("X.", [_claim("supported"), _claim("not_in_graph", "detail")], "partly_supported"),
    ("X.", [_claim("supported"), _claim("contradicted")], "contradicted"),
    ("X.", [_claim("not_in_graph", "detail")], "unverifiable"),
    ("X.", [_claim("supported", "detail")], "unverifiable"),
    ("X.", [], "unverifiable"),
    ("I don't know.", [], "abstained"),
    ("I don't know, maybe X.", [_claim("contradicted")], "contradicted"),
    ("I don't know, maybe X.", [_claim("not_in_graph", "detail")], "abstained"),
    ("X.", [_claim("unverifiable", "arithmetic")], "unverifiable"),
])
def test_text_verdict_from_claims(text, claims, expected):
    verdict, _ = text_verdict(text, claims)
    assert verdict == expected
