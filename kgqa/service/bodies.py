"""Read request bodies within their size limits and check the JSON fields handlers need.

Bodies are read from the WSGI stream in blocks and the read stops one block
after the limit, so an oversized body is refused without being held in
memory, whether it came with a Content-Length or chunked without one.
"""

from __future__ import annotations

import json
from typing import Any

from flask import request

from kgqa.errors import InvalidInput, LengthRequired, PayloadTooLarge, UnsupportedMediaType

__all__ = [
    "JSON_MEDIA_TYPE",
    "optional_int",
    "optional_str",
    "read_body",
    "read_json_object",
    "required_str",
]

JSON_MEDIA_TYPE = "application/json"
_BLOCK_BYTES = 64 * 1024


def read_body(limit_bytes: int, setting: str) -> bytes:
    """Return the whole request body, or raise PayloadTooLarge once it passes ``limit_bytes``.

    ``setting`` names the environment variable that raises the limit, for the message.
    """
    declared = request.content_length
    if declared is not None and declared > limit_bytes:
        raise _too_large(declared, limit_bytes, setting)
    if declared is None and _is_chunked() and not request.environ.get("wsgi.input_terminated"):
        # Without the server's promise that the stream ends, Werkzeug would read the body as empty.
        raise LengthRequired("This server cannot read chunked request bodies. "
                             "Send the body with a Content-Length header.")

    blocks: list[bytes] = []
    received = 0
    while True:
        block = request.stream.read(_BLOCK_BYTES)
        if not block:
            break
        received += len(block)
        if received > limit_bytes:
            raise _too_large(received, limit_bytes, setting)
        blocks.append(block)
    return b"".join(blocks)


def _is_chunked() -> bool:
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _too_large(size: int, limit_bytes: int, setting: str) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request body has more than {limit_bytes} bytes (got at least {size}); "
        f"the limit is set by {setting}. Send a smaller body or raise the limit.",
        details={"limit_bytes": limit_bytes, "received_bytes": size, "setting": setting},
    )


def read_json_object(limit_bytes: int, setting: str) -> dict[str, Any]:
    """Return the request body as a JSON object; raise a clear error for any other body."""
    if request.mimetype != JSON_MEDIA_TYPE:
        raise UnsupportedMediaType(
            f"Unsupported Content-Type {request.mimetype or '(none)'!r}. Send {JSON_MEDIA_TYPE}.",
            details={"content_type": request.mimetype or None, "supported": [JSON_MEDIA_TYPE]})

    raw = read_body(limit_bytes, setting)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput(f"The request body is not valid UTF-8 (byte {error.start}). "
                           "Send the JSON encoded as UTF-8.", details={"byte": error.start}) from error
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"The request body is not valid JSON: {error.msg} at line {error.lineno}, "
                           f"column {error.colno}.",
                           details={"line": error.lineno, "column": error.colno}) from error
    if not isinstance(payload, dict):
        raise InvalidInput("The request body must be a JSON object such as {\"question\": \"...\"}.")
    return payload


def required_str(payload: dict[str, Any], name: str, example: str) -> str:
    """Return the non-empty string field ``name``; ``example`` shows a valid value in the message."""
    value = payload.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"Field {name!r} must be a non-empty string, got {value!r}. "
                           f"Example: {{\"{name}\": \"{example}\"}}.", details={"field": name})
    return value


def optional_str(payload: dict[str, Any], name: str, choices: tuple[str, ...] | None = None) -> str | None:
    """Return the string field ``name`` or None; with ``choices``, the value must be one of them."""
    value = payload.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"Field {name!r} must be a string, got {value!r}.", details={"field": name})
    if choices is not None and value not in choices:
        raise InvalidInput(f"Field {name!r} must be one of {', '.join(choices)}; got {value!r}.",
                           details={"field": name, "allowed": list(choices)})
    return value


def optional_int(payload: dict[str, Any], name: str, minimum: int, maximum: int) -> int | None:
    """Return the integer field ``name`` or None, within ``minimum``..``maximum``."""
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise InvalidInput(f"Field {name!r} must be an integer from {minimum} to {maximum}, "
                           f"got {value!r}.", details={"field": name, "minimum": minimum,
                                                       "maximum": maximum})
    return value
