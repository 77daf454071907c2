"""Build the Flask application: one engine per process, JSON in and out, one error shape.

Every error response is ``{"error": {"code", "message", "details"}}`` with a
status from the exception hierarchy; bad input never produces a 500.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from kgqa.answering.engine import Engine
from kgqa.errors import InvalidInput, KgqaError, UnsupportedMediaType
from kgqa.settings import Settings

__all__ = ["create_app"]

log = logging.getLogger(__name__)

_MAX_JSON_BODY_BYTES = 1024 * 1024


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> Flask:
    """Create the WSGI application; the engine (and so models and graphs) is built here, not at import."""
    settings = settings or Settings()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = _MAX_JSON_BODY_BYTES
    app.extensions["kgqa_engine"] = engine or Engine(settings)

    _register_errors(app)
    _register_routes(app)
    return app


def _engine(app: Flask) -> Engine:
    return app.extensions["kgqa_engine"]


def _json_response(payload: dict[str, Any], status: int = 200) -> Response:
    body = json.dumps(payload, ensure_ascii=False)
    return Response(body, status=status, mimetype="application/json")


def _read_json_body() -> dict[str, Any]:
    if request.mimetype != "application/json":
        raise UnsupportedMediaType(
            f"Unsupported Content-Type {request.mimetype or '(none)'!r}. Send application/json.",
            details={"supported": ["application/json"]})
    raw = request.get_data(cache=False)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput(f"The request body is not valid UTF-8 (byte {error.start}). "
                           "Send the JSON encoded as UTF-8.") from error
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"The request body is not valid JSON: {error.msg} at line {error.lineno}, "
                           f"column {error.colno}.") from error
    if not isinstance(payload, dict):
        raise InvalidInput("The request body must be a JSON object such as {\"question\": \"...\"}.")
    return payload


def _register_routes(app: Flask) -> None:
    @app.post("/ask")
    def ask() -> Response:
        payload = _read_json_body()
        question = payload.get("question")
        graph = payload.get("graph")
        if graph is not None and not isinstance(graph, str):
            raise InvalidInput("'graph' must be a string naming a loaded graph.")
        answer = _engine(app).ask(question, graph=graph)
        return _json_response(answer.to_dict())

    @app.get("/health")
    def health() -> Response:
        return _json_response({"status": "ok"})


def _register_errors(app: Flask) -> None:
    @app.errorhandler(KgqaError)
    def handle_kgqa_error(error: KgqaError) -> Response:
        log.info("request %s %s failed: %s", request.method, request.path, error.message)
        return _json_response(error.to_dict(), error.http_status)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> Response:
        payload = {"error": {"code": (error.name or "http_error").lower().replace(" ", "_"),
                             "message": error.description or error.name, "details": {}}}
        return _json_response(payload, error.code or 500)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        payload = {"error": {"code": "internal_error",
                             "message": "Internal error; the server log has the details.",
                             "details": {}}}
        return _json_response(payload, 500)
