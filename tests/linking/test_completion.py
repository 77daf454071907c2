"""LabelCompleter: prefix and word-start completion with case, accents and spacing ignored."""

from __future__ import annotations

import pytest
from rdflib import Literal, Namespace
from rdflib.namespace import RDFS, SKOS

from kgqa.graph.labels import LabelIndex
from kgqa.linking.completion import LabelCompleter

EX = Namespace("http://example.org/")


@pytest.fixture(scope="module")
def completer() -> LabelCompleter:
    triples = [
        (EX.NYC, RDFS.label, Literal("New York City")),
        (EX.NYC, SKOS.altLabel, Literal("Big Apple")),
        (EX.York, RDFS.label, Literal("York")),
        (EX.Newark, RDFS.label, Literal("Newark")),
        (EX.Sao, RDFS.label, Literal("São Paulo")),
        (EX.Zurich, RDFS.label, Literal("Zürich", lang="de")),
        (EX.Zurich, RDFS.label, Literal("Zurich", lang="en")),
        (EX.LuXun, RDFS.label, Literal("鲁迅", lang="zh")),
        (EX.LuXun, RDFS.label, Literal("Lu Xun", lang="en")),
    ]
    return LabelCompleter(LabelIndex.from_triples(triples))


def _entities(completer: LabelCompleter, prefix: str, limit: int = 10) -> list:
    return [completion.entity for completion in completer.complete(prefix, limit)]


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("new", [EX.Newark, EX.NYC]),
        ("NEW Y", [EX.NYC]),
        ("york", [EX.York, EX.NYC]),
        ("big", [EX.NYC]),
        ("apple", [EX.NYC]),
        ("sao", [EX.Sao]),
        ("SÃO p", [EX.Sao]),
        ("paulo", [EX.Sao]),
        ("zur", [EX.Zurich]),
        ("züri", [EX.Zurich]),
        ("鲁", [EX.LuXun]),
        ("lu x", [EX.LuXun]),
    ],
)
def test_complete_prefixes(completer, prefix, expected):
    assert _entities(completer, prefix) == expected


@pytest.mark.parametrize("prefix", ["", "   ", "qq", "ork"])
def test_complete_no_match(completer, prefix):
    assert _entities(completer, prefix) == []


def test_label_start_ranks_first(completer):
    assert _entities(completer, "york")[0] == EX.York


def test_alias_match_reports_alias(completer):
    [completion] = completer.complete("big app")
    assert completion.matched == "Big Apple"
    assert completion.label == "New York City"
    assert completion.to_dict()["iri"] == str(EX.NYC)
    assert completion.to_dict()["matched"] == "Big Apple"


def test_each_entity_once(completer):
    entities = _entities(completer, "z")
    assert entities == [EX.Zurich]


def test_limit_respected(completer):
    assert len(completer.complete("n", limit=1)) == 1
