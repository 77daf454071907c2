"""Triple tables: CSV, TSV and pipe lines become triples with minted IRIs and labels."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

from kgqa.errors import GraphParseError
from kgqa.graph.formats import format_for_name
from kgqa.graph.tables import entity_iri, parse_table, relation_iri, relation_label

NAMESPACE = "urn:kgqa:movies/"
KISMET = URIRef("urn:kgqa:movies/entity/Kismet")
DIRECTED_BY = URIRef("urn:kgqa:movies/relation/directed_by")
DIETERLE = URIRef("urn:kgqa:movies/entity/William%20Dieterle")


def _parse(text: str, fmt: str):
    return parse_table(text, format_for_name(fmt), file_name=f"kb.{fmt}", namespace=NAMESPACE)


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("csv", "Kismet,directed_by,William Dieterle\n"),
        ("csv", "head,relation,tail\nKismet,directed_by,William Dieterle\n"),
        ("csv", "Subject,Predicate,Object\r\nKismet,directed_by,William Dieterle\r\n"),
        ("tsv", "Kismet\tdirected_by\tWilliam Dieterle\n"),
        ("tsv", "head\trelation\ttail\nKismet\tdirected_by\tWilliam Dieterle"),
        ("pipe", "Kismet|directed_by|William Dieterle\n"),
        ("pipe", "\nKismet|directed_by|William Dieterle\n\n"),
    ],
)
def test_row_becomes_triple_with_labels(fmt, text):
    triples = _parse(text, fmt)
    assert (KISMET, DIRECTED_BY, DIETERLE) in triples
    assert (KISMET, RDFS.label, Literal("Kismet")) in triples
    assert (DIETERLE, RDFS.label, Literal("William Dieterle")) in triples
    assert (DIRECTED_BY, RDFS.label, Literal("directed by")) in triples
    assert len(triples) == 4


def test_csv_quoted_field_keeps_comma():
    triples = _parse('"Crouching Tiger, Hidden Dragon",has_genre,Action\n', "csv")
    head = entity_iri(NAMESPACE, "Crouching Tiger, Hidden Dragon")
    assert (head, RDFS.label, Literal("Crouching Tiger, Hidden Dragon")) in triples


def test_names_are_shared_between_rows():
    triples = _parse("Kismet|directed_by|William Dieterle\nJuarez|directed_by|William Dieterle\n",
                     "pipe")
    labels = [triple for triple in triples if triple[1] == RDFS.label]
    assert len(labels) == 4  # Kismet, directed_by, William Dieterle, Juarez
    assert len(triples) == 6


def test_fields_are_stripped():
    triples = _parse(" Kismet | directed_by |William Dieterle \n", "pipe")
    assert (KISMET, DIRECTED_BY, DIETERLE) in triples


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Kismet", "urn:kgqa:movies/entity/Kismet"),
        ("William Dieterle", "urn:kgqa:movies/entity/William%20Dieterle"),
        ("AC/DC", "urn:kgqa:movies/entity/AC%2FDC"),
        ("Łódź", "urn:kgqa:movies/entity/%C5%81%C3%B3d%C5%BA"),
        ("50% off #1?", "urn:kgqa:movies/entity/50%25%20off%20%231%3F"),
    ],
)
def test_entity_iri_is_percent_encoded(name, expected):
    assert entity_iri(NAMESPACE, name) == URIRef(expected)


def test_entity_iri_ignores_normal_form():
    composed = "Amélie"
    decomposed = "Ame\u0301lie"
    assert entity_iri(NAMESPACE, composed) == entity_iri(NAMESPACE, decomposed)


def test_relation_iri_uses_relation_path():
    assert relation_iri(NAMESPACE, "directed_by") == DIRECTED_BY


@pytest.mark.parametrize(
    ("name", "expected"),
    [("directed_by", "directed by"), ("has_imdb_rating", "has imdb rating"), ("genre", "genre")],
)
def test_relation_label_replaces_underscores(name, expected):
    assert relation_label(name) == expected


@pytest.mark.parametrize(
    ("fmt", "text", "line", "fragment"),
    [
        ("pipe", "Kismet|directed_by|William Dieterle\nKismet|written_by\n", 2,
         "expected 3 fields (head|relation|tail), found 2"),
        ("pipe", "a|b|c\n\n\na|b|c|d\n", 4, "found 4"),
        ("csv", "head,relation,tail\nKismet,directed_by\n", 2, "found 2"),
        ("tsv", "Kismet\tdirected_by\tWilliam Dieterle\tx\n", 1, "found 4"),
        ("pipe", "Kismet||William Dieterle\n", 1, "the relation (field 2) is empty"),
        ("csv", "Kismet,directed_by, \n", 1, "the tail (field 3) is empty"),
        ("csv", 'Kismet,directed_by,"William Dieterle\n', 1, "unexpected end of data"),
    ],
)
def test_bad_row_names_line(fmt, text, line, fragment):
    with pytest.raises(GraphParseError) as raised:
        _parse(text, fmt)
    assert raised.value.details["line"] == line
    assert raised.value.details["file"] == f"kb.{fmt}"
    assert f"at line {line}:" in raised.value.message
    assert fragment in raised.value.message


def test_progress_reports_bytes():
    text = "".join(f"movie {index}|has_genre|Drama\n" for index in range(45_000))
    reported = []
    parse_table(text, format_for_name("pipe"), file_name="kb.txt", namespace=NAMESPACE,
                on_progress=reported.append)
    assert len(reported) == 2
    assert reported == sorted(reported)
    assert reported[-1] < len(text.encode())
