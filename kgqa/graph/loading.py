"""Read graph sources (files or uploaded bytes) and parse them completely into memory.

Parsing finishes for every source before anything is written, so a syntax
error in the last file leaves the store untouched.

Terms come out canonical: each one goes through the same Oxigraph round trip
(oxrdflib's term conversion) that reading the stored graph applies. Derived
data built from these quads therefore matches the stored dataset term for
term; for example, a plain literal comes back typed ``xsd:string``.

Blank nodes get new identifiers made from the content hash, the file's
position and a counter. So ``_:p1`` in two files stays two nodes, and
loading the same content again gives the same identifiers, which keeps the
derived-data cache valid.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from oxrdflib._converter import from_ox, to_ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kgqa.errors import GraphParseError, InvalidInput
from kgqa.graph.formats import GraphFormat, resolve_format
from kgqa.graph.parsing import Statement, as_clause, locate_error, parse_error, parse_rdf
from kgqa.graph.tables import parse_table

__all__ = [
    "ParsedGraph",
    "ProgressCallback",
    "Quad",
    "Source",
    "SourceSummary",
    "content_hash",
    "parse_sources",
    "read_source",
    "source_from_bytes",
]

log = logging.getLogger(__name__)

ProgressCallback = Callable[[str, int, "int | None"], None]
"""``progress(stage, done, total)``. Stages and units: ``parse`` (bytes of the
source files), ``write`` (triples written to the store), ``index`` (derived
structures built). ``total`` is None when unknown."""

Quad = tuple[Node, URIRef, Node, "URIRef | BNode | None"]

_HASH_VERSION = b"kgqa-graph-content-v1\n"
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclasses.dataclass(frozen=True)
class Source:
    """One input document: the file name shown in messages, its bytes and its format."""

    name: str
    data: bytes
    fmt: GraphFormat


@dataclasses.dataclass(frozen=True)
class SourceSummary:
    """Triple counts of one source, before duplicates across sources are dropped."""

    name: str
    format: str
    triples: int
    in_named_graphs: int


@dataclasses.dataclass
class ParsedGraph:
    """Every quad of a set of sources, as rdflib terms and as Oxigraph quads, without duplicates.

    ``quads[i]`` and ``ox_quads[i]`` are the same statement; the graph term
    is None for the default graph.
    """

    content_hash: str
    sources: list[SourceSummary]
    quads: list[Quad]
    ox_quads: list[ox.Quad]


def read_source(path: str | os.PathLike[str], fmt: str | None = None) -> Source:
    """Read one file; its format is ``fmt`` if given, else its extension's."""
    path = Path(path)
    fmt_found = resolve_format(fmt, path.name)

    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise InvalidInput(f"File not found: '{path}'. Check the path and load it again.",
                           details={"file": str(path)}) from error
    except IsADirectoryError as error:
        raise InvalidInput(f"'{path}' is a folder, not a file. Name the graph files in it.",
                           details={"file": str(path)}) from error
    except OSError as error:
        raise InvalidInput(f"Cannot read '{path}': {error.strerror}. Check the file's "
                           "permissions and load it again.", details={"file": str(path)}) from error

    return Source(path.name, data, fmt_found)


def source_from_bytes(data: bytes, fmt: str | None = None, filename: str | None = None) -> Source:
    """Wrap uploaded bytes; format ``fmt`` (name, alias or media type), else the extension's."""
    fmt_found = resolve_format(fmt, filename)
    name = Path(filename).name if filename else f"upload.{fmt_found.extensions[0].lstrip('.')}"
    return Source(name, data, fmt_found)


def content_hash(sources: Iterable[Source], namespace: str) -> str:
    """Return the sha256 hex digest that identifies what a load of ``sources`` stores.

    It covers a version tag, the graph's namespace (which table IRIs are
    minted under), and then, for each source in order: format name, file name
    (the base of relative IRIs), byte length and bytes. Whatever changes the
    stored triples changes the hash; the folder a file was read from does not.
    """
    digest = hashlib.sha256(_HASH_VERSION)
    digest.update(namespace.encode("utf-8") + b"\n")
    for source in sources:
        digest.update(f"{source.fmt.name}\n{source.name}\n{len(source.data)}\n".encode())
        digest.update(source.data)
    return digest.hexdigest()


def parse_sources(sources: list[Source], *, namespace: str,
                  progress: ProgressCallback | None = None) -> ParsedGraph:
    """Parse every source into one set of quads; raise GraphParseError on the first invalid one.

    ``namespace`` is the prefix of the IRIs minted for triple tables.
    """
    if not sources:
        raise InvalidInput("No files to load. Name at least one graph file.")

    graph_hash = content_hash(sources, namespace)
    total_bytes = sum(len(source.data) for source in sources)
    done_bytes = 0
    report = progress or (lambda stage, done, total: None)
    report("parse", 0, total_bytes)

    merged: dict[Quad, ox.Quad] = {}
    summaries = []
    for index, source in enumerate(sources):
        converter = _TermConverter(f"k{graph_hash[:10]}f{index}b", source)

        def on_progress(read: int, offset: int = done_bytes) -> None:
            report("parse", offset + read, total_bytes)

        quads = _parse_source(source, namespace, on_progress)
        summaries.append(_add_quads(merged, quads, converter, source))
        done_bytes += len(source.data)
        report("parse", done_bytes, total_bytes)

    return ParsedGraph(graph_hash, summaries, list(merged), list(merged.values()))


def _parse_source(source: Source, namespace: str,
                  on_progress: Callable[[int], None]) -> Iterable[Statement]:
    """Return the raw quads of one source, in the parser's own terms."""
    if source.fmt.name == "rdfxml":
        # RDF/XML may declare its own encoding, so expat decodes it, not us.
        if not source.data.strip():
            raise _empty_error(source)
        return parse_rdf(source.data, source.fmt, file_name=source.name,
                         base_iri=_base_iri(source))

    text = _decode(source)
    if source.fmt.is_table:
        triples = parse_table(text, source.fmt, file_name=source.name, namespace=namespace,
                              on_progress=on_progress)
        return ((subject, predicate, obj, None) for subject, predicate, obj in triples)

    return parse_rdf(text, source.fmt, file_name=source.name, base_iri=_base_iri(source))


def _base_iri(source: Source) -> str:
    """Return the base of relative IRIs: the file name alone, so the folder does not matter."""
    return "file:///" + quote(source.name)


def _decode(source: Source) -> str:
    data = source.data
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        line = data.count(b"\n", 0, error.start) + 1
        column = len(data[line_start:error.start].decode("utf-8", errors="replace")) + 1
        raise parse_error(
            source.fmt.label, source.name,
            f"byte 0x{data[error.start]:02x} is not valid UTF-8",
            line=line, column=column, expected="UTF-8 text",
            fix="Save the file as UTF-8 and load it again.") from error

    if not text.strip():
        raise _empty_error(source)
    return text


def _empty_error(source: Source) -> GraphParseError:
    return parse_error(source.fmt.label, source.name, "the file is empty",
                       expected="at least one triple",
                       fix="Check that you named the right file, then load it again.")


def _add_quads(merged: dict[Quad, ox.Quad], quads: Iterable[Statement],
               converter: _TermConverter, source: Source) -> SourceSummary:
    """Convert one source's quads and add them to ``merged``; return what the source held."""
    own: set[Quad] = set()
    for quad in quads:
        canonical, ox_quad = converter.quad(quad)
        merged.setdefault(canonical, ox_quad)
        own.add(canonical)
    triples = len(own)
    in_named_graphs = sum(1 for quad in own if quad[3] is not None)

    if triples == 0:
        fix = "Add statements, then load it again."
        if source.fmt.name == "jsonld":
            # rdflib drops keys that no @context maps to an IRI, without a word.
            fix = "Add a @context that maps the document's keys to IRIs, then load it again."
        raise parse_error(source.fmt.label, source.name, "the file contains no triples",
                          expected="at least one triple", fix=fix)

    log.info("parsed %s (%s): %d triples, %d of them in named graphs",
             source.name, source.fmt.name, triples, in_named_graphs)
    return SourceSummary(source.name, source.fmt.name, triples, in_named_graphs)


class _TermConverter:
    """Convert rdflib terms to Oxigraph terms and back, renaming blank nodes; cache every term."""

    _POSITIONS = ("subject", "predicate", "object", "graph name")
    _ALLOWED = (
        (URIRef, BNode),
        (URIRef,),
        (URIRef, BNode, Literal),
        (URIRef, BNode, type(None)),
    )

    def __init__(self, blank_prefix: str, source: Source) -> None:
        self._blank_prefix = blank_prefix
        self._source = source
        self._terms: dict[Node, tuple[Node, object]] = {}
        self._blank_count = 0

    def quad(self, quad: Statement) -> tuple[Quad, ox.Quad]:
        converted = [self._term(term, position) for position, term in enumerate(quad)]
        canonical = tuple(rdflib_term for rdflib_term, _ in converted)
        graph = converted[3][1] if quad[3] is not None else ox.DefaultGraph()
        ox_quad = ox.Quad(converted[0][1], converted[1][1], converted[2][1], graph)
        return canonical, ox_quad  # type: ignore[return-value]

    def _term(self, term: Node | None, position: int) -> tuple[Node | None, object]:
        if not isinstance(term, self._ALLOWED[position]):
            raise self._not_rdf(term, position)
        if term is None:
            return None, None

        found = self._terms.get(term)
        if found is None:
            found = self._terms[term] = self._convert(term)
        return found

    def _convert(self, term: Node) -> tuple[Node, object]:
        if isinstance(term, BNode):
            self._blank_count += 1
            term = BNode(f"{self._blank_prefix}{self._blank_count}")

        try:
            ox_term = to_ox(term)
        except (ValueError, TypeError) as error:
            raise self._invalid_term(term, error) from error
        return from_ox(ox_term), ox_term

    def _invalid_term(self, term: Node, error: Exception) -> GraphParseError:
        """Describe a term that rdflib accepted but RDF (and so Oxigraph) does not."""
        term_text = f"<{term}>" if isinstance(term, URIRef) else repr(str(term))
        line = column = None
        found = locate_error(self._source.data, self._source.fmt, _base_iri(self._source))
        if found is not None:
            line, column = found[0], found[1]
        return parse_error(self._source.fmt.label, self._source.name,
                           f"the term {term_text} is not valid RDF: {as_clause(str(error))}",
                           line=line, column=column, expected="absolute IRIs and valid literals")

    def _not_rdf(self, term: object, position: int) -> GraphParseError:
        kind = type(term).__name__
        if kind in ("QuotedGraph", "Graph"):
            kind = "an N3 formula"
        elif kind == "BNode":
            kind = "a blank node"
        elif kind == "Variable":
            kind = f"the variable ?{term}"
        elif kind == "Literal":
            kind = f"the literal {term.n3()}"  # type: ignore[attr-defined]
        return parse_error(
            self._source.fmt.label, self._source.name,
            f"a statement has {kind} as its {self._POSITIONS[position]}, which RDF does not allow",
            expected="RDF triples only",
            fix="Remove N3 rules, formulas and variables, then load the file again.")
