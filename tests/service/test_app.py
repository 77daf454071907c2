"""The HTTP face: POST /ask answers and every error path returns the one JSON error shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgqa.answering.engine import Engine
from kgqa.service.app import create_app

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"


@pytest.fixture(scope="module")
def client(tmp_path_factory, embedder):
    from kgqa.settings import Settings

    settings = Settings(environ={}, data_dir=str(tmp_path_factory.mktemp("service-data")))
    engine = Engine(settings)
    engine._embedder = embedder
    engine.load([CASES / "counting-and-yes-no" / "graph.ttl"], name="band")
    app = create_app(settings, engine=engine)
    return app.test_client()


def assert_error_shape(response, status, code):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], dict)


def test_ask_answers_with_evidence(client):
    response = client.post("/ask", json={"question": "How many members does The Tidewater Four have?"})
    assert response.status_code == 200
    body = response.get_json()
    assert [item["label"] for item in body["answers"]] == ["5"]
    assert body["evidence"]


def test_utf8_body_answered(client):
    body = (CASES / "http-non-utf8-body" / "body-utf8.bin").read_bytes()
    response = client.post("/ask", data=body, content_type="application/json")
    assert response.status_code == 200
    assert response.get_json()["status"] == "no_entity"


def test_latin1_body_rejected(client):
    body = (CASES / "http-non-utf8-body" / "body-latin1.bin").read_bytes()
    response = client.post("/ask", data=body, content_type="application/json")
    assert_error_shape(response, 400, "invalid_input")
    assert "UTF-8" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        (b"{not json", "application/json", 400, "invalid_input"),
        (b"[1, 2]", "application/json", 400, "invalid_input"),
        (b'{"question": ""}', "application/json", 400, "invalid_input"),
        (b'{"question": 5}', "application/json", 400, "invalid_input"),
        (b'{"question": "Who?", "graph": "nope"}', "application/json", 404, "graph_not_found"),
        (b"question=Who", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (json.dumps({"question": "x" * 2001}).encode(), "application/json", 400, "invalid_input"),
    ],
)
def test_bad_requests_json_errors(client, data, content_type, status, code):
    response = client.post("/ask", data=data, content_type=content_type)
    assert_error_shape(response, status, code)


def test_oversized_body_413(client):
    body = json.dumps({"question": "Who founded AT&T? " * 120_000}).encode()
    response = client.post("/ask", data=body, content_type="application/json")
    assert_error_shape(response, 413, "payload_too_large")


def test_unknown_route_json_404(client):
    assert_error_shape(client.get("/nowhere"), 404, "not_found")


def test_wrong_method_json_405(client):
    assert_error_shape(client.get("/ask"), 405, "method_not_allowed")
