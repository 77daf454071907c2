"""GET /metrics counts requests per endpoint, mode and status, and reports graph sizes and model state."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kgqa.answering.engine import Engine
from kgqa.service.app import create_app
from kgqa.settings import Settings
from kgqa.verification.modes import AnswerModes

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
QUESTION = "How many members does The Tidewater Four have?"


@pytest.fixture(scope="module")
def scraped(tmp_path_factory, embedder, service_generator) -> dict:
    """The parsed /metrics of a fresh app after a known set of requests, keyed by family name."""
    settings = Settings(environ={}, data_dir=str(tmp_path_factory.mktemp("metrics-data")))
    engine = Engine(settings)
    engine._embedder = embedder
    engine.load([CASES / "counting-and-yes-no" / "graph.ttl"], name="band")
    modes = AnswerModes(engine, lambda: service_generator, answer_tokens=4)
    client = create_app(settings, engine=engine, modes=modes).test_client()

    for _ in range(3):
        client.post("/ask", json={"question": QUESTION})
    client.post("/ask", json={"question": QUESTION, "mode": "ungrounded"})
    client.post("/ask", json={"question": ""})
    client.get("/graphs/band")
    client.get("/nowhere")

    text = client.get("/metrics").get_data(as_text=True)
    return {family.name: family for family in text_string_to_metric_families(text)}


def _request_count(scraped: dict, endpoint: str, method: str, mode: str, status: str) -> float:
    labels = {"endpoint": endpoint, "method": method, "mode": mode, "status": status}
    for sample in scraped["kgqa_http_requests"].samples:
        if sample.name == "kgqa_http_requests_total" and sample.labels == labels:
            return sample.value
    return 0.0


@pytest.mark.parametrize(
    ("endpoint", "method", "mode", "status", "count"),
    [
        ("/ask", "POST", "graph", "200", 3),
        ("/ask", "POST", "ungrounded", "200", 1),
        ("/ask", "POST", "-", "400", 1),
        ("/graphs/<name>", "GET", "-", "200", 1),
        ("unmatched", "GET", "-", "404", 1),
    ],
)
def test_requests_counted(scraped, endpoint, method, mode, status, count):
    assert _request_count(scraped, endpoint, method, mode, status) == count


def test_latency_per_endpoint_mode(scraped):
    counts = {(sample.labels["endpoint"], sample.labels["mode"]): sample.value
              for sample in scraped["kgqa_http_request_duration_seconds"].samples
              if sample.name == "kgqa_http_request_duration_seconds_count"}
    assert counts[("/ask", "graph")] == 3
    assert counts[("/ask", "ungrounded")] == 1


def test_graph_sizes_reported(scraped):
    sizes = {sample.labels["count"]: sample.value for sample in scraped["kgqa_graph_size"].samples
             if sample.labels["graph"] == "band"}
    assert set(sizes) == {"triples", "entities", "relations"}
    assert sizes["triples"] > 0
    assert sizes["entities"] > 0


def test_model_state_reported(scraped):
    state = {sample.labels["model"]: sample.value for sample in scraped["kgqa_model_loaded"].samples}
    assert state == {"spacy": 1.0, "embedding": 1.0, "generator": 1.0}
