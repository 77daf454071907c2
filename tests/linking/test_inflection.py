"""Tests of the English noun inflection applied to class labels."""

from __future__ import annotations

import pytest

from kgqa.linking.inflection import inflections, plural, singular


@pytest.mark.parametrize(("noun", "expected"), [
    ("country", "countries"),
    ("city", "cities"),
    ("company", "companies"),
    ("day", "days"),
    ("element", "elements"),
    ("class", "classes"),
    ("box", "boxes"),
    ("church", "churches"),
    ("bush", "bushes"),
    ("lens", "lenses"),
    ("photo", "photos"),
    ("hero", "heroes"),
    ("person", "people"),
    ("Person", "People"),
    ("man", "men"),
    ("woman", "women"),
    ("child", "children"),
    ("chairman", "chairmen"),
    ("salesperson", "salespeople"),
    ("grandchild", "grandchildren"),
    ("human", "humans"),
    ("German", "Germans"),
    ("Oman", "Omans"),
    ("analysis", "analyses"),
    ("criterion", "criteria"),
    ("leaf", "leaves"),
    ("species", "species"),
    ("API", "APIs"),
])
def test_plural_table(noun, expected):
    assert plural(noun) == expected


@pytest.mark.parametrize(("noun", "expected"), [
    ("countries", "country"),
    ("cities", "city"),
    ("movies", "movie"),
    ("days", "day"),
    ("horses", "horse"),
    ("classes", "class"),
    ("boxes", "box"),
    ("caches", "cache"),
    ("people", "person"),
    ("persons", "person"),
    ("People", "Person"),
    ("men", "man"),
    ("women", "woman"),
    ("children", "child"),
    ("chairmen", "chairman"),
    ("salespeople", "salesperson"),
    ("grandchildren", "grandchild"),
    ("wolves", "wolf"),
    ("species", "species"),
    ("APIs", "API"),
])
def test_singular_table(noun, expected):
    assert singular(noun) == expected


@pytest.mark.parametrize("noun", [
    "country", "person", "class", "gas", "bus", "status", "analysis", "lens", "specimen", "omen",
    "USA", "New York",
])
def test_singular_of_non_plural_is_none(noun):
    assert singular(noun) is None


@pytest.mark.parametrize(("phrase", "expected"), [
    ("country", {"country", "countries"}),
    ("person", {"person", "people", "persons"}),
    ("people", {"person", "people", "persons"}),
    ("chemical element", {"chemical element", "chemical elements"}),
    ("chief executive tenure", {"chief executive tenure", "chief executive tenures"}),
    ("series", {"series"}),
    ("", set()),
])
def test_inflections_of_labels(phrase, expected):
    assert inflections(phrase) == expected
