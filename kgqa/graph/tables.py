"""Read triple tables (CSV, TSV and pipe-separated ``head|relation|tail`` lines) into RDF triples.

Each row names a head entity, a relation and a tail entity in plain text, as
in KGQA benchmarks such as MetaQA's ``kb.txt``. Every name becomes an IRI
under the graph's namespace (``<namespace>entity/<name>`` and
``<namespace>relation/<name>``, the name NFC-normalized and percent-encoded),
so the same name always gives the same IRI. The name itself is kept as the
entity's ``rdfs:label``; a relation's label is its name with underscores as
spaces (``directed_by`` -> "directed by"). Tails are entities, never
literals, because these tables do not say which names are values.

CSV follows RFC 4180 quoting. TSV and pipe lines are split on every tab or
``|`` without any quoting. Blank lines are skipped, and so is a first row
``head,relation,tail`` or ``subject,predicate,object`` (any case).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterator
from urllib.parse import quote

from rdflib import Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node

from kgqa.errors import GraphParseError, UnsupportedFormat
from kgqa.graph.formats import GraphFormat

__all__ = ["entity_iri", "parse_table", "relation_iri", "relation_label"]

_HEADERS = {("head", "relation", "tail"), ("subject", "predicate", "object")}
_ROLES = ("head", "relation", "tail")
_DELIMITERS = {"csv": ",", "tsv": "\t", "pipe": "|"}
_PROGRESS_EVERY_ROWS = 20_000

Triple = tuple[URIRef, URIRef, Node]


def entity_iri(namespace: str, name: str) -> URIRef:
    """Return the IRI minted for the entity called ``name``."""
    return URIRef(namespace + "entity/" + _encode(name))


def relation_iri(namespace: str, name: str) -> URIRef:
    """Return the IRI minted for the relation called ``name``."""
    return URIRef(namespace + "relation/" + _encode(name))


def relation_label(name: str) -> str:
    """Return a relation's label: its name with spaces for underscores ("directed by")."""
    return " ".join(name.replace("_", " ").split())


def _encode(name: str) -> str:
    return quote(unicodedata.normalize("NFC", name), safe="")


def parse_table(text: str, fmt: GraphFormat, *, file_name: str, namespace: str,
                on_progress: Callable[[int], None] | None = None) -> list[Triple]:
    """Return the triples of a triple table: one per row, plus one label per entity and relation.

    ``on_progress`` receives the number of bytes read so far, every few
    thousand rows. Raises GraphParseError naming the line of a row that does
    not have exactly three non-empty fields.
    """
    if fmt.name not in _DELIMITERS:
        raise UnsupportedFormat(f"parse_table reads csv, tsv or pipe tables, not {fmt.name}. "
                                "Parse RDF syntaxes with kgqa.graph.parsing.parse_rdf.")

    builder = _TripleBuilder(namespace)
    first = True
    for line_number, fields, bytes_read in _rows(text, fmt, file_name):
        if first:
            first = False
            if tuple(field.strip().lower() for field in fields) in _HEADERS:
                continue
        builder.add(_check_row(fields, fmt, file_name, line_number))
        if on_progress is not None and builder.rows % _PROGRESS_EVERY_ROWS == 0:
            on_progress(bytes_read)

    return builder.triples


def _rows(text: str, fmt: GraphFormat, file_name: str) -> Iterator[tuple[int, list[str], int]]:
    """Yield ``(line number, fields, bytes read)`` for every non-blank row."""
    counter = _LineCounter(text)
    if fmt.name == "csv":
        reader = csv.reader(counter, strict=True)
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise _row_error(str(error), "a well-formed CSV row", fmt.label,
                                 counter.line_number, file_name) from error
            if any(field.strip() for field in fields):
                yield counter.line_number, fields, counter.bytes_read
        return

    delimiter = _DELIMITERS[fmt.name]
    for line in counter:
        stripped = line.rstrip("\r\n")
        if stripped.strip():
            yield counter.line_number, stripped.split(delimiter), counter.bytes_read


class _LineCounter:
    """Iterate over the lines of a text, ends kept, counting lines and UTF-8 bytes read."""

    def __init__(self, text: str) -> None:
        self._lines = io.StringIO(text, newline="")
        self.line_number = 0
        self.bytes_read = 0

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.line_number += 1
        self.bytes_read += len(line.encode("utf-8", errors="surrogatepass"))
        return line


def _check_row(fields: list[str], fmt: GraphFormat, file_name: str,
               line_number: int) -> tuple[str, str, str]:
    if len(fields) != 3:
        separator = {"csv": ",", "tsv": "<TAB>", "pipe": "|"}[fmt.name]
        raise _row_error(
            f"expected 3 fields (head{separator}relation{separator}tail), found {len(fields)}",
            "3 fields: head, relation, tail", fmt.label, line_number, file_name)

    names = tuple(field.strip() for field in fields)
    for index, name in enumerate(names):
        if not name:
            raise _row_error(f"the {_ROLES[index]} (field {index + 1}) is empty",
                             f"a non-empty {_ROLES[index]}", fmt.label, line_number, file_name)
    return names  # type: ignore[return-value]


def _row_error(reason: str, expected: str, label: str, line_number: int,
               file_name: str) -> GraphParseError:
    return GraphParseError(
        f"Invalid {label} in {file_name} at line {line_number}: {reason}. "
        "Fix the row and load the file again.",
        details={"file": file_name, "line": line_number, "column": None, "expected": expected},
    )


class _TripleBuilder:
    """Mint IRIs once per name and collect the triples in row order."""

    def __init__(self, namespace: str) -> None:
        self._namespace = namespace
        self._entities: dict[str, URIRef] = {}
        self._relations: dict[str, URIRef] = {}
        self.triples: list[Triple] = []
        self.rows = 0

    def add(self, row: tuple[str, str, str]) -> None:
        head, relation, tail = row
        self.triples.append((self._entity(head), self._relation(relation), self._entity(tail)))
        self.rows += 1

    def _entity(self, name: str) -> URIRef:
        iri = self._entities.get(name)
        if iri is None:
            iri = self._entities[name] = entity_iri(self._namespace, name)
            self.triples.append((iri, RDFS.label, Literal(name)))
        return iri

    def _relation(self, name: str) -> URIRef:
        iri = self._relations.get(name)
        if iri is None:
            iri = self._relations[name] = relation_iri(self._namespace, name)
            self.triples.append((iri, RDFS.label, Literal(relation_label(name))))
        return iri
