"""GET /health, /ready and /metrics on the bundled-graph app."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from kgqa.service.app import create_app, warm_up


def test_health_ok(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_ready_after_warm_up(service_app):
    warm_up(service_app)
    response = service_app.test_client().get("/ready")
    assert response.status_code == 200
    body = response.get_json()
    assert body["ready"] is True
    assert body["waiting_for"] == []
    assert body["graphs"] == ["companies", "countries", "elements"]
    assert body["prepared_graphs"] == body["graphs"]
    assert body["models"] == {"spacy": True, "embedding": True, "generator": True}


def test_not_ready_before_loading(settings):
    client = create_app(settings).test_client()
    (settings.data_path / "graphs").mkdir(parents=True, exist_ok=True)
    response = client.get("/ready")
    assert response.status_code == 503
    body = response.get_json()
    assert body["ready"] is False
    assert "model embedding not loaded" in body["waiting_for"]
    assert "model generator not loaded" in body["waiting_for"]


def test_metrics_prometheus_text(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    names = {family.name for family in text_string_to_metric_families(response.get_data(as_text=True))}
    assert {"kgqa_http_requests", "kgqa_graph_size", "kgqa_model_loaded"} <= names


def test_ready_after_upload(settings, embedder, service_generator):
    from kgqa.answering.engine import Engine
    from kgqa.verification.modes import AnswerModes

    engine = Engine(settings)
    engine._embedder = embedder
    engine.load_bytes(b"<urn:a> <urn:b> <urn:c> .\n", "first", "application/n-triples")
    app = create_app(settings, engine=engine, modes=AnswerModes(engine, lambda: service_generator))
    warm_up(app)
    client = app.test_client()

    engine.load_bytes(b"<urn:d> <urn:e> <urn:f> .\n", "second", "application/n-triples")
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.get_json()["preparing"] == ["second"]
    assert response.get_json()["prepared_graphs"] == ["first"]
