"""Turn every failure into the one JSON error shape: ``{"error": {"code", "message", "details"}}``.

kgqa's own errors carry their HTTP status. Werkzeug's HTTP errors (unknown
route, wrong method) get the same shape, and anything unexpected becomes a
500 whose body never holds a traceback: the log has it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from kgqa.errors import KgqaError

__all__ = ["error_response", "json_response", "register_error_handlers"]

log = logging.getLogger(__name__)


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Return ``payload`` as a UTF-8 JSON response (non-ASCII text stays readable)."""
    body = json.dumps(payload, ensure_ascii=False)
    return Response(body, status=status, mimetype="application/json", headers=headers)


def error_response(code: str, message: str, status: int, details: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    """Return the JSON error shape with ``status``."""
    payload = {"error": {"code": code, "message": message, "details": details or {}}}
    return json_response(payload, status, headers)


def register_error_handlers(app: Flask) -> None:
    """Install the handlers that give every error path the JSON error shape."""

    @app.errorhandler(KgqaError)
    def handle_kgqa_error(error: KgqaError) -> Response:
        log.info("%s %s -> %d %s: %s", request.method, request.path, error.http_status, error.code,
                 error.message)
        headers = {"WWW-Authenticate": 'Bearer realm="kgqa"'} if error.http_status == 401 else None
        return error_response(error.code, error.message, error.http_status, error.details, headers)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> Response:
        status = error.code or 500
        details: dict[str, Any] = {}
        if status == 405 and error.valid_methods:
            details["allowed_methods"] = sorted(error.valid_methods)
        code = (error.name or "http_error").lower().replace(" ", "_")
        headers = dict(error.get_headers())
        headers.pop("Content-Type", None)
        return error_response(code, _plain_description(error, status), status, details, headers)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response("internal_error", "Internal error; the server log has the details.", 500)


def _plain_description(error: HTTPException, status: int) -> str:
    if status == 404:
        return f"No endpoint at {request.path}. GET /openapi.json lists the endpoints."
    if status == 405:
        return f"{request.method} is not allowed on {request.path}."
    return error.description or error.name
