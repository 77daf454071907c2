"""Run read-only SPARQL 1.1 queries over the stored graphs, within a timeout and a size limit.

Each kgqa graph is one Oxigraph store, and a query runs against one of them:
the graph named in the request, else ``KGQA_DEFAULT_GRAPH``, else the only
stored graph.

The query's dataset:

- The default graph is the union of every graph of the store (its unnamed
  graph and all named graphs) while ``KGQA_SPARQL_UNION_DEFAULT_GRAPH`` is
  true, so a plain ``SELECT`` also sees what a TriG or N-Quads upload put in
  named graphs. When it is false, the default graph is the store's unnamed
  graph only. A query with ``FROM`` or ``FROM NAMED`` sets its own dataset.
- ``default_graph_uris`` and ``named_graph_uris`` (the protocol's
  ``default-graph-uri`` and ``named-graph-uri``) replace the query's dataset
  as the SPARQL 1.1 Protocol says: when either is given, the default graph
  is the merge of exactly the listed default graphs (empty when none is
  listed) and ``GRAPH`` sees exactly the listed named graphs.

Only queries run. An update (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``,
``DROP``, ``CREATE``, ``ADD``, ``MOVE``, ``COPY``, ``WITH``) raises
``UpdateNotAllowed`` before anything runs. ``SERVICE`` is rejected too,
because pyoxigraph would send the inner query to the named server, and the
endpoint must not make requests on a client's behalf.

Queries run in child processes (``kgqa.graph.sparql_processes``) that are
killed when ``KGQA_SPARQL_TIMEOUT_S`` passes. Results are serialized whole in
the child and returned as bytes, up to ``KGQA_SPARQL_MAX_RESULT_MB``; a
larger result raises ``ResultTooLarge`` instead of being cut short.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kgqa.errors import (
    InvalidInput,
    InvalidQuery,
    NotAcceptable,
    ResultTooLarge,
    StoreError,
    UpdateNotAllowed,
)
from kgqa.graph.sparql_processes import QueryProcessPool, QueryReply, QueryRequest
from kgqa.graph.store import GraphStore, validate_graph_name
from kgqa.settings import Settings

__all__ = [
    "GRAPH_FORMS",
    "GRAPH_MEDIA_TYPES",
    "SOLUTIONS_FORMS",
    "SOLUTIONS_MEDIA_TYPES",
    "QueryShape",
    "SparqlEngine",
    "SparqlResult",
    "choose_media_type",
    "inspect_query",
]

log = logging.getLogger(__name__)

SOLUTIONS_MEDIA_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
"""Media types of SELECT and ASK results; the first is the default."""

GRAPH_MEDIA_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
)
"""Media types of CONSTRUCT and DESCRIBE results; the first is the default."""

# Accept values that select a result media type without naming it, in order of preference.
_SOLUTIONS_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
_GRAPH_ALIASES = {
    "application/json": "application/ld+json",
    "application/xml": "application/rdf+xml",
}

SOLUTIONS_FORMS = ("SELECT", "ASK")
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
_UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")

# Comments, string literals and IRIs, which may contain any keyword as plain text.
_OPAQUE_RE = re.compile(
    r'(?P<comment>#[^\r\n]*)'
    r'|(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\r\n]|\\.)*"'
    r"|'(?:[^'\\\r\n]|\\.)*')"
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)',
    re.DOTALL,
)
_PROLOGUE_RE = re.compile(r"\s*(?:(?:BASE\s*<>|PREFIX\s*[^\s:]*:\s*<>)\s*)*", re.IGNORECASE)
_WORD_RE = re.compile(r"[A-Za-z]+")


def _keyword_re(keyword: str) -> re.Pattern[str]:
    # Not a variable (?service), nor part of a prefixed name (ex:service, service:x) or a longer word.
    return re.compile(rf"(?<![\w?$:\-]){keyword}(?![\w:\-])", re.IGNORECASE)


_SERVICE_RE = _keyword_re("SERVICE")
_FROM_RE = _keyword_re("FROM")


@dataclass(frozen=True)
class QueryShape:
    """The form of a query and whether it sets its own dataset, read from its text before parsing.

    ``form`` is ``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``, or None when
    the text does not start with one (the parser then reports the error).
    """

    form: str | None
    has_dataset_clause: bool


@dataclass(frozen=True)
class SparqlResult:
    """A serialized query result.

    ``content_type`` is ``media_type`` plus ``charset=utf-8`` for ``text/*`` types.
    """

    graph: str
    form: str
    media_type: str
    content_type: str
    body: bytes
    elapsed_s: float


def inspect_query(query: str) -> QueryShape:
    """Return the query's form and dataset use; raise for an update or a ``SERVICE`` clause.

    This is a lexical check, not a parse: it masks comments, strings and
    IRIs, then reads the first keyword after the prologue. The parser in the
    child process reports every other error.
    """
    masked = _OPAQUE_RE.sub(_mask, query)
    prologue = _PROLOGUE_RE.match(masked)
    word = _WORD_RE.match(masked, prologue.end() if prologue else 0)
    keyword = word.group(0).upper() if word else None

    if keyword in _UPDATE_KEYWORDS:
        raise UpdateNotAllowed(
            f"This endpoint is read-only: {keyword} is a SPARQL update. Send a SELECT, ASK, "
            "CONSTRUCT or DESCRIBE query, or change the graph with PUT /graphs/<name>.",
            details={"keyword": keyword})
    if _SERVICE_RE.search(masked):
        raise InvalidQuery(
            "SERVICE is not supported: this endpoint never sends queries to other servers. "
            "Remove the SERVICE clause.", details={"keyword": "SERVICE"})

    form = keyword if keyword in SOLUTIONS_FORMS + GRAPH_FORMS else None
    return QueryShape(form=form, has_dataset_clause=bool(_FROM_RE.search(masked)))


def _mask(match: re.Match[str]) -> str:
    if match.lastgroup == "comment":
        return " "
    return '""' if match.lastgroup == "string" else "<>"


def choose_media_type(form: str, accept: str | None) -> str:
    """Return the result media type for ``form`` that the Accept header ranks best.

    Follows RFC 9110 content negotiation: q-values rank the types, a more
    specific range (``text/csv`` over ``text/*`` over ``*/*``) sets a type's
    q-value, and ``q=0`` excludes a type. Ties go to the range listed first,
    then to the order of ``SOLUTIONS_MEDIA_TYPES`` or ``GRAPH_MEDIA_TYPES``.
    A missing or empty header selects the default. Raises NotAcceptable
    listing the supported types when none is acceptable.
    """
    supported, aliases = _family(form)
    if accept is None or not accept.strip():
        return supported[0]

    ranges = _parse_accept(accept)
    candidates = [(media_type, media_type) for media_type in supported]
    candidates += list(aliases.items())

    best: tuple[float, int] | None = None
    chosen = None
    for offered, canonical in candidates:
        rank = _rank(offered, ranges)
        if rank is not None and (best is None or rank > best):
            best, chosen = rank, canonical

    if chosen is None:
        raise NotAcceptable(
            f"None of the media types in Accept {accept!r} is available for {form} results. "
            f"Supported: {', '.join(supported)}.",
            details={"accept": accept, "form": form, "supported": list(supported)})
    return chosen


def _family(form: str) -> tuple[tuple[str, ...], dict[str, str]]:
    if form in GRAPH_FORMS:
        return GRAPH_MEDIA_TYPES, _GRAPH_ALIASES
    return SOLUTIONS_MEDIA_TYPES, _SOLUTIONS_ALIASES


def _parse_accept(accept: str) -> list[tuple[str, str, float, int]]:
    """Split an Accept header into (type, subtype, q, position); skip malformed ranges."""
    ranges = []
    for position, part in enumerate(accept.split(",")):
        fields = [field.strip() for field in part.split(";")]
        main, _, sub = fields[0].lower().partition("/")
        if not main or not sub:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((main, sub, quality, position))
    return ranges


def _rank(media_type: str, ranges: list[tuple[str, str, float, int]]) -> tuple[float, int] | None:
    """Return (q, -position) of the most specific range matching ``media_type``, None if excluded."""
    main, _, sub = media_type.partition("/")
    best_specificity = -1
    rank = None
    for range_main, range_sub, quality, position in ranges:
        if range_main == main and range_sub == sub:
            specificity = 2
        elif range_main == main and range_sub == "*":
            specificity = 1
        elif range_main == "*" and range_sub == "*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, rank = specificity, (quality, -position)
    if rank is None or rank[0] <= 0.0:
        return None
    return rank


class SparqlEngine:
    """Run read-only SPARQL queries over the graphs of one ``GraphStore``; thread-safe.

    The child processes start on the first query, ``KGQA_SPARQL_PROCESSES``
    at most. Call ``close`` to stop them; they also exit with this process.
    """

    def __init__(self, store: GraphStore, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or store.settings
        self._pool: QueryProcessPool | None = None
        self._pool_lock = threading.Lock()

    def select_graph(self, name: str | None) -> str:
        """Return the graph a query goes to: ``name``, else ``KGQA_DEFAULT_GRAPH``, else the only one.

        Raises GraphNotFound (listing the stored graphs) for an unknown name,
        and InvalidInput when no graph is named and several or none are stored.
        """
        if name:
            validate_graph_name(name)
            self.store.info(name)
            return name
        if self.settings.default_graph:
            return self.select_graph(self.settings.default_graph)

        stored = self.store.names()
        if len(stored) == 1:
            return stored[0]
        listed = ", ".join(stored) if stored else "none"
        raise InvalidInput(
            f"Name the graph to query with the 'graph' parameter (stored graphs: {listed}), "
            "or set KGQA_DEFAULT_GRAPH.", details={"parameter": "graph", "loaded": stored})

    def query(self, query: str, graph: str | None = None, accept: str | None = None,
              default_graph_uris: Sequence[str] = (),
              named_graph_uris: Sequence[str] = ()) -> SparqlResult:
        """Run ``query`` on ``graph`` and return its result serialized for ``accept``.

        Raises InvalidInput (missing query, bad graph IRI), UpdateNotAllowed,
        InvalidQuery (syntax or evaluation error, with line and column when
        the parser gives them), NotAcceptable, GraphNotFound, QueryTimeout,
        ResultTooLarge or StoreError.
        """
        if not isinstance(query, str) or not query.strip():
            raise InvalidInput("The SPARQL query is missing. Send it in the 'query' parameter, "
                               "for example ?query=ASK%20%7B%7D.", details={"parameter": "query"})
        shape = inspect_query(query)
        solutions_type, graph_type = self._media_types(shape.form, accept)
        _check_graph_iris("default-graph-uri", default_graph_uris)
        _check_graph_iris("named-graph-uri", named_graph_uris)
        name = self.select_graph(graph)

        started = time.perf_counter()
        protocol_dataset = bool(default_graph_uris or named_graph_uris)
        with self.store.lease_current(name) as version:
            request = QueryRequest(
                version_path=str(version.path),
                lease_path=str(version.lease_path),
                query=query,
                solutions_media_type=solutions_type,
                graph_media_type=graph_type,
                union_default_graph=self.settings.sparql_union_default_graph
                and not shape.has_dataset_clause,
                default_graphs=tuple(default_graph_uris) if protocol_dataset else None,
                named_graphs=tuple(named_graph_uris) if protocol_dataset else None,
                max_result_bytes=int(self.settings.sparql_max_result_mb * 1024 * 1024),
            )
            reply = self._processes().run(request, self.settings.sparql_timeout_s)
        elapsed = time.perf_counter() - started

        result = self._result(name, shape, reply, elapsed)
        log.debug("SPARQL %s on graph %s: %d bytes of %s in %.3f s", result.form, name,
                 len(result.body), result.media_type, elapsed)
        return result

    def close(self) -> None:
        """Stop the idle child processes."""
        with self._pool_lock:
            if self._pool is not None:
                self._pool.close()

    def _processes(self) -> QueryProcessPool:
        with self._pool_lock:
            if self._pool is None:
                self._pool = QueryProcessPool(self.settings.sparql_processes)
            return self._pool

    def _media_types(self, form: str | None, accept: str | None) -> tuple[str, str]:
        """Choose both result media types; 406 only for the family the query's form needs."""
        if form is not None:
            chosen = choose_media_type(form, accept)
            if form in GRAPH_FORMS:
                return SOLUTIONS_MEDIA_TYPES[0], chosen
            return chosen, GRAPH_MEDIA_TYPES[0]

        # Unknown form: the parser will reject the query, so any acceptable type will do.
        types = []
        families = (("SELECT", SOLUTIONS_MEDIA_TYPES[0]), ("CONSTRUCT", GRAPH_MEDIA_TYPES[0]))
        for family_form, default in families:
            try:
                types.append(choose_media_type(family_form, accept))
            except NotAcceptable:
                types.append(default)
        return types[0], types[1]

    def _result(self, name: str, shape: QueryShape, reply: QueryReply, elapsed: float) -> SparqlResult:
        if reply.status == "syntax_error":
            raise InvalidQuery(f"The query is not valid SPARQL: {reply.message}",
                               details={"line": reply.line, "column": reply.column})
        if reply.status == "evaluation_error":
            raise InvalidQuery(f"The query failed: {reply.message}", details={})
        if reply.status == "too_large":
            limit = self.settings.sparql_max_result_mb
            raise ResultTooLarge(
                f"The result is larger than {limit:g} MB (KGQA_SPARQL_MAX_RESULT_MB). "
                "Add a LIMIT or narrow the query, or raise KGQA_SPARQL_MAX_RESULT_MB.",
                details={"limit_mb": limit, "setting": "KGQA_SPARQL_MAX_RESULT_MB"})
        if reply.status != "ok":
            raise StoreError(f"Cannot read graph {name!r} for the query: {reply.message}. "
                             "Load the graph again if this repeats.", details={"graph": name})

        form = shape.form or {"graph": "CONSTRUCT", "boolean": "ASK"}.get(reply.result_kind, "SELECT")
        content_type = reply.media_type
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        return SparqlResult(graph=name, form=form, media_type=reply.media_type,
                            content_type=content_type, body=reply.body, elapsed_s=elapsed)


def _check_graph_iris(parameter: str, iris: Sequence[str]) -> None:
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError as error:
            raise InvalidInput(f"Parameter {parameter!r} must be an absolute IRI, got {iri!r}: {error}.",
                               details={"parameter": parameter, "value": iri}) from error
