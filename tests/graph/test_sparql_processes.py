"""The query process pool: busy processes and replies, on a real store."""

from __future__ import annotations

import threading
import time

import pytest

from kgqa.errors import QueryTimeout
from kgqa.graph.sparql_processes import QueryProcessPool, QueryRequest
from kgqa.graph.store import GraphStore
from kgqa.settings import Settings

RUNAWAY_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture
def store(tmp_path) -> GraphStore:
    store = GraphStore(Settings(environ={}, data_dir=str(tmp_path)))
    lines = [f'<http://example.org/n{i}> <http://example.org/value> "{i}" .' for i in range(200)]
    store.load_bytes("numbers", "\n".join(lines).encode(), "nt")
    return store


def run_query(pool: QueryProcessPool, store: GraphStore, query: str, timeout_s: float):
    with store.lease_current("numbers") as version:
        request = QueryRequest(
            version_path=str(version.path), lease_path=str(version.lease_path), query=query,
            solutions_media_type="text/csv", graph_media_type="text/turtle",
            union_default_graph=True, default_graphs=None, named_graphs=None,
            max_result_bytes=1024 * 1024)
        return pool.run(request, timeout_s)


def test_reply_carries_result(store):
    pool = QueryProcessPool(1)
    try:
        reply = run_query(pool, store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", 10.0)
    finally:
        pool.close()
    assert reply.status == "ok"
    assert reply.result_kind == "solutions"
    assert reply.body.splitlines()[1] == b"200"


def test_busy_pool_times_out(store):
    pool = QueryProcessPool(1)
    run_query(pool, store, "ASK {}", 10.0)
    runaway = threading.Thread(
        target=lambda: pytest.raises(QueryTimeout, run_query, pool, store, RUNAWAY_QUERY, 1.0))
    runaway.start()
    time.sleep(0.2)

    try:
        with pytest.raises(QueryTimeout, match="stayed busy") as raised:
            run_query(pool, store, "ASK {}", 0.3)
    finally:
        runaway.join(timeout=10)
        pool.close()

    assert raised.value.details["processes"] == 1
    assert raised.value.details["setting"] == "KGQA_SPARQL_PROCESSES"
