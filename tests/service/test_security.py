"""Write endpoints need the bearer key when KGQA_API_KEY is set; CORS headers only for allowed origins."""

from __future__ import annotations

from pathlib import Path

import pytest
from http_checks import assert_error_shape

from kgqa.answering.engine import Engine
from kgqa.service.app import create_app
from kgqa.settings import Settings

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
API_KEY = "s3cret-key"
ALLOWED_ORIGIN = "http://localhost:3000"
TURTLE = b"<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> \"A\" .\n"


def _client(tmp_path_factory, embedder, **overrides):
    settings = Settings(environ={}, data_dir=str(tmp_path_factory.mktemp("security-data")), **overrides)
    engine = Engine(settings)
    engine._embedder = embedder
    engine.load([CASES / "counting-and-yes-no" / "graph.ttl"], name="band")
    return create_app(settings, engine=engine).test_client()


@pytest.fixture(scope="module")
def keyed_client(tmp_path_factory, embedder):
    return _client(tmp_path_factory, embedder, api_key=API_KEY, cors_origins=ALLOWED_ORIGIN)


@pytest.fixture(scope="module")
def open_client(tmp_path_factory, embedder):
    return _client(tmp_path_factory, embedder)


WRITES = [
    ("PUT", "/graphs/scratch", {"data": TURTLE, "content_type": "text/turtle"}),
    ("DELETE", "/graphs/band", {}),
    ("POST", "/graphs/band/examples",
     {"json": {"examples": [{"question": "Who plays in The Tidewater Four?", "answers": ["Ada Kerr"]}]}}),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-key", "Basic czNjcmV0LWtleQ==", "Bearer ",
                                           API_KEY])
def test_write_without_key_401(keyed_client, method, path, body, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = keyed_client.open(path, method=method, headers=headers, **body)
    error = assert_error_shape(response, 401, "unauthorized")
    assert "KGQA_API_KEY" in error["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert API_KEY not in response.get_data(as_text=True)


def test_graph_kept_after_refused_delete(keyed_client):
    keyed_client.delete("/graphs/band", headers={"Authorization": "Bearer wrong-key"})
    assert keyed_client.get("/graphs/band").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("GET", "/graphs", {}), ("GET", "/graphs/band", {}), ("GET", "/entities?q=Tidewater", {}),
     ("POST", "/ask", {"json": {"question": "How many members does The Tidewater Four have?"}}),
     ("GET", "/health", {}), ("GET", "/metrics", {}), ("GET", "/openapi.json", {})],
)
def test_reads_open_with_key_set(keyed_client, method, path, body):
    assert keyed_client.open(path, method=method, **body).status_code == 200


def test_right_key_allows_writes(keyed_client):
    auth = {"Authorization": f"Bearer {API_KEY}"}
    uploaded = keyed_client.put("/graphs/scratch", data=TURTLE, content_type="text/turtle", headers=auth)
    examples = keyed_client.post("/graphs/scratch/examples", headers=auth,
                                 json={"examples": [{"question": "What is A?", "answers": ["A"]}]})
    deleted = keyed_client.delete("/graphs/scratch", headers=auth)
    assert uploaded.status_code == 201
    assert examples.status_code == 201
    assert deleted.status_code == 200


def test_writes_open_without_key(open_client):
    assert open_client.put("/graphs/scratch", data=TURTLE, content_type="text/turtle").status_code == 201
    assert open_client.delete("/graphs/scratch").status_code == 200


# CORS


def test_cors_off_by_default(open_client):
    response = open_client.get("/graphs", headers={"Origin": ALLOWED_ORIGIN})
    preflight = open_client.options("/ask", headers={"Origin": ALLOWED_ORIGIN,
                                                     "Access-Control-Request-Method": "POST"})
    for headers in (response.headers, preflight.headers):
        assert [name for name, _ in headers.items() if name.startswith("Access-Control-")] == []


def test_cors_preflight_allowed_origin(keyed_client):
    response = keyed_client.options("/ask", headers={"Origin": ALLOWED_ORIGIN,
                                                     "Access-Control-Request-Method": "POST",
                                                     "Access-Control-Request-Headers": "Content-Type"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    assert "Origin" in response.headers["Vary"]


def test_cors_simple_request_allowed_origin(keyed_client):
    response = keyed_client.get("/graphs", headers={"Origin": ALLOWED_ORIGIN})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN


def test_cors_other_origin_gets_none(keyed_client):
    response = keyed_client.get("/graphs", headers={"Origin": "http://evil.example"})
    preflight = keyed_client.options("/ask", headers={"Origin": "http://evil.example",
                                                      "Access-Control-Request-Method": "POST"})
    for headers in (response.headers, preflight.headers):
        assert [name for name, _ in headers.items() if name.startswith("Access-Control-")] == []


def test_cors_on_error_responses(keyed_client):
    response = keyed_client.get("/graphs/nope", headers={"Origin": ALLOWED_ORIGIN})
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
