"""List every input format kgqa loads, and find one by name, alias, file extension or media type.

This registry is the single list of supported inputs: RDF syntaxes, parsed
by rdflib, and triple tables (``head,relation,tail`` rows), parsed by
``kgqa.graph.tables``. Lookups ignore case; media-type parameters such as
``; charset=utf-8`` are ignored.
"""

from __future__ import annotations

import dataclasses
from pathlib import PurePath

from kgqa.errors import UnsupportedFormat

__all__ = [
    "FORMATS",
    "GraphFormat",
    "format_for_extension",
    "format_for_media_type",
    "format_for_name",
    "resolve_format",
]


@dataclasses.dataclass(frozen=True)
class GraphFormat:
    """One input format: its canonical name, the label used in messages, and how to recognise it.

    ``kind`` is ``"rdf"`` for RDF syntaxes and ``"table"`` for triple tables.
    Extensions include the leading dot.
    """

    name: str
    label: str
    kind: str
    extensions: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    media_types: tuple[str, ...] = ()

    @property
    def is_table(self) -> bool:
        return self.kind == "table"


FORMATS: tuple[GraphFormat, ...] = (
    GraphFormat("turtle", "Turtle", "rdf", (".ttl",), ("ttl",),
                ("text/turtle", "application/x-turtle")),
    GraphFormat("ntriples", "N-Triples", "rdf", (".nt",), ("nt", "n-triples", "nt11"),
                ("application/n-triples",)),
    GraphFormat("nquads", "N-Quads", "rdf", (".nq",), ("nq", "n-quads"),
                ("application/n-quads",)),
    GraphFormat("trig", "TriG", "rdf", (".trig",), (), ("application/trig",)),
    GraphFormat("rdfxml", "RDF/XML", "rdf", (".rdf", ".owl", ".xml"),
                ("xml", "rdf", "rdf/xml", "rdf-xml", "owl"), ("application/rdf+xml",)),
    GraphFormat("jsonld", "JSON-LD", "rdf", (".jsonld", ".json"), ("json-ld", "json"),
                ("application/ld+json",)),
    GraphFormat("n3", "N3", "rdf", (".n3",), ("notation3",), ("text/n3", "text/rdf+n3")),
    GraphFormat("csv", "CSV triple table", "table", (".csv",), (), ("text/csv",)),
    GraphFormat("tsv", "TSV triple table", "table", (".tsv",), ("tab",),
                ("text/tab-separated-values",)),
    GraphFormat("pipe", "pipe-separated triple table", "table", (".txt",), ("psv",)),
)

_BY_NAME = {name: fmt for fmt in FORMATS for name in (fmt.name, *fmt.aliases)}
_BY_EXTENSION = {extension: fmt for fmt in FORMATS for extension in fmt.extensions}
_BY_MEDIA_TYPE = {media_type: fmt for fmt in FORMATS for media_type in fmt.media_types}


def _supported_names() -> str:
    return ", ".join(f"{fmt.name} ({' '.join(fmt.extensions)})" for fmt in FORMATS)


def format_for_name(name: str) -> GraphFormat:
    """Return the format called ``name`` (canonical name or alias, any case)."""
    fmt = _BY_NAME.get(name.strip().lower())
    if fmt is None:
        raise UnsupportedFormat(
            f"Unsupported format {name!r}. Supported formats: {_supported_names()}. "
            "Name one of these formats.",
            details={"format": name, "supported": [fmt.name for fmt in FORMATS]},
        )
    return fmt


def format_for_extension(filename: str) -> GraphFormat:
    """Return the format of a file from its extension (``graph.TTL`` is Turtle)."""
    extension = PurePath(filename).suffix.lower()
    fmt = _BY_EXTENSION.get(extension)
    if fmt is None:
        raise UnsupportedFormat(
            f"Cannot tell the format of {PurePath(filename).name!r} from its extension "
            f"{extension or '(none)'!r}. Supported formats: {_supported_names()}. "
            "Rename the file or name its format explicitly (kgqa load --format NAME).",
            details={"file": PurePath(filename).name,
                     "supported": [fmt.name for fmt in FORMATS]},
        )
    return fmt


def format_for_media_type(media_type: str) -> GraphFormat:
    """Return the format of an HTTP media type such as ``text/turtle; charset=utf-8``."""
    essence = media_type.split(";", 1)[0].strip().lower()
    fmt = _BY_MEDIA_TYPE.get(essence)
    if fmt is None:
        supported = sorted(_BY_MEDIA_TYPE)
        raise UnsupportedFormat(
            f"Unsupported media type {media_type!r}. Supported media types: "
            f"{', '.join(supported)}. Send one of these as the Content-Type.",
            details={"media_type": media_type, "supported": supported},
        )
    return fmt


def resolve_format(fmt: str | None = None, filename: str | None = None) -> GraphFormat:
    """Return the format named by ``fmt``, else the one implied by ``filename``'s extension.

    ``fmt`` may be a format name, an alias or a media type. A value with a
    ``/`` that is not an alias (``rdf/xml`` is one) is read as a media type.
    An explicit ``fmt`` always wins over the extension.
    """
    if fmt:
        if "/" in fmt and fmt.strip().lower() not in _BY_NAME:
            return format_for_media_type(fmt)
        return format_for_name(fmt)
    if filename:
        return format_for_extension(filename)
    raise UnsupportedFormat(
        f"No format given and no file name to guess it from. Supported formats: "
        f"{_supported_names()}. Name the format explicitly.",
        details={"supported": [fmt.name for fmt in FORMATS]},
    )
