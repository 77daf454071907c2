"""Guard write endpoints with a bearer token and answer browsers' cross-origin checks.

Reads stay open. When ``KGQA_API_KEY`` is empty, writes are open too: that
is the single-user default on 127.0.0.1. CORS headers are sent only for the
origins ``KGQA_CORS_ORIGINS`` allows.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, request

from kgqa.errors import Unauthorized
from kgqa.settings import Settings

__all__ = ["install_cors", "requires_key"]

_Handler = TypeVar("_Handler", bound=Callable[..., Any])
_CORS_METHODS = "GET, POST, PUT, DELETE, OPTIONS"
_CORS_HEADERS = "Authorization, Content-Type, Accept"
_PREFLIGHT_MAX_AGE_S = 600


def requires_key(handler: _Handler) -> _Handler:
    """Refuse the request with 401 unless it carries the configured API key as a bearer token."""

    @functools.wraps(handler)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        from kgqa.service.context import current_service

        check_api_key(current_service().settings, request.headers.get("Authorization"))
        return handler(*args, **kwargs)

    return guarded  # type: ignore[return-value]


def check_api_key(settings: Settings, authorization: str | None) -> None:
    """Raise Unauthorized unless ``authorization`` is ``Bearer <KGQA_API_KEY>`` (or no key is set)."""
    expected = settings.api_key
    if not expected:
        return
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("This endpoint changes stored data and needs the header "
                           "'Authorization: Bearer <key>' with the server's KGQA_API_KEY.")
    if not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Unauthorized("The bearer token does not match the server's KGQA_API_KEY.")


def install_cors(app: Flask, settings: Settings) -> None:
    """Add CORS headers for allowed origins; do nothing when ``KGQA_CORS_ORIGINS`` is empty."""
    allowed = {origin.strip().rstrip("/") for origin in settings.cors_origins.split(",") if origin.strip()}
    if not allowed:
        return

    @app.before_request
    def answer_preflight() -> Response | None:
        if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
            return Response(status=204)
        return None

    @app.after_request
    def add_headers(response: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin is None or ("*" not in allowed and origin.rstrip("/") not in allowed):
            return response
        response.headers["Access-Control-Allow-Origin"] = "*" if "*" in allowed else origin
        response.headers["Access-Control-Allow-Methods"] = _CORS_METHODS
        response.headers["Access-Control-Allow-Headers"] = _CORS_HEADERS
        response.headers["Access-Control-Max-Age"] = str(_PREFLIGHT_MAX_AGE_S)
        if "*" not in allowed:
            response.vary.add("Origin")
        return response
