"""The format registry: names, aliases, extensions, media types, and the error for anything else."""

from __future__ import annotations

import pytest

from kgqa.errors import UnsupportedFormat
from kgqa.graph.formats import (
    FORMATS,
    format_for_extension,
    format_for_media_type,
    format_for_name,
    resolve_format,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("turtle", "turtle"), ("ttl", "turtle"), ("TTL", "turtle"),
        ("nt", "ntriples"), ("ntriples", "ntriples"), ("n-triples", "ntriples"),
        ("nq", "nquads"), ("nquads", "nquads"),
        ("trig", "trig"),
        ("xml", "rdfxml"), ("rdf/xml", "rdfxml"), ("owl", "rdfxml"),
        ("jsonld", "jsonld"), ("json-ld", "jsonld"), ("json", "jsonld"),
        ("n3", "n3"),
        ("csv", "csv"), ("tsv", "tsv"), ("pipe", "pipe"),
    ],
)
def test_name_or_alias_finds_format(name, expected):
    assert format_for_name(name).name == expected


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("graph.ttl", "turtle"), ("GRAPH.TTL", "turtle"), ("a.nt", "ntriples"),
        ("a.nq", "nquads"), ("a.trig", "trig"), ("a.rdf", "rdfxml"), ("a.owl", "rdfxml"),
        ("a.xml", "rdfxml"), ("a.jsonld", "jsonld"), ("a.json", "jsonld"), ("a.n3", "n3"),
        ("a.csv", "csv"), ("a.tsv", "tsv"), ("kb.txt", "pipe"),
    ],
)
def test_extension_finds_format(filename, expected):
    assert format_for_extension(filename).name == expected


@pytest.mark.parametrize(
    ("media_type", "expected"),
    [
        ("text/turtle", "turtle"),
        ("text/turtle; charset=utf-8", "turtle"),
        ("application/n-triples", "ntriples"),
        ("application/n-quads", "nquads"),
        ("application/trig", "trig"),
        ("application/rdf+xml", "rdfxml"),
        ("application/ld+json", "jsonld"),
        ("text/n3", "n3"),
        ("TEXT/CSV", "csv"),
        ("text/tab-separated-values", "tsv"),
    ],
)
def test_media_type_finds_format(media_type, expected):
    assert format_for_media_type(media_type).name == expected


def test_explicit_format_beats_extension():
    assert resolve_format("pipe", "graph.ttl").name == "pipe"


def test_resolve_accepts_media_type():
    assert resolve_format("application/n-quads", "upload.bin").name == "nquads"


def test_resolve_falls_back_to_extension():
    assert resolve_format(None, "people.nt").name == "ntriples"


def test_unknown_name_lists_supported():
    with pytest.raises(UnsupportedFormat) as raised:
        format_for_name("rdfa")
    assert "'rdfa'" in raised.value.message
    assert "turtle (.ttl)" in raised.value.message
    assert raised.value.details["supported"] == [fmt.name for fmt in FORMATS]


def test_unknown_extension_names_file():
    with pytest.raises(UnsupportedFormat) as raised:
        format_for_extension("/data/graph.dat")
    assert "'graph.dat'" in raised.value.message
    assert "'.dat'" in raised.value.message


def test_unknown_media_type_lists_supported():
    with pytest.raises(UnsupportedFormat) as raised:
        format_for_media_type("text/html; charset=utf-8")
    assert "text/turtle" in raised.value.message


def test_no_format_no_filename_rejected():
    with pytest.raises(UnsupportedFormat, match="No format given"):
        resolve_format(None, None)


def test_registry_keys_are_unique():
    extensions = [extension for fmt in FORMATS for extension in fmt.extensions]
    names = [name for fmt in FORMATS for name in (fmt.name, *fmt.aliases)]
    media_types = [media_type for fmt in FORMATS for media_type in fmt.media_types]
    assert len(extensions) == len(set(extensions))
    assert len(names) == len(set(names))
    assert len(media_types) == len(set(media_types))
