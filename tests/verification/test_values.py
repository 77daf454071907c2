"""Values asserted in text are found, normalized and compared with graph terms by value."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kgqa.verification.values import TemporalValue, compare_with_term, find_values, normalize_url


@pytest.mark.parametrize(("text", "expected"), [
    ("born on 2 April 1961.", [("date", "1961-04-02")]),
    ("born on April 2, 1961.", [("date", "1961-04-02")]),
    ("born on 1961-04-02.", [("date", "1961-04-02")]),
    ("born on the 2nd of April 1961", [("date", "1961-04-02")]),
    ("released in May 2020", [("date", "2020-05")]),
    ("born in Oslo, Norway, in 1961.", [("year", "1961")]),
    ("chief executive 1998-2001", [("year", "1998"), ("year", "2001")]),
    ("revenue of $383 billion", [("number", "383000000000")]),
    ("1.2 million people", [("number", "1200000")]),
    ("a mass of 1,234.5 kg", [("number", "1234.5")]),
    ("minus -3 degrees", [("number", "-3")]),
    ("see https://rosa.example.org/.", [("url", "https://rosa.example.org")]),
    ("Windows 95", [("number", "95")]),
    ("the A380 on 31 February 2020", [("number", "31"), ("date", "2020-02")]),
])
def test_find_values_normalizes(text, expected):
    assert [(mention.kind, mention.display()) for mention in find_values(text)] == expected


def test_find_values_offsets_match_text():
    text = "Marlowe Vance was born on 2 April 1961."
    mention = find_values(text)[0]
    assert text[mention.start:mention.end] == "2 April 1961"
    assert mention.value == TemporalValue(1961, 4, 2)


@pytest.mark.parametrize(("url", "expected"), [
    ("https://Rosa.Example.org/", "https://rosa.example.org"),
    ("HTTPS://rosa.example.org", "https://rosa.example.org"),
    ("https://rosa.example.org/about/#top", "https://rosa.example.org/about"),
])
def test_normalize_url_keys(url, expected):
    assert normalize_url(url) == expected


@pytest.mark.parametrize(("text", "term", "label", "expected"), [
    ("in 1998", Literal("1998", datatype=XSD.gYear), "1998", True),
    ("in 1999", Literal("1998", datatype=XSD.gYear), "1998", False),
    ("in 1961", Literal("1961-04-02", datatype=XSD.date), "2 April 1961", True),
    ("on 2 April 1961", Literal("1961-04-02", datatype=XSD.date), "2 April 1961", True),
    ("on 3 April 1961", Literal("1961-04-02", datatype=XSD.date), "2 April 1961", False),
    ("on 2 April 1961", Literal("1961", datatype=XSD.gYear), "1961", None),
    ("on 2 April 1962", Literal("1961", datatype=XSD.gYear), "1961", False),
    ("1.2 million", Literal("1200000", datatype=XSD.integer), "1200000", True),
    ("12.50", Literal("12.5", datatype=XSD.decimal), "12.5", True),
    ("13", Literal("12.5", datatype=XSD.decimal), "12.5", False),
    ("in 1998", Literal("1998", datatype=XSD.integer), "1998", True),
    ("https://rosa.example.org", URIRef("https://rosa.example.org/"), "https://rosa.example.org/", True),
    ("https://rose.example.org", URIRef("https://rosa.example.org/"), "https://rosa.example.org/", False),
    ("https://rosa.example.org", URIRef("http://example.org/Tromso"), "Tromsø", None),
    ("in 1961", URIRef("http://example.org/Tromso"), "Tromsø", None),
    ("42", Literal("cartographer"), "cartographer", None),
])
def test_compare_with_term_by_value(text, term, label, expected):
    mention = find_values(text)[0]
    assert compare_with_term(mention, term, label) is expected


def test_number_value_is_decimal():
    mention = find_values("3.50")[0]
    assert mention.value == Decimal("3.50")
    assert mention.display() == "3.5"
