"""GET /entities: linking preview and autocomplete over the bundled graphs and the Chinese-names case."""

from __future__ import annotations

from pathlib import Path

import pytest
from http_checks import assert_error_shape

from kgqa.answering.engine import Engine
from kgqa.service.app import create_app
from kgqa.settings import Settings

CASES = Path(__file__).resolve().parents[2] / "data" / "cases"


@pytest.fixture(scope="module")
def chinese_client(tmp_path_factory, embedder):
    settings = Settings(environ={}, data_dir=str(tmp_path_factory.mktemp("entities-data")))
    engine = Engine(settings)
    engine._embedder = embedder
    engine.load([CASES / "chinese-names" / "graph.ttl"], name="books")
    return create_app(settings, engine=engine).test_client()


def _result(client, query: str, graph: str) -> dict:
    response = client.get("/entities", query_string={"q": query, "graph": graph})
    assert response.status_code == 200
    body = response.get_json()
    assert body["q"] == query
    assert [result["graph"] for result in body["results"]] == [graph]
    return body["results"][0]


def _suggested(result: dict) -> list[str]:
    return [suggestion["label"] for suggestion in result["suggestions"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Fran", "France"),
        ("fran", "France"),
        ("FRAN", "France"),
        ("Arab Emir", "United Arab Emirates"),
        ("delhi", "New Delhi"),
        ("capital of Fran", "France"),
        ("Asuncion", "Asunción"),
        ("asunc", "Asunción"),
    ],
)
def test_countries_completion(client, query, expected):
    assert expected in _suggested(_result(client, query, "countries"))


def test_completion_matched_label(client):
    suggestions = _result(client, "Fran", "countries")["suggestions"]
    france = next(suggestion for suggestion in suggestions if suggestion["label"] == "France")
    assert france["kind"] == "iri"
    assert france["matched"].lower().startswith("fran")


def test_linking_preview(client):
    linked = _result(client, "What is the capital of France?", "countries")["linked"]
    assert [(entity["mention"], entity["entity"]["label"]) for entity in linked] == [("France", "France")]
    assert linked[0]["start"] == 23
    assert linked[0]["end"] == 29


def test_all_graphs_searched(client):
    body = client.get("/entities", query_string={"q": "Fran"}).get_json()
    assert [result["graph"] for result in body["results"]] == ["companies", "countries", "elements"]


def test_limit_caps_suggestions(client):
    response = client.get("/entities", query_string={"q": "A", "graph": "countries", "limit": 3})
    assert len(response.get_json()["results"][0]["suggestions"]) == 3


@pytest.mark.parametrize(("query", "expected"), [("鲁", "鲁迅"), ("狂人", "狂人日记"), ("lu x", "Lu Xun")])
def test_chinese_completion(chinese_client, query, expected):
    matched = [suggestion["matched"] for suggestion in _result(chinese_client, query, "books")["suggestions"]]
    assert expected in matched


@pytest.mark.parametrize(("question", "labels"), [("鲁迅写了哪部小说？", ["鲁迅"]),
                                                  ("狂人日记是哪一年发表的？", ["狂人日记"])])
def test_chinese_linking_preview(chinese_client, question, labels):
    linked = _result(chinese_client, question, "books")["linked"]
    assert [entity["mention"] for entity in linked] == labels


@pytest.mark.parametrize(
    ("query_string", "parameter"),
    [({}, "q"), ({"q": "  "}, "q"), ({"q": "Fran", "limit": "0"}, "limit"),
     ({"q": "Fran", "limit": "101"}, "limit"), ({"q": "Fran", "limit": "ten"}, "limit"),
     ({"q": "x" * 2001}, "q")],
)
def test_entities_bad_query_400(client, query_string, parameter):
    error = assert_error_shape(client.get("/entities", query_string=query_string), 400, "invalid_input")
    assert error["details"]["parameter"] == parameter
