"""GET and POST /sparql through the Flask test client and a real socket, errors included."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ElementTree

import pytest
import requests
from http_checks import assert_error_shape

from kgqa.answering.engine import Engine
from kgqa.service.app import create_app
from kgqa.service.routes.sparql import sparql_engine
from kgqa.settings import Settings

# Three triples in the unnamed graph, two in ex:g1.
PEOPLE_TRIG = b"""
@prefix ex: <http://example.org/> .
ex:alice ex:name "Alice" ; ex:knows ex:bob .
ex:bob ex:name "Bob" .
ex:g1 { ex:carol ex:name "Carol" . ex:carol ex:knows ex:alice . }
"""
NUMBERS_NT = "\n".join(
    f'<http://example.org/n{i}> <http://example.org/value> "{i}" .' for i in range(200)).encode()
NAMES_QUERY = "PREFIX ex: <http://example.org/> SELECT ?name WHERE { ?person ex:name ?name }"
COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RUNAWAY_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CAPITAL_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX ont: <https://kgqa.example/countries/ontology/>
SELECT ?capital WHERE {
  ?country rdfs:label "France"@en ; ont:capital ?city .
  ?city rdfs:label ?capital .
  FILTER(lang(?capital) = "en")
}
"""


def build_app(data_dir: str, **overrides):
    settings = Settings(environ={}, data_dir=data_dir, **overrides)
    engine = Engine(settings)
    if not engine.graph_names():
        engine.load_bytes(PEOPLE_TRIG, "people", "trig")
        engine.load_bytes(NUMBERS_NT, "numbers", "nt")
    return create_app(settings, engine=engine)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("sparql-service-data"))


@pytest.fixture(scope="module")
def sparql_app(data_dir):
    app = build_app(data_dir, max_json_kb=1)
    yield app
    sparql_engine(app).close()


@pytest.fixture(scope="module")
def limited_app(data_dir):
    """An app whose queries time out after half a second and whose results stay under 1 KB."""
    app = build_app(data_dir, sparql_timeout_s=0.5, sparql_max_result_mb=0.001, sparql_processes=1)
    yield app
    sparql_engine(app).close()


@pytest.fixture
def sparql_client(sparql_app):
    return sparql_app.test_client()


def names_in(response) -> list[str]:
    bindings = response.get_json(force=True)["results"]["bindings"]
    return sorted(row["name"]["value"] for row in bindings)


def test_get_query_answers_json(sparql_client):
    response = sparql_client.get("/sparql", query_string={"query": NAMES_QUERY, "graph": "people"})
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert response.headers["Vary"] == "Accept"
    assert names_in(response) == ["Alice", "Bob", "Carol"]


def test_post_query_body(sparql_client):
    response = sparql_client.post("/sparql?graph=people", data=NAMES_QUERY.encode(),
                                  content_type="application/sparql-query")
    assert response.status_code == 200
    assert names_in(response) == ["Alice", "Bob", "Carol"]


def test_post_form_body(sparql_client):
    response = sparql_client.post("/sparql", data={"query": NAMES_QUERY, "graph": "people"},
                                  headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.splitlines()[0] == b"name"


def test_construct_answers_turtle(sparql_client):
    response = sparql_client.get("/sparql", query_string={
        "query": "CONSTRUCT WHERE { ?s <http://example.org/knows> ?o }", "graph": "people"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert b"<http://example.org/knows>" in response.data


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({}, b"5"),
        ({"default-graph-uri": "http://example.org/g1"}, b"2"),
        ({"named-graph-uri": "http://example.org/g1"}, b"0"),
    ],
)
def test_dataset_parameters_applied(sparql_client, parameters, expected):
    query_string = {"query": COUNT_QUERY, "graph": "people", **parameters}
    response = sparql_client.get("/sparql", query_string=query_string, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.data.splitlines()[1] == expected


def test_repeated_named_graph_parameter(sparql_client):
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    url = ("/sparql?graph=people&named-graph-uri=http%3A%2F%2Fexample.org%2Fg1"
           "&named-graph-uri=http%3A%2F%2Fexample.org%2Fg9")
    response = sparql_client.post(url, data=query.encode(), content_type="application/sparql-query",
                                  headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.data.splitlines()[1] == b"2"


@pytest.mark.parametrize(
    ("request_arguments", "status", "code"),
    [
        ({"method": "GET", "query_string": {"graph": "people"}}, 400, "invalid_input"),
        ({"method": "GET", "query_string": {"graph": "people", "query": "SELECT ?s WHERE {"}},
         400, "invalid_query"),
        ({"method": "GET", "query_string": {"graph": "people", "query": "CLEAR ALL"}},
         400, "update_not_allowed"),
        ({"method": "GET", "query_string": {"graph": "people", "update": "CLEAR ALL"}},
         400, "update_not_allowed"),
        ({"method": "POST", "data": b"CLEAR ALL", "content_type": "application/sparql-update"},
         400, "update_not_allowed"),
        ({"method": "POST", "data": {"update": "DROP ALL", "graph": "people"}}, 400, "update_not_allowed"),
        ({"method": "POST", "data": b"ASK {}", "content_type": "text/plain"}, 415, "unsupported_media_type"),
        ({"method": "POST", "data": b"ASK {}"}, 415, "unsupported_media_type"),
        ({"method": "GET", "query_string": {"graph": "people", "query": "ASK {}"},
          "headers": {"Accept": "text/turtle"}}, 406, "not_acceptable"),
        ({"method": "GET", "query_string": {"graph": "nothing", "query": "ASK {}"}}, 404, "graph_not_found"),
        ({"method": "GET", "query_string": {"query": "ASK {}"}}, 400, "invalid_input"),
        ({"method": "GET", "query_string": {"graph": "../etc", "query": "ASK {}"}}, 400, "invalid_input"),
        ({"method": "GET", "query_string": [("graph", "people"), ("query", "ASK {}"), ("query", "ASK {}")]},
         400, "invalid_input"),
        ({"method": "GET", "query_string": {"graph": "people", "query": "ASK {}",
                                            "default-graph-uri": "not an iri"}}, 400, "invalid_input"),
        ({"method": "GET", "query_string": {
            "graph": "people", "query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"}},
         400, "invalid_query"),
        ({"method": "POST", "data": b"ASK {} #" + b"x" * 2048, "content_type": "application/sparql-query"},
         413, "payload_too_large"),
        ({"method": "POST", "data": "ASK { ?s ?p \"caf\u00e9\" }".encode("latin-1"),
          "content_type": "application/sparql-query"}, 400, "invalid_input"),
        ({"method": "PUT", "data": b"ASK {}", "content_type": "application/sparql-query"},
         405, "method_not_allowed"),
    ],
    ids=["missing-query", "syntax-error", "update-in-query", "update-parameter", "update-content-type",
         "update-in-form", "text-plain", "no-content-type", "unacceptable", "unknown-graph", "no-graph",
         "bad-graph-name", "two-queries", "relative-graph-iri", "service", "oversized-body", "latin-1-body",
         "put"],
)
def test_error_paths_use_json_shape(sparql_client, request_arguments, status, code):
    response = sparql_client.open("/sparql", **request_arguments)
    assert_error_shape(response, status, code)


def test_syntax_error_reports_position(sparql_client):
    response = sparql_client.get("/sparql", query_string={"graph": "people", "query": "SELECT ?s\nWHERE {"})
    error = assert_error_shape(response, 400, "invalid_query")
    assert error["details"]["line"] == 2
    assert error["details"]["column"] == 8


def test_no_graph_lists_loaded(sparql_client):
    response = sparql_client.get("/sparql", query_string={"query": "ASK {}"})
    error = assert_error_shape(response, 400, "invalid_input")
    assert error["details"]["loaded"] == ["numbers", "people"]


def test_unacceptable_lists_supported(sparql_client):
    response = sparql_client.get("/sparql", query_string={"graph": "people", "query": "ASK {}"},
                                 headers={"Accept": "text/turtle"})
    error = assert_error_shape(response, 406, "not_acceptable")
    assert "application/sparql-results+json" in error["details"]["supported"]


def test_runaway_query_times_out(limited_app):
    client = limited_app.test_client()
    response = client.get("/sparql", query_string={"graph": "numbers", "query": RUNAWAY_QUERY})
    error = assert_error_shape(response, 503, "query_timeout")
    assert "KGQA_SPARQL_TIMEOUT_S" in error["message"]
    after = client.get("/sparql", query_string={"graph": "numbers", "query": "ASK { ?s ?p ?o }"})
    assert after.status_code == 200


def test_large_result_rejected(limited_app):
    client = limited_app.test_client()
    response = client.get("/sparql", query_string={"graph": "numbers", "query": "SELECT * { ?s ?p ?o }"})
    error = assert_error_shape(response, 422, "result_too_large")
    assert "KGQA_SPARQL_MAX_RESULT_MB" in error["message"]


def capital_from_json(body: bytes) -> str:
    return json.loads(body)["results"]["bindings"][0]["capital"]["value"]


def capital_from_xml(body: bytes) -> str:
    root = ElementTree.fromstring(body)
    return root.find(".//{http://www.w3.org/2005/sparql-results#}literal").text


def capital_from_csv(body: bytes) -> str:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == ["capital"]
    return rows[1][0]


def capital_from_tsv(body: bytes) -> str:
    lines = body.decode("utf-8").splitlines()
    assert lines[0] == "?capital"
    return lines[1]


@pytest.mark.parametrize(
    ("accept", "content_type", "read_capital", "expected"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", capital_from_json, "Paris"),
        ("application/sparql-results+xml", "application/sparql-results+xml", capital_from_xml, "Paris"),
        ("text/csv", "text/csv; charset=utf-8", capital_from_csv, "Paris"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", capital_from_tsv,
         '"Paris"@en'),
    ],
)
def test_live_select_each_format(live_server, accept, content_type, read_capital, expected):
    response = requests.get(f"{live_server.url}/sparql",
                            params={"query": CAPITAL_QUERY, "graph": "countries"},
                            headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert read_capital(response.content) == expected


def test_live_update_rejected(live_server):
    response = requests.post(f"{live_server.url}/sparql", data=b"DROP ALL",
                             headers={"Content-Type": "application/sparql-update"}, timeout=30)
    error = assert_error_shape(response, 400, "update_not_allowed")
    assert "read-only" in error["message"]
