"""Measure what running SPARQL queries in child processes costs per query.

Usage:
    python bench/bench_sparql.py --graph graphs/countries/countries.ttl --rounds 500

Loads the graph into a temporary store, then times a small query three ways.
The floor is the query on a read-only pyoxigraph store in this process.
``SparqlEngine.query`` adds the lease, the pipe to a child and back, and the
serialization in the child. The first query of a fresh engine also starts
the child and opens the store.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from kgqa.graph.sparql import SparqlEngine
from kgqa.graph.store import GraphStore
from kgqa.settings import Settings

QUERY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10"


def time_calls(function, rounds: int) -> list[float]:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return timings


def report(label: str, timings: list[float]) -> None:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"{label:<34} median {statistics.median(timings) * 1000:8.3f} ms   p95 {p95 * 1000:8.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, default=Path("graphs/countries/countries.ttl"))
    parser.add_argument("--rounds", type=int, default=500)
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as data_dir:
        store = GraphStore(Settings(environ={}, data_dir=data_dir))
        store.load("bench", arguments.graph)

        with store.lease_current("bench") as version:
            report("in process (pyoxigraph only)", time_in_process(str(version.path), arguments.rounds))
        report("first query of a fresh engine", time_first_queries(store, 5))

        engine = SparqlEngine(store)
        engine.query(QUERY, graph="bench")
        report("SparqlEngine.query (child process)", time_calls(
            lambda: engine.query(QUERY, graph="bench"), arguments.rounds))
        engine.close()


def time_in_process(version_path: str, rounds: int) -> list[float]:
    direct = ox.Store.read_only(version_path)
    return time_calls(lambda: direct.query(QUERY).serialize(format=ox.QueryResultsFormat.JSON), rounds)


def time_first_queries(store: GraphStore, engines: int) -> list[float]:
    timings = []
    for _ in range(engines):
        engine = SparqlEngine(store)
        timings += time_calls(lambda: engine.query(QUERY, graph="bench"), 1)  # noqa: B023 - called at once
        engine.close()
    return timings


if __name__ == "__main__":
    main()
