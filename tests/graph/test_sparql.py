"""The SPARQL engine over real Oxigraph stores: formats, dataset rules, read-only checks, timeouts."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import threading
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pyoxigraph as ox
import pytest

from kgqa.errors import (
    GraphNotFound,
    InvalidInput,
    InvalidQuery,
    NotAcceptable,
    QueryTimeout,
    ResultTooLarge,
    StoreError,
    UpdateNotAllowed,
)
from kgqa.graph.sparql import SparqlEngine, choose_media_type, inspect_query
from kgqa.graph.store import GraphStore
from kgqa.settings import Settings

# Three triples in the unnamed graph, two in ex:g1, one in ex:g2.
PEOPLE_TRIG = b"""
@prefix ex: <http://example.org/> .
ex:alice ex:name "Alice" ; ex:knows ex:bob .
ex:bob ex:name "Bob" .
ex:g1 { ex:carol ex:name "Carol" . ex:carol ex:knows ex:alice . }
ex:g2 { ex:dave ex:name "Dave" . }
"""
ALL_NAMES = ["Alice", "Bob", "Carol", "Dave"]
NAMES_QUERY = "PREFIX ex: <http://example.org/> SELECT ?name WHERE { ?person ex:name ?name }"
COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# A cross join of the numbers graph with itself: rows = triples ** 3.
CUBE_COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# Rows = triples ** 4: 1.6 billion over the 200-triple numbers graph, far past any timeout used here.
RUNAWAY_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def numbers_ntriples(count: int) -> bytes:
    lines = [f'<http://example.org/n{i}> <http://example.org/value> "{i}" .' for i in range(count)]
    return "\n".join(lines).encode()


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> GraphStore:
    settings = Settings(environ={}, data_dir=str(tmp_path_factory.mktemp("sparql-data")))
    store = GraphStore(settings)
    store.load_bytes("people", PEOPLE_TRIG, "trig")
    store.load_bytes("numbers", numbers_ntriples(200), "nt")
    return store


@pytest.fixture(scope="module")
def make_engine(store):
    """Return engines over the shared store with setting overrides, one per set of overrides."""
    engines: dict[tuple, SparqlEngine] = {}

    def make(**overrides) -> SparqlEngine:
        key = tuple(sorted(overrides.items()))
        if key not in engines:
            settings = Settings(environ={}, data_dir=str(store.root), **overrides)
            engines[key] = SparqlEngine(store, settings)
        return engines[key]

    yield make
    for engine in engines.values():
        engine.close()


@pytest.fixture(scope="module")
def engine(store):
    engine = SparqlEngine(store)
    yield engine
    engine.close()


def names_from_json(body: bytes) -> list[str]:
    bindings = json.loads(body)["results"]["bindings"]
    return sorted(row["name"]["value"] for row in bindings)


def names_from_xml(body: bytes) -> list[str]:
    namespace = "{http://www.w3.org/2005/sparql-results#}"
    root = ElementTree.fromstring(body)
    return sorted(literal.text for literal in root.iter(f"{namespace}literal"))


def names_from_csv(body: bytes) -> list[str]:
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert rows[0] == ["name"]
    return sorted(row[0] for row in rows[1:])


def names_from_tsv(body: bytes) -> list[str]:
    rows = [line.split("\t") for line in body.decode().splitlines()]
    assert rows[0] == ["?name"]
    return sorted(row[0].strip('"') for row in rows[1:])


@pytest.mark.parametrize(
    ("accept", "content_type", "read_names"),
    [
        (None, "application/sparql-results+json", names_from_json),
        ("application/sparql-results+json", "application/sparql-results+json", names_from_json),
        ("application/json", "application/sparql-results+json", names_from_json),
        ("application/sparql-results+xml", "application/sparql-results+xml", names_from_xml),
        ("text/csv", "text/csv; charset=utf-8", names_from_csv),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", names_from_tsv),
    ],
)
def test_select_each_results_format(engine, accept, content_type, read_names):
    result = engine.query(NAMES_QUERY, graph="people", accept=accept)
    assert result.form == "SELECT"
    assert result.content_type == content_type
    assert read_names(result.body) == ALL_NAMES


@pytest.mark.parametrize(
    ("accept", "expected_body"),
    [
        ("application/sparql-results+json", b'{"head":{},"boolean":true}'),
        ("text/csv", b"true"),
        ("text/tab-separated-values", b"true"),
    ],
)
def test_ask_each_results_format(engine, accept, expected_body):
    result = engine.query("ASK { ?s ?p ?o }", graph="people", accept=accept)
    assert result.form == "ASK"
    assert result.body == expected_body


def test_ask_xml_boolean(engine):
    result = engine.query("ASK { ?s <http://example.org/missing> ?o }", graph="people",
                          accept="application/sparql-results+xml")
    root = ElementTree.fromstring(result.body)
    assert root.find("{http://www.w3.org/2005/sparql-results#}boolean").text == "false"


@pytest.mark.parametrize(
    "media_type", ["text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"])
def test_construct_each_graph_format(engine, media_type):
    query = "PREFIX ex: <http://example.org/> CONSTRUCT { ?p ex:label ?n } WHERE { ?p ex:name ?n }"
    result = engine.query(query, graph="people", accept=media_type)
    assert result.form == "CONSTRUCT"
    assert result.media_type == media_type
    triples = list(ox.parse(result.body, format=ox.RdfFormat.from_media_type(media_type)))
    assert sorted(triple.object.value for triple in triples) == ALL_NAMES


def test_describe_defaults_to_turtle(engine):
    result = engine.query("DESCRIBE <http://example.org/carol>", graph="people")
    assert result.form == "DESCRIBE"
    assert result.content_type == "text/turtle; charset=utf-8"
    triples = list(ox.parse(result.body, format=ox.RdfFormat.TURTLE))
    assert len(triples) == 2


@pytest.mark.parametrize(
    ("form", "accept", "expected"),
    [
        ("SELECT", "*/*", "application/sparql-results+json"),
        ("SELECT", "", "application/sparql-results+json"),
        ("SELECT", "text/*", "text/csv"),
        ("SELECT", "text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("SELECT", "text/csv, text/tab-separated-values", "text/csv"),
        ("SELECT", "text/tab-separated-values, text/csv", "text/tab-separated-values"),
        ("SELECT", "application/sparql-results+json;q=0, */*;q=0.5", "application/sparql-results+xml"),
        ("SELECT", "text/html, application/xml;q=0.9, */*;q=0.8", "application/sparql-results+xml"),
        ("ASK", "TEXT/CSV", "text/csv"),
        ("CONSTRUCT", "*/*", "text/turtle"),
        ("CONSTRUCT", "application/n-triples;q=0.9, application/ld+json", "application/ld+json"),
        ("DESCRIBE", "application/json", "application/ld+json"),
        ("DESCRIBE", "application/rdf+xml", "application/rdf+xml"),
    ],
)
def test_accept_header_choice(form, accept, expected):
    assert choose_media_type(form, accept) == expected


@pytest.mark.parametrize(
    ("form", "accept"),
    [("SELECT", "text/turtle"), ("CONSTRUCT", "text/csv"), ("SELECT", "text/csv;q=0"), ("ASK", "image/png")],
)
def test_unacceptable_type_raises(form, accept):
    with pytest.raises(NotAcceptable) as raised:
        choose_media_type(form, accept)
    assert raised.value.http_status == 406
    assert raised.value.details["supported"]


def test_unacceptable_type_before_running(engine):
    with pytest.raises(NotAcceptable, match="Supported: text/turtle"):
        engine.query("CONSTRUCT WHERE { ?s ?p ?o }", graph="people", accept="text/csv")


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
        "delete where { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <http://example.org/g1>",
        "CREATE GRAPH <http://example.org/g3>",
        "ADD DEFAULT TO <http://example.org/g1>",
        "MOVE DEFAULT TO <http://example.org/g1>",
        "COPY DEFAULT TO <http://example.org/g1>",
        "WITH <http://example.org/g1> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "PREFIX ex: <http://example.org/#> # a comment with SELECT\n"
        "BASE <http://b/> INSERT DATA { ex:a ex:b ex:c }",
    ],
)
def test_update_rejected(engine, update):
    with pytest.raises(UpdateNotAllowed, match="read-only"):
        engine.query(update, graph="people")


def test_update_leaves_graph_unchanged(engine):
    with pytest.raises(UpdateNotAllowed):
        engine.query("CLEAR ALL", graph="people")
    result = engine.query(COUNT_QUERY, graph="people", accept="text/csv")
    assert result.body.splitlines()[1] == b"6"


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT ?insert WHERE { ?insert ?p ?o }", "SELECT"),
        ('SELECT * WHERE { ?s ?p "DELETE WHERE" }', "SELECT"),
        ("SELECT * WHERE { ?s <http://example.org/service> ?service }", "SELECT"),
        ("PREFIX service: <http://e/> ASK { ?s service:drop ?o }", "ASK"),
        ("# INSERT DATA {}\nconstruct where { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE ?s WHERE { ?s ?p ?o }", "DESCRIBE"),
        ("SELEC ?x", None),
    ],
)
def test_query_form_detected(query, form):
    assert inspect_query(query).form == form


@pytest.mark.parametrize(
    ("query", "has_dataset_clause"),
    [
        ("SELECT * FROM <http://e/g> WHERE { ?s ?p ?o }", True),
        ("SELECT * FROM NAMED <http://e/g> WHERE { GRAPH ?g { ?s ?p ?o } }", True),
        ("SELECT ?from WHERE { ?from ?p 'FROM' }", False),
    ],
)
def test_dataset_clause_detected(query, has_dataset_clause):
    assert inspect_query(query).has_dataset_clause is has_dataset_clause


def test_service_clause_rejected(engine):
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:8890/sparql> { ?s ?p ?o } }"
    with pytest.raises(InvalidQuery, match="SERVICE is not supported"):
        engine.query(query, graph="people")


def test_syntax_error_has_position(engine):
    with pytest.raises(InvalidQuery) as raised:
        engine.query("SELECT ?s WHERE {\n  ?s ?p }", graph="people")
    assert "not valid SPARQL" in raised.value.message
    assert raised.value.details["line"] == 2
    # pyoxigraph 0.5.13 reports the column after the last character it could use.
    assert raised.value.details["column"] == 10


@pytest.mark.parametrize("query", ["", "   \n", None])
def test_missing_query_rejected(engine, query):
    with pytest.raises(InvalidInput, match="query is missing"):
        engine.query(query, graph="people")


@pytest.mark.parametrize(
    ("union", "query", "default_graph_uris", "named_graph_uris", "expected"),
    [
        (True, COUNT_QUERY, (), (), 6),
        (False, COUNT_QUERY, (), (), 3),
        (True, "SELECT (COUNT(*) AS ?n) FROM <http://example.org/g1> WHERE { ?s ?p ?o }", (), (), 2),
        (True, COUNT_QUERY, ("http://example.org/g2",), (), 1),
        (True, COUNT_QUERY, ("http://example.org/g1", "http://example.org/g2"), (), 3),
        (False, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", (), (), 3),
        (True, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", (), ("http://example.org/g1",), 2),
        (True, COUNT_QUERY, (), ("http://example.org/g1",), 0),
    ],
)
def test_dataset_of_query(make_engine, union, query, default_graph_uris, named_graph_uris, expected):
    engine = make_engine(sparql_union_default_graph=union)
    result = engine.query(query, graph="people", accept="text/csv",
                          default_graph_uris=default_graph_uris, named_graph_uris=named_graph_uris)
    assert result.body.splitlines()[1] == str(expected).encode()


def test_relative_graph_iri_rejected(engine):
    with pytest.raises(InvalidInput, match="absolute IRI"):
        engine.query(COUNT_QUERY, graph="people", default_graph_uris=["g1"])


def test_graph_named_explicitly(engine):
    assert engine.select_graph("numbers") == "numbers"


def test_graph_from_default_setting(make_engine):
    assert make_engine(default_graph="people").select_graph(None) == "people"


def test_graph_required_among_several(engine):
    with pytest.raises(InvalidInput) as raised:
        engine.select_graph(None)
    assert raised.value.details["loaded"] == ["numbers", "people"]
    assert "numbers, people" in raised.value.message


def test_unknown_graph_not_found(engine):
    with pytest.raises(GraphNotFound) as raised:
        engine.query(COUNT_QUERY, graph="nothing")
    assert raised.value.details["loaded"] == ["numbers", "people"]


def test_only_graph_chosen(tmp_path):
    store = GraphStore(Settings(environ={}, data_dir=str(tmp_path)))
    store.load_bytes("alone", PEOPLE_TRIG, "trig")
    engine = SparqlEngine(store)
    try:
        result = engine.query("ASK { ?s ?p ?o }", accept="text/csv")
    finally:
        engine.close()
    assert result.graph == "alone"
    assert result.body == b"true"


def test_result_over_limit_rejected(make_engine):
    engine = make_engine(sparql_max_result_mb=0.001)
    with pytest.raises(ResultTooLarge, match="KGQA_SPARQL_MAX_RESULT_MB"):
        engine.query("SELECT * WHERE { ?s ?p ?o }", graph="numbers")
    assert engine.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1", graph="numbers").body


def query_process_ids() -> set[int]:
    """Return the ids of this process's children that serve SPARQL queries (Linux /proc)."""
    children = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:"))
        if int(parent) == os.getpid() and b"serve_queries" in command:
            children.add(int(entry.name))
    return children


def test_timeout_kills_runaway_query(make_engine):
    others = query_process_ids()
    engine = make_engine(sparql_timeout_s=0.5, sparql_processes=1)
    engine.query("ASK {}", graph="numbers")
    mine = query_process_ids() - others

    started = time.perf_counter()
    with pytest.raises(QueryTimeout) as raised:
        engine.query(RUNAWAY_QUERY, graph="numbers")
    elapsed = time.perf_counter() - started

    assert raised.value.http_status == 503
    assert "KGQA_SPARQL_TIMEOUT_S" in raised.value.message
    assert elapsed < 3.0
    assert len(mine) == 1
    assert not mine & query_process_ids()
    assert engine.query("ASK { ?s ?p ?o }", graph="numbers", accept="text/csv").body == b"true"


def test_query_during_upload_sees_old_version(store, make_engine):
    engine = make_engine(sparql_processes=1)
    store.load_bytes("cube", numbers_ntriples(200), "nt")
    with store.lease_current("cube") as version:
        first_version = version.path
    engine.query("ASK {}", graph="cube")
    outcome: dict[str, object] = {}

    def run_slow_query() -> None:
        outcome["body"] = engine.query(CUBE_COUNT_QUERY, graph="cube", accept="text/csv").body
        outcome["finished"] = time.perf_counter()

    thread = threading.Thread(target=run_slow_query)
    thread.start()
    time.sleep(0.2)
    store.load_bytes("cube", numbers_ntriples(10), "nt")
    loaded = time.perf_counter()
    thread.join(timeout=30)

    assert loaded < outcome["finished"]
    assert outcome["body"].splitlines()[1] == str(200 ** 3).encode()
    assert engine.query(COUNT_QUERY, graph="cube", accept="text/csv").body.splitlines()[1] == b"10"
    # The query process now has the second version open, so the next load can remove the first.
    store.load_bytes("cube", numbers_ntriples(11), "nt")
    assert not first_version.exists()


def test_killed_process_reported_and_replaced(make_engine):
    others = query_process_ids()
    engine = make_engine(sparql_timeout_s=30.0, sparql_processes=1)
    engine.query("ASK {}", graph="numbers")
    (pid,) = query_process_ids() - others
    outcome: dict[str, BaseException] = {}

    def run_runaway() -> None:
        try:
            engine.query(RUNAWAY_QUERY, graph="numbers")
        except StoreError as error:
            outcome["error"] = error

    thread = threading.Thread(target=run_runaway)
    thread.start()
    time.sleep(0.3)
    os.kill(pid, signal.SIGKILL)
    thread.join(timeout=10)

    assert "exited during the query" in outcome["error"].message
    assert engine.query("ASK { ?s ?p ?o }", graph="numbers", accept="text/csv").body == b"true"
