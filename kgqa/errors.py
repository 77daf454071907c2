"""Define the kgqa exception hierarchy; every error maps to one HTTP status and error code.

Messages name the offending value and say what to do next. The HTTP service
turns any ``KgqaError`` into ``{"error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "EntityNotFound",
    "GraphNotFound",
    "GraphParseError",
    "InvalidExpression",
    "InvalidInput",
    "InvalidQuery",
    "InvalidSetting",
    "LengthRequired",
    "KgqaError",
    "ModelUnavailable",
    "NotAcceptable",
    "PayloadTooLarge",
    "PromptTooLong",
    "QueryTimeout",
    "RemoteFetchBlocked",
    "ResultTooLarge",
    "StoreError",
    "UnsupportedFormat",
    "UnsupportedMediaType",
    "Unauthorized",
    "UpdateNotAllowed",
]


class KgqaError(Exception):
    """Base of every error kgqa raises on purpose."""

    code = "kgqa_error"
    http_status = 500

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON error shape shared by the CLI's ``--json`` and the HTTP service."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class InvalidInput(KgqaError):
    """A request, question or file argument is malformed."""

    code = "invalid_input"
    http_status = 400


class InvalidExpression(InvalidInput):
    """An arithmetic expression that cannot be evaluated: bad syntax, division by zero or too large."""

    code = "invalid_expression"


class InvalidSetting(KgqaError):
    """A ``KGQA_`` setting has a value that cannot be parsed."""

    code = "invalid_setting"
    http_status = 500


class GraphNotFound(KgqaError):
    """No graph of that name is loaded."""

    code = "graph_not_found"
    http_status = 404


class EntityNotFound(KgqaError):
    """An entity IRI or name is not in the graph."""

    code = "entity_not_found"
    http_status = 404


class UnsupportedFormat(KgqaError):
    """A file extension, format name or media type kgqa cannot parse."""

    code = "unsupported_format"
    http_status = 415


class UnsupportedMediaType(KgqaError):
    """An HTTP request body has a Content-Type the endpoint does not accept."""

    code = "unsupported_media_type"
    http_status = 415


class GraphParseError(KgqaError):
    """An RDF document or triple table has a syntax error.

    ``details`` carries ``file``, ``line``, ``column`` (1-based, or None when
    the parser does not report one) and ``expected``.
    """

    code = "graph_parse_error"
    http_status = 422


class RemoteFetchBlocked(GraphParseError):
    """A document needs a remote resource (a JSON-LD context, an external entity); kgqa never fetches one."""

    code = "remote_fetch_blocked"


class StoreError(KgqaError):
    """The on-disk store could not be read or written."""

    code = "store_error"
    http_status = 500


class PayloadTooLarge(InvalidInput):
    """A request body is larger than ``KGQA_MAX_UPLOAD_MB``."""

    code = "payload_too_large"
    http_status = 413


class LengthRequired(InvalidInput):
    """A chunked request body reached a server that cannot tell where it ends."""

    code = "length_required"
    http_status = 411


class Unauthorized(KgqaError):
    """A write request lacks the bearer token that ``KGQA_API_KEY`` requires."""

    code = "unauthorized"
    http_status = 401


class InvalidQuery(InvalidInput):
    """A SPARQL query that does not parse or cannot be evaluated.

    ``details`` carries the parser's 1-based ``line`` and ``column`` when it reports them.
    """

    code = "invalid_query"


class UpdateNotAllowed(InvalidInput):
    """A SPARQL update sent to the read-only SPARQL endpoint."""

    code = "update_not_allowed"


class NotAcceptable(KgqaError):
    """No media type in the request's Accept header is one the endpoint can produce."""

    code = "not_acceptable"
    http_status = 406


class ResultTooLarge(KgqaError):
    """A SPARQL result larger than ``KGQA_SPARQL_MAX_RESULT_MB``. A LIMIT or a narrower query avoids it."""

    code = "result_too_large"
    http_status = 422


class QueryTimeout(KgqaError):
    """A SPARQL query ran longer than ``KGQA_SPARQL_TIMEOUT_S``."""

    code = "query_timeout"
    http_status = 503


class ModelUnavailable(KgqaError):
    """A model (embedding or generative) is not loaded or its endpoint does not respond."""

    code = "model_unavailable"
    http_status = 503


class PromptTooLong(InvalidInput):
    """A chat prompt has more tokens than the generative model's context window.

    ``details`` carries ``prompt_tokens`` and ``context_tokens`` when the backend reports them.
    """

    code = "prompt_too_long"
