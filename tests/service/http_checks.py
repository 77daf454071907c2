"""Assertions shared by the HTTP tests; ``tests/service`` is on sys.path because its conftest is."""

from __future__ import annotations

import json
from typing import Any


def assert_error_shape(response: Any, status: int, code: str | None = None) -> dict:
    """Assert that ``response`` is the JSON error shape with ``status`` (and ``code``); return the error.

    Accepts a Flask test response, a ``requests`` response or a schemathesis response.
    """
    text = _body_text(response)
    assert response.status_code == status
    assert content_type_of(response) == "application/json"
    assert "Traceback" not in text
    assert "<html" not in text.lower()

    body = json.loads(text)
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "details"}
    if code is not None:
        assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["details"], dict)
    return error


def content_type_of(response: Any) -> str:
    """Return the media type of ``response`` without parameters, or "" when it has none."""
    headers = response.headers
    if isinstance(headers, dict):  # schemathesis: lowercase names, lists of values
        value = (headers.get("content-type") or [""])[0]
    else:
        value = headers.get("Content-Type", "")
    return value.split(";")[0].strip()


def _body_text(response: Any) -> str:
    if hasattr(response, "get_data"):
        return response.get_data(as_text=True)
    return response.text
