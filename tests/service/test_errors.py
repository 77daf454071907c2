"""Every error path of the HTTP API returns the one JSON error shape with the right status and code.

The app here stores one small graph ("band") in a temporary folder and has
small body limits, so the 411/413 paths need only kilobytes. The 503 paths
use an app whose model endpoint is a closed port on 127.0.0.1.
"""

from __future__ import annotations

import io
import json
import socket
from pathlib import Path

import pytest
import requests
from http_checks import assert_error_shape

from kgqa.answering.engine import Engine
from kgqa.service.app import create_app
from kgqa.settings import Settings
from kgqa.verification.modes import AnswerModes

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
JSON_LIMIT_KB = 4
UPLOAD_LIMIT_MB = 0.05
BAND_QUESTION = "How many members does The Tidewater Four have?"


@pytest.fixture(scope="module")
def band_engine(tmp_path_factory, embedder):
    settings = Settings(environ={}, data_dir=str(tmp_path_factory.mktemp("errors-data")),
                        max_json_kb=JSON_LIMIT_KB, max_upload_mb=UPLOAD_LIMIT_MB)
    engine = Engine(settings)
    engine._embedder = embedder
    engine.load([CASES / "counting-and-yes-no" / "graph.ttl"], name="band")
    return engine


@pytest.fixture(scope="module")
def client(band_engine, service_generator):
    modes = AnswerModes(band_engine, lambda: service_generator, answer_tokens=8)
    return create_app(band_engine.settings, engine=band_engine, modes=modes).test_client()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def offline_model_client(band_engine):
    """The band graph with the OpenAI-compatible backend pointed at a port nothing listens on."""
    settings = Settings(environ={}, data_dir=band_engine.settings.data_dir, llm_backend="openai",
                        llm_base_url=f"http://127.0.0.1:{_closed_port()}/v1", llm_timeout_s=2.0,
                        llm_max_retries=0)
    engine = Engine(settings)
    engine._embedder = band_engine.embedder
    return create_app(settings, engine=engine).test_client()


# 400: the body or a field is invalid


def test_invalid_json_400(client):
    response = client.post("/ask", data=b'{"question": "Who?",', content_type="application/json")
    error = assert_error_shape(response, 400, "invalid_input")
    assert "not valid JSON" in error["message"]
    assert error["details"]["line"] == 1


def test_latin1_body_400(client):
    body = (CASES / "http-non-utf8-body" / "body-latin1.bin").read_bytes()
    response = client.post("/ask", data=body, content_type="application/json")
    error = assert_error_shape(response, 400, "invalid_input")
    assert "UTF-8" in error["message"]
    assert isinstance(error["details"]["byte"], int)


def test_utf8_body_answered(client):
    body = (CASES / "http-non-utf8-body" / "body-utf8.bin").read_bytes()
    response = client.post("/ask", data=body, content_type="application/json")
    assert response.status_code == 200
    assert response.get_json()["question"] == "Who works at Café Lumière?"


@pytest.mark.parametrize("body", [b"[1, 2]", b'"question"', b"null", b"42"])
def test_json_not_object_400(client, body):
    response = client.post("/ask", data=body, content_type="application/json")
    error = assert_error_shape(response, 400, "invalid_input")
    assert "JSON object" in error["message"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"question": 5}, "question"),
        ({"question": ["Who?"]}, "question"),
        ({"question": None}, "question"),
        ({}, "question"),
        ({"question": ""}, "question"),
        ({"question": "   "}, "question"),
        ({"question": "Who?", "graph": 3}, "graph"),
        ({"question": "Who?", "mode": 1}, "mode"),
        ({"question": "Who?", "mode": "fast"}, "mode"),
        ({"question": "Who?", "top_k": "5"}, "top_k"),
        ({"question": "Who?", "top_k": 2.5}, "top_k"),
        ({"question": "Who?", "top_k": True}, "top_k"),
        ({"question": "Who?", "top_k": 0}, "top_k"),
        ({"question": "Who?", "top_k": 1001}, "top_k"),
        ({"question": "Who?", "draft": 7, "mode": "corrected"}, "draft"),
        ({"question": "Who?", "draft": "Paris."}, "draft"),
        ({"question": "Who?", "draft": "Paris.", "mode": "graph"}, "draft"),
    ],
)
def test_ask_invalid_field_400(client, payload, field):
    error = assert_error_shape(client.post("/ask", json=payload), 400, "invalid_input")
    assert error["details"]["field"] == field
    assert repr(field) in error["message"]


def test_bad_mode_lists_modes(client):
    error = assert_error_shape(client.post("/ask", json={"question": "Who?", "mode": "fast"}), 400)
    assert error["details"]["allowed"] == ["graph", "ungrounded", "grounded", "corrected"]


def test_question_too_long_400(client, band_engine):
    limit = band_engine.settings.max_question_chars
    response = client.post("/ask", json={"question": "x" * (limit + 1)})
    error = assert_error_shape(response, 400, "invalid_input")
    assert error["details"] == {"length": limit + 1, "limit": limit}
    assert "KGQA_MAX_QUESTION_CHARS" in error["message"]


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/compare", {}, "question"),
        ("/compare", {"question": "Who?", "top_k": -1}, "top_k"),
        ("/verify", {"question": "Who?"}, "answer"),
        ("/verify", {"question": "Who?", "answer": ""}, "answer"),
        ("/verify", {"answer": "Five."}, "question"),
        ("/verify", {"question": "Who?", "answer": "Five.", "graph": False}, "graph"),
    ],
)
def test_compare_verify_invalid_400(client, path, payload, field):
    error = assert_error_shape(client.post(path, json=payload), 400, "invalid_input")
    assert error["details"]["field"] == field


@pytest.mark.parametrize("name", ["-bad", "a b", "x" * 65, ".hidden"])
def test_invalid_graph_name_400(client, name):
    error = assert_error_shape(client.get(f"/graphs/{name}"), 400, "invalid_input")
    assert "Invalid graph name" in error["message"]


# 404 and 405


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("POST", "/ask", {"question": BAND_QUESTION, "graph": "nope"}),
        ("POST", "/ask", {"question": BAND_QUESTION, "graph": "nope", "mode": "ungrounded"}),
        ("POST", "/compare", {"question": BAND_QUESTION, "graph": "nope"}),
        ("POST", "/verify", {"question": BAND_QUESTION, "answer": "Five.", "graph": "nope"}),
        ("GET", "/graphs/nope", None),
        ("DELETE", "/graphs/nope", None),
        ("GET", "/entities?q=Tidewater&graph=nope", None),
        ("POST", "/graphs/nope/examples",
         {"examples": [{"question": "Who?", "answers": ["A"]}]}),
    ],
)
def test_unknown_graph_404_lists_loaded(client, method, path, payload):
    response = client.open(path, method=method, json=payload)
    error = assert_error_shape(response, 404, "graph_not_found")
    assert "'nope'" in error["message"]
    assert "band" in error["message"]
    assert error["details"]["loaded"] == ["band"]


def test_unknown_route_404(client):
    error = assert_error_shape(client.get("/nowhere"), 404, "not_found")
    assert "/openapi.json" in error["message"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/ask", ["OPTIONS", "POST"]),
        ("PUT", "/compare", ["OPTIONS", "POST"]),
        ("POST", "/graphs", ["GET", "HEAD", "OPTIONS"]),
        ("PATCH", "/graphs/band", ["DELETE", "GET", "HEAD", "OPTIONS", "PUT"]),
        ("DELETE", "/health", ["GET", "HEAD", "OPTIONS"]),
    ],
)
def test_wrong_method_405(client, method, path, allowed):
    response = client.open(path, method=method)
    error = assert_error_shape(response, 405, "method_not_allowed")
    assert error["details"]["allowed_methods"] == allowed
    assert set(response.headers["Allow"].split(", ")) == set(allowed)


# 411 and 413: bodies over the limits, with and without Content-Length


def _chunked(client, path, body: bytes, content_type: str, *, terminated: bool = True):
    """POST or PUT ``body`` with Transfer-Encoding: chunked and no Content-Length."""
    method = "PUT" if path.startswith("/graphs/") and not path.endswith("/examples") else "POST"
    environ = {"wsgi.input_terminated": True} if terminated else {}
    return client.open(path, method=method, input_stream=io.BytesIO(body),
                       headers={"Content-Type": content_type, "Transfer-Encoding": "chunked"},
                       environ_overrides=environ)


def _big_question(kilobytes: int) -> bytes:
    return json.dumps({"question": "x" * (kilobytes * 1024)}).encode()


@pytest.mark.parametrize("path", ["/ask", "/compare", "/verify", "/graphs/band/examples"])
def test_json_over_limit_413(client, path):
    response = client.post(path, data=_big_question(JSON_LIMIT_KB + 1), content_type="application/json")
    error = assert_error_shape(response, 413, "payload_too_large")
    assert error["details"]["limit_bytes"] == JSON_LIMIT_KB * 1024
    assert error["details"]["setting"] == "KGQA_MAX_JSON_KB"


def test_chunked_json_over_limit_413(client):
    response = _chunked(client, "/ask", _big_question(JSON_LIMIT_KB * 40), "application/json")
    error = assert_error_shape(response, 413, "payload_too_large")
    assert error["details"]["received_bytes"] > JSON_LIMIT_KB * 1024


def test_chunked_json_within_limit_answered(client):
    body = json.dumps({"question": BAND_QUESTION}).encode()
    response = _chunked(client, "/ask", body, "application/json")
    assert response.status_code == 200
    assert [item["label"] for item in response.get_json()["answers"]] == ["5"]


def test_chunked_without_end_411(client):
    body = json.dumps({"question": BAND_QUESTION}).encode()
    response = _chunked(client, "/ask", body, "application/json", terminated=False)
    error = assert_error_shape(response, 411, "length_required")
    assert "Content-Length" in error["message"]


def test_upload_over_limit_413(client):
    body = b"<http://e/a> <http://e/p> <http://e/b> .\n" * 2000
    response = client.put("/graphs/big", data=body, content_type="application/n-triples")
    error = assert_error_shape(response, 413, "payload_too_large")
    assert error["details"]["setting"] == "KGQA_MAX_UPLOAD_MB"
    assert_error_shape(client.get("/graphs/big"), 404, "graph_not_found")


def test_chunked_upload_over_limit_413(client):
    body = b"<http://e/a> <http://e/p> <http://e/b> .\n" * 2000
    response = _chunked(client, "/graphs/big", body, "application/n-triples")
    assert_error_shape(response, 413, "payload_too_large")


def test_oversized_case_body_413_then_answers(client):
    # The http-oversized-body case: about 20 MB of JSON, with Content-Length and then chunked.
    body = json.dumps({"question": "Who founded AT&T? " * 1_200_000}).encode()
    assert_error_shape(client.post("/ask", data=body, content_type="application/json"),
                       413, "payload_too_large")
    assert_error_shape(_chunked(client, "/ask", body, "application/json"), 413, "payload_too_large")
    response = client.post("/ask", json={"question": "Who founded AT&T?"})
    assert response.status_code == 200


# 415: missing or unsupported Content-Type


@pytest.mark.parametrize("path", ["/ask", "/compare", "/verify", "/graphs/band/examples"])
@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_json_endpoint_wrong_type_415(client, path, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(path, data=b'{"question": "Who?"}', headers=headers)
    error = assert_error_shape(response, 415, "unsupported_media_type")
    assert error["details"]["supported"] == ["application/json"]
    assert "application/json" in error["message"]


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/json", "image/png"])
def test_upload_wrong_type_415(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.put("/graphs/other", data=b"<http://e/a> <http://e/p> <http://e/b> .", headers=headers)
    error = assert_error_shape(response, 415, "unsupported_media_type")
    for supported in ("text/turtle", "application/ld+json", "text/csv", "multipart/form-data"):
        assert supported in error["message"]
        assert supported in error["details"]["supported"]


# 422: unparseable RDF


def test_bad_turtle_422_with_position(client):
    body = b"@prefix ex: <http://e/> .\nex:a ex:p ex:b .\nex:c ex:p \"open .\n"
    response = client.put("/graphs/broken", data=body, content_type="text/turtle")
    error = assert_error_shape(response, 422, "graph_parse_error")
    assert error["details"]["line"] == 3
    assert isinstance(error["details"]["column"], int)
    assert "line 3" in error["message"]


# 503: the generative model is unavailable and the answer needs its text, while graph-only
# answers keep working. Corrected mode without a draft needs the model to write one.


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/ask", {"question": BAND_QUESTION, "mode": "ungrounded"}),
        ("/ask", {"question": BAND_QUESTION, "mode": "corrected"}),
        ("/compare", {"question": BAND_QUESTION}),
    ],
)
def test_model_down_503(offline_model_client, path, payload):
    error = assert_error_shape(offline_model_client.post(path, json=payload), 503, "model_unavailable")
    assert "127.0.0.1" in error["message"]


def test_model_down_graph_mode_answers(offline_model_client):
    response = offline_model_client.post("/ask", json={"question": BAND_QUESTION})
    assert response.status_code == 200
    assert [item["label"] for item in response.get_json()["answers"]] == ["5"]


@pytest.mark.parametrize("extra", [{"mode": "grounded"}, {"mode": "corrected", "draft": "Six."}])
def test_model_down_grounded_falls_back(offline_model_client, extra):
    # A grounded answer, or the correction of a given draft, falls back to the graph's facts.
    response = offline_model_client.post("/ask", json={"question": BAND_QUESTION, **extra})
    assert response.status_code == 200
    body = response.get_json()
    assert body["problems"] == ["generation_failed"]
    assert body["source"] == "fact_sentence"
    assert "Connection refused" in body["notes"][0]


def test_chunked_over_real_socket_413(client, serve):
    # The Werkzeug server dechunks the body itself, as gunicorn does; the limit must still hold.
    server = serve(client.application)
    blocks = (_big_question(1) for _ in range(JSON_LIMIT_KB * 10))
    response = requests.post(f"{server.url}/ask", data=blocks, timeout=30,
                             headers={"Content-Type": "application/json"})
    assert response.request.headers["Transfer-Encoding"] == "chunked"
    assert_error_shape(response, 413, "payload_too_large")
