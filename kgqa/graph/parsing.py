"""Parse one RDF document with rdflib, without network access, and report every failure precisely.

rdflib is the parser of record. Three checks run before it because rdflib
would otherwise reach outside the document:

- JSON-LD: a ``@context`` given as a URL (anywhere in the document) or an
  ``@import`` makes rdflib download it. Such documents raise
  RemoteFetchBlocked; inline context objects work as usual.
- RDF/XML: an external entity (``<!ENTITY name SYSTEM "...">``), or a
  reference to an entity that only an external DTD defines, is rejected with
  RemoteFetchBlocked. Python's expat reader would skip it silently, so kgqa
  raises an error instead. Internal entities, common in OWL files, work.
- ``owl:imports`` is an ordinary triple; nothing follows it.

Any exception rdflib raises becomes a GraphParseError naming the file. Its
line and column come from Oxigraph's parser run on the same bytes, because
its positions are exact for every syntax, and from the rdflib exception when
Oxigraph accepts the document.
"""

from __future__ import annotations

import json
import logging
import pyexpat
import re
import xml.sax
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset
from rdflib.exceptions import ParserError
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.plugins.stores.memory import Memory
from rdflib.term import Node

from kgqa.errors import GraphParseError, RemoteFetchBlocked
from kgqa.graph.formats import GraphFormat

__all__ = ["Statement", "as_clause", "locate_error", "parse_error", "parse_rdf"]

log = logging.getLogger(__name__)

Statement = tuple[Node, Node, Node, "Node | None"]

_RDFLIB_PARSERS = {
    "turtle": "turtle",
    "ntriples": "nt",
    "nquads": "nquads",
    "trig": "trig",
    "rdfxml": "xml",
    "jsonld": "json-ld",
    "n3": "n3",
}
_OXIGRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "n3": ox.RdfFormat.N3,
}
# Oxigraph prefixes positioned messages with "Parser error at line 6 column 27: ".
_OXIGRAPH_POSITION_RE = re.compile(r"^Parser error (?:at|between) [^:]*: ")
# rdflib's RDF/XML handler prefixes its own errors with "<system id>:<line>:<column>: ".
_RDFXML_POSITION_RE = re.compile(r":(\d+):(\d+): (.*)$", re.DOTALL)


def parse_rdf(data: str | bytes, fmt: GraphFormat, *, file_name: str,
              base_iri: str) -> list[Statement]:
    """Return the statements of an RDF document as ``(s, p, o, graph)``, in document order.

    ``graph`` is None for the default graph. Document order, not the order of
    an rdflib store (which depends on random blank-node ids and string
    hashing), keeps later numbering deterministic. A statement stated twice
    appears twice.

    ``data`` is text for every syntax except RDF/XML, which is bytes so that
    its XML declaration can name the encoding. Relative IRIs resolve against
    ``base_iri``. Raises GraphParseError (RemoteFetchBlocked for remote
    references) naming ``file_name``.
    """
    source: Any = data
    if fmt.name == "rdfxml":
        _check_xml(_as_bytes(data), file_name)
    elif fmt.name == "jsonld":
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        document = _load_json(text, file_name)
        _check_json_contexts(document, file_name)
        # rdflib takes a parsed top-level object but not a top-level array, so it gets the text.
        source = text

    recorder = _RecordingMemory()
    dataset = Dataset(store=recorder)
    try:
        dataset.parse(data=source, format=_RDFLIB_PARSERS[fmt.name], publicID=base_iri)
    except MemoryError:
        raise  # not a property of the document
    # rdflib's parsers fail with assorted exception types on malformed input,
    # such as IndexError at the end of a Turtle file or TypeError in a bad
    # JSON-LD context. Each one means that the document is invalid.
    except Exception as error:
        raise _diagnose(error, data, fmt, file_name, base_iri) from error
    return recorder.statements


class _RecordingMemory(Memory):
    """An rdflib Memory store that also lists the asserted statements in the order they arrive.

    Statements inside N3 formulas arrive with ``quoted=True``. They are not
    asserted, so they are not listed.
    """

    def __init__(self) -> None:
        super().__init__()
        self.statements: list[Statement] = []

    def add(self, triple: Any, context: Any, quoted: bool = False) -> None:
        super().add(triple, context, quoted)
        if quoted:
            return
        graph = getattr(context, "identifier", context)
        if graph == DATASET_DEFAULT_GRAPH_ID:
            graph = None
        self.statements.append((*triple, graph))


def parse_error(label: str, file_name: str, explanation: str, *, line: int | None = None,
                column: int | None = None, expected: str | None = None,
                fix: str = "Fix the file and load it again.",
                error_class: type[GraphParseError] = GraphParseError,
                **details: Any) -> GraphParseError:
    """Build the GraphParseError for a document: where it failed, why, and what to do."""
    where = ""
    if line is not None:
        where = f" at line {line}" + (f", column {column}" if column is not None else "")
    if issubclass(error_class, RemoteFetchBlocked):
        message = f"Cannot load {file_name}{where}: {explanation}. {fix}"
    else:
        message = f"Invalid {label} in {file_name}{where}: {explanation}. {fix}"
    return error_class(message, details={
        "file": file_name, "line": line, "column": column,
        "expected": expected if expected is not None else explanation, **details,
    })


def _as_bytes(data: str | bytes) -> bytes:
    return data if isinstance(data, bytes) else data.encode("utf-8")


def as_clause(text: str) -> str:
    """Turn a parser message into a clause: first letter lowercase unless it starts an acronym."""
    text = " ".join(str(text).split()).rstrip(".")
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def _check_xml(data: bytes, file_name: str) -> None:
    """Check well-formedness with expat and reject external entities before rdflib runs."""
    parser = pyexpat.ParserCreate()
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)

    def on_entity(name: str, is_parameter: int, value: str | None, base: str | None,
                  system_id: str | None, public_id: str | None, notation: str | None) -> None:
        if system_id is None and public_id is None:
            return
        raise parse_error(
            "RDF/XML", file_name,
            f"the document declares the external entity {name!r} "
            f"({'SYSTEM ' + repr(system_id) if system_id else 'PUBLIC ' + repr(public_id)}), "
            "and kgqa never resolves external entities",
            line=parser.CurrentLineNumber, column=parser.CurrentColumnNumber + 1,
            expected="internal entities only",
            fix="Replace each reference to it with the text itself, then load the file again.",
            error_class=RemoteFetchBlocked, url=system_id or public_id)

    def on_skipped(name: str, is_parameter: int) -> None:
        # Expat skips a reference to an entity that only an external DTD defines.
        raise parse_error(
            "RDF/XML", file_name,
            f"the document uses the entity {name!r}, which only an external DTD defines, "
            "and kgqa never reads external DTDs",
            line=parser.CurrentLineNumber, column=parser.CurrentColumnNumber + 1,
            expected="entities declared inside the document",
            fix="Declare the entity in the document's internal DTD subset, "
                "then load the file again.",
            error_class=RemoteFetchBlocked)

    parser.EntityDeclHandler = on_entity
    parser.SkippedEntityHandler = on_skipped
    try:
        parser.Parse(data, True)
    except pyexpat.ExpatError as error:
        raise parse_error("RDF/XML", file_name, pyexpat.errors.messages[error.code],
                          line=error.lineno, column=error.offset + 1) from error


def _load_json(text: str, file_name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise parse_error("JSON-LD", file_name, f"invalid JSON: {as_clause(error.msg)}",
                          line=error.lineno, column=error.colno) from error
    except RecursionError as error:
        raise parse_error("JSON-LD", file_name, "the JSON is nested too deeply to parse",
                          expected="less deeply nested JSON") from error
    except ValueError as error:  # for example an integer longer than Python's digit limit
        raise parse_error("JSON-LD", file_name, f"invalid JSON: {as_clause(str(error))}",
                          expected="valid JSON") from error


def _check_json_contexts(document: Any, file_name: str) -> None:
    """Raise RemoteFetchBlocked if any ``@context`` or ``@import`` in the document is a URL.

    The walk covers every object, not only the top level, because rdflib
    also fetches the contexts of nested nodes and of term definitions.
    """
    pending = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(item)
            continue
        if not isinstance(item, dict):
            continue

        for key, value in item.items():
            reference = None
            if key == "@context":
                entries = value if isinstance(value, list) else [value]
                reference = next((entry for entry in entries if isinstance(entry, str)), None)
            elif key == "@import" and isinstance(value, str):
                reference = value
            if reference is not None:
                raise parse_error(
                    "JSON-LD", file_name,
                    f"the document refers to the remote context {reference!r}, "
                    "and kgqa never fetches URLs while loading",
                    expected="an inline @context object",
                    fix="Inline the context: replace the URL with the context object itself, "
                        "then load the file again.",
                    error_class=RemoteFetchBlocked, url=reference)
            pending.append(value)


def _diagnose(error: Exception, data: str | bytes, fmt: GraphFormat, file_name: str,
              base_iri: str) -> GraphParseError:
    """Describe an rdflib failure, in Oxigraph's position and words if Oxigraph rejects it too."""
    line, column, explanation = _rdflib_diagnosis(error)
    found = locate_error(data, fmt, base_iri)
    if found is not None:
        explanation = found[2]
        # Oxigraph reports no position for RDF/XML and JSON-LD errors; rdflib sometimes does.
        if found[0] is not None:
            line, column = found[0], found[1]

    log.debug("rdflib rejected %s with %s: %s", file_name, type(error).__name__, error)
    return parse_error(fmt.label, file_name, explanation, line=line, column=column)


def locate_error(data: str | bytes, fmt: GraphFormat,
                 base_iri: str) -> tuple[int | None, int | None, str] | None:
    """Return ``(line, column, explanation)`` of the first error Oxigraph finds, or None if none.

    Oxigraph's parsers give exact 1-based character positions for the
    line-based syntaxes, and no position (None) for RDF/XML and JSON-LD.
    """
    if fmt.name not in _OXIGRAPH_FORMATS:
        return None
    try:
        for _ in ox.parse(_as_bytes(data), format=_OXIGRAPH_FORMATS[fmt.name], base_iri=base_iri):
            pass
    except SyntaxError as error:
        message = _OXIGRAPH_POSITION_RE.sub("", str(error.msg))
        return error.lineno, error.offset, as_clause(message)
    # This only refines a message; a failure here must not hide the original error.
    except Exception as error:
        log.debug("Oxigraph could not check the document: %s", error)
        return None
    return None


def _rdflib_diagnosis(error: Exception) -> tuple[int | None, int | None, str]:
    if isinstance(error, BadSyntax):
        if error._i < 0:
            return error.lines + 1, None, as_clause(error._why)
        text = error._str.decode("utf-8", errors="replace")
        before = text[:error._i]
        line = before.count("\n") + 1
        return line, error._i - (before.rfind("\n") + 1) + 1, as_clause(error._why)

    if isinstance(error, xml.sax.SAXParseException):
        return error.getLineNumber(), error.getColumnNumber() + 1, as_clause(error.getMessage())

    match = _RDFXML_POSITION_RE.search(str(error)) if isinstance(error, ParserError) else None
    if match:
        return int(match.group(1)), int(match.group(2)) + 1, as_clause(match.group(3))

    return None, None, as_clause(f"the parser failed with {type(error).__name__}: {error}")
