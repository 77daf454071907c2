"""Serve the SPARQL 1.1 Protocol, read-only: ``GET /sparql`` and ``POST /sparql``.

A query arrives in one of the protocol's three ways:

- ``GET /sparql?query=...``;
- ``POST`` with ``Content-Type: application/x-www-form-urlencoded`` and
  ``query=...`` in the body;
- ``POST`` with ``Content-Type: application/sparql-query`` and the query as
  the whole body (UTF-8); the other parameters then go in the URL.

Other parameters: ``graph`` (the kgqa graph to query, see
``SparqlEngine.select_graph``), and ``default-graph-uri`` and
``named-graph-uri``, each repeatable. The ``Accept`` header picks the result
format (``kgqa.graph.sparql.choose_media_type``). Updates get HTTP 400 with
code ``update_not_allowed``, whether sent as ``application/sparql-update``,
as an ``update`` parameter or as an update in ``query``. POST bodies are
limited by ``KGQA_MAX_JSON_KB``.
"""

from __future__ import annotations

import threading
from urllib.parse import parse_qsl

from flask import Blueprint, Flask, Response, current_app, g, request

from kgqa.errors import InvalidInput, UnsupportedMediaType, UpdateNotAllowed
from kgqa.graph.sparql import SparqlEngine
from kgqa.service.bodies import read_body
from kgqa.service.context import current_service

__all__ = ["QUERY_MEDIA_TYPES", "blueprint", "sparql_engine"]

blueprint = Blueprint("sparql", __name__)

_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"
QUERY_MEDIA_TYPES = (_QUERY, _FORM)
"""Content-Types a ``POST /sparql`` body may have."""

_EXTENSION_KEY = "kgqa.sparql"
_ENGINE_LOCK = threading.Lock()


def sparql_engine(app: Flask) -> SparqlEngine:
    """Return the application's SPARQL engine, creating it on first use.

    Its child processes start with the first query, so an application that
    never receives a SPARQL query starts none.
    """
    with _ENGINE_LOCK:
        engine = app.extensions.get(_EXTENSION_KEY)
        if engine is None:
            service = app.extensions["kgqa"]
            engine = SparqlEngine(service.engine.store, service.settings)
            app.extensions[_EXTENSION_KEY] = engine
        return engine


@blueprint.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    parameters = _request_parameters()
    if "update" in parameters:
        raise UpdateNotAllowed("This endpoint is read-only: the 'update' parameter carries a "
                               "SPARQL update. Send a query in the 'query' parameter instead.",
                               details={"parameter": "update"})

    queries = parameters.get("query", [])
    if len(queries) > 1:
        raise InvalidInput(f"Send exactly one 'query' parameter; got {len(queries)}.",
                           details={"parameter": "query"})
    graphs = parameters.get("graph", [])
    if len(graphs) > 1:
        raise InvalidInput(f"Send at most one 'graph' parameter; got {len(graphs)}.",
                           details={"parameter": "graph"})

    result = sparql_engine(current_app).query(
        queries[0] if queries else "",
        graph=graphs[0] if graphs else None,
        accept=request.headers.get("Accept"),
        default_graph_uris=parameters.get("default-graph-uri", []),
        named_graph_uris=parameters.get("named-graph-uri", []),
    )
    g.metrics_mode = result.form.lower()
    return Response(result.body, status=200, content_type=result.content_type,
                    headers={"Vary": "Accept"})


def _request_parameters() -> dict[str, list[str]]:
    """Collect the protocol parameters from the URL and, for POST, the body."""
    parameters: dict[str, list[str]] = {}
    for name, value in request.args.items(multi=True):
        parameters.setdefault(name, []).append(value)
    if request.method != "POST":
        return parameters

    media_type = request.mimetype
    if media_type == _UPDATE:
        raise UpdateNotAllowed("This endpoint is read-only: application/sparql-update requests "
                               "are not accepted. Send a query as application/sparql-query.",
                               details={"content_type": media_type})
    if media_type not in QUERY_MEDIA_TYPES:
        raise UnsupportedMediaType(
            f"Unsupported Content-Type {media_type or '(none)'!r} for POST /sparql. "
            f"Send {_QUERY} (the query as the body) or {_FORM} (query=...).",
            details={"content_type": media_type or None, "supported": list(QUERY_MEDIA_TYPES)})

    text = _read_text()
    if media_type == _QUERY:
        parameters.setdefault("query", []).append(text)
    else:
        for name, value in parse_qsl(text, keep_blank_values=True):
            parameters.setdefault(name, []).append(value)
    return parameters


def _read_text() -> str:
    limit_kb = current_service().settings.max_json_kb
    body = read_body(limit_kb * 1024, "KGQA_MAX_JSON_KB")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput(f"The request body is not valid UTF-8 (byte {error.start}). "
                           "Send the query encoded as UTF-8.", details={"byte": error.start}) from error
