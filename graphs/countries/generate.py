"""Generate ``countries.ttl`` from the countryinfo and pycountry packages.

Run ``python graphs/countries/generate.py`` from the repository root. The
output is deterministic for fixed package versions (countryinfo 1.0.1,
pycountry 26.2.16), so a diff of ``countries.ttl`` shows only data changes.

Every fact comes from countryinfo except the names of languages and
currencies, which come from pycountry. A value the packages lack is left out.
Records that are not distinct, current ISO 3166-1 countries are skipped.
``--verbose`` logs every skipped record and value, and ``graphs/README.md``
explains why each kind is skipped.
"""

from __future__ import annotations

import argparse
import logging
import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pycountry
from countryinfo import CountryInfo
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

# The generators run as scripts, so the helper shared by them is found through graphs/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from rdf_output import slug, sorted_turtle  # noqa: E402

__all__ = [
    "ONTO", "RES", "CountryRecord", "SkipLog", "build_graph", "load_countries", "main",
    "render_turtle",
]

log = logging.getLogger(__name__)

RES = Namespace("https://kgqa.example/countries/resource/")
ONTO = Namespace("https://kgqa.example/countries/ontology/")
OUTPUT_PATH = Path(__file__).with_name("countries.ttl")
EARTH_RADIUS_KM = 6371.0
# Two capitals of the same name and subregion closer than this are one city.
SAME_CITY_MAX_KM = 25.0

CLASS_LABELS = {
    "Country": "country",
    "City": "city",
    "Language": "language",
    "Currency": "currency",
    "Region": "region",
}
PROPERTY_LABELS = {
    "capital": "capital",
    "region": "region",
    "subregion": "subregion",
    "borders": "borders",
    "officialLanguage": "official language",
    "currency": "currency",
    "population": "population",
    "areaKm2": "area in square kilometres",
    "isoAlpha2Code": "ISO 3166-1 alpha-2 code",
    "isoAlpha3Code": "ISO 3166-1 alpha-3 code",
    "languageCode": "ISO 639 language code",
    "currencyCode": "ISO 4217 currency code",
}


@dataclass
class CountryRecord:
    """One countryinfo record that passed the checks in ``load_countries``."""

    alpha2: str
    alpha3: str
    data: dict[str, Any]

    @property
    def iri(self) -> URIRef:
        return RES[f"country/{self.alpha3}"]


@dataclass
class SkipLog:
    """Counts of records and values left out, logged once at the end of a run."""

    reasons: Counter[str] = field(default_factory=Counter)

    def skip(self, reason: str, detail: str) -> None:
        self.reasons[reason] += 1
        log.debug("skipped %s: %s", reason, detail)


def load_countries(skips: SkipLog) -> list[CountryRecord]:
    """Return the records of distinct, current ISO 3166-1 countries, sorted by alpha-3 code.

    countryinfo 1.0.1 also carries sub-national entries (Scotland, Wales),
    a second record for some countries (Burma beside Myanmar) and two
    countries withdrawn from ISO 3166-1. For a code with two records, the one
    that ``CountryInfo(code)`` resolves to is kept, so the graph matches the
    package's own lookup.
    """
    records = []
    for data in CountryInfo.all().values():
        record = _check_record(data, skips)
        if record is not None:
            records.append(record)
    return sorted(records, key=lambda record: record.alpha3)


def _check_record(data: dict[str, Any], skips: SkipLog) -> CountryRecord | None:
    name = data["name"]
    iso = data.get("ISO") or {}
    alpha2 = (iso.get("alpha2") or "").upper()
    alpha3 = (iso.get("alpha3") or "").upper()
    if not alpha3:
        skips.skip("record without ISO alpha-3 code", name)
        return None

    owner = CountryInfo(alpha3).name()
    if owner != name:
        skips.skip("duplicate record", f"{name} ({alpha3} resolves to {owner})")
        return None

    if pycountry.countries.get(alpha_3=alpha3) is None:
        skips.skip("code not in pycountry's current ISO 3166-1 list", f"{name} ({alpha3})")
        return None

    return CountryRecord(alpha2=alpha2, alpha3=alpha3, data=data)


def build_graph(records: list[CountryRecord], skips: SkipLog) -> Graph:
    """Build the graph: vocabulary, countries, and the cities, regions, languages and currencies."""
    rdf_graph = _new_graph()
    _add_vocabulary(rdf_graph)

    by_alpha3 = {record.alpha3: record.iri for record in records}
    capital_iris = _capital_iris(records)
    for record in records:
        _add_country(rdf_graph, record, skips)
        _add_capitals(rdf_graph, record, capital_iris, skips)
        _add_regions(rdf_graph, record)
        _add_borders(rdf_graph, record, by_alpha3, skips)
        _add_languages(rdf_graph, record, skips)
        _add_currencies(rdf_graph, record, skips)
    return rdf_graph


def _new_graph() -> Graph:
    rdf_graph = Graph()
    rdf_graph.bind("res", RES)
    rdf_graph.bind("onto", ONTO)
    rdf_graph.bind("skos", SKOS)
    return rdf_graph


def _add_vocabulary(rdf_graph: Graph) -> None:
    for name, label in CLASS_LABELS.items():
        rdf_graph.add((ONTO[name], RDF.type, RDFS.Class))
        rdf_graph.add((ONTO[name], RDFS.label, Literal(label, lang="en")))
    for name, label in PROPERTY_LABELS.items():
        rdf_graph.add((ONTO[name], RDF.type, RDF.Property))
        rdf_graph.add((ONTO[name], RDFS.label, Literal(label, lang="en")))


def _add_country(rdf_graph: Graph, record: CountryRecord, skips: SkipLog) -> None:
    data, iri = record.data, record.iri
    rdf_graph.add((iri, RDF.type, ONTO.Country))
    rdf_graph.add((iri, RDFS.label, Literal(data["name"], lang="en")))
    rdf_graph.add((iri, ONTO.isoAlpha3Code, Literal(record.alpha3)))
    if record.alpha2:
        rdf_graph.add((iri, ONTO.isoAlpha2Code, Literal(record.alpha2)))

    for alias in _aliases(data):
        rdf_graph.add((iri, SKOS.altLabel, alias))

    population = data.get("population")
    if isinstance(population, int) and not isinstance(population, bool):
        rdf_graph.add((iri, ONTO.population, Literal(population, datatype=XSD.integer)))
    else:
        skips.skip("missing population", data["name"])

    area = data.get("area")
    if isinstance(area, int | float) and not isinstance(area, bool):
        # str() of a float is its shortest round-trip form, so 0.49 stays 0.49.
        rdf_graph.add((iri, ONTO.areaKm2, Literal(Decimal(str(area)), datatype=XSD.decimal)))
    else:
        skips.skip("missing area", data["name"])


def _aliases(data: dict[str, Any]) -> Iterator[Literal]:
    """Yield the alternative spellings and native name (untagged) and the translations (tagged)."""
    name = data["name"]
    untagged = [*data.get("altSpellings", []), data.get("nativeName") or ""]
    for text in _unique_texts(untagged):
        if text != name:
            yield Literal(text)

    translations = data.get("translations") or {}
    for lang in sorted(translations):
        text = (translations[lang] or "").strip()
        if text:
            yield Literal(text, lang=lang)


def _unique_texts(texts: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for text in texts:
        stripped = " ".join(text.split())
        if stripped:
            seen.setdefault(stripped)
    return list(seen)


@dataclass(frozen=True)
class Capital:
    """One capital of a country, with its coordinates when countryinfo gives them."""

    name: str
    latitude_longitude: tuple[float, float] | None


def _capitals(data: dict[str, Any]) -> list[Capital]:
    """Return the capitals of a record.

    countryinfo stores ``capital`` as a string, a list, ``""`` or ``None``, and
    one record lists three island capitals as ``"Kralendijk / Oranjestad /
    The Bottom"`` with one coordinate pair each.
    """
    capital = data.get("capital")
    raw_names = capital if isinstance(capital, list) else [capital]
    names = _unique_texts(part for name in raw_names if isinstance(name, str)
                          for part in name.split(" / "))

    coordinates = data.get("capital_latlng") or []
    if len(names) == 1 and len(coordinates) == 2 and not isinstance(coordinates[0], list):
        coordinates = [coordinates]
    if len(coordinates) != len(names):
        coordinates = [None] * len(names)
    pairs = zip(names, coordinates, strict=True)
    return [Capital(name, tuple(pair) if pair else None) for name, pair in pairs]


def _distance_km(first: tuple[float, float], second: tuple[float, float]) -> float:
    """Return the great-circle distance between two (latitude, longitude) points in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*first, *second))
    haversine = (math.sin((lat2 - lat1) / 2) ** 2
                 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(haversine))


def _same_city(first: tuple[CountryRecord, Capital], second: tuple[CountryRecord, Capital]) -> bool:
    """Decide whether two capitals of the same name are one city.

    Both the subregion and the coordinates must agree: countryinfo 1.0.1 gives
    Norfolk Island's capital Kingston the coordinates of Kingston, Jamaica, and
    Oranjestad (Aruba) and Oranjestad (Sint Eustatius) share a subregion.
    """
    (first_record, first_capital), (second_record, second_capital) = first, second
    if first_record.data.get("subregion") != second_record.data.get("subregion"):
        return False
    if first_capital.latitude_longitude is None or second_capital.latitude_longitude is None:
        return False
    distance = _distance_km(first_capital.latitude_longitude, second_capital.latitude_longitude)
    return distance <= SAME_CITY_MAX_KM


def _capital_iris(records: list[CountryRecord]) -> dict[tuple[str, str], URIRef]:
    """Map ``(alpha-3 code, capital name)`` to a city IRI.

    A name shared by capitals that ``_same_city`` distinguishes gets one IRI
    per city, suffixed with the alpha-3 code of the first country that names
    it (``city/Kingston_JAM``, ``city/Kingston_NFK``). Jerusalem, the capital
    of both Israel and Palestine in countryinfo, stays one city.
    """
    clusters_by_name: dict[str, list[list[tuple[CountryRecord, Capital]]]] = defaultdict(list)
    for record in records:
        for capital in _capitals(record.data):
            clusters = clusters_by_name[capital.name]
            member = (record, capital)
            cluster = next((cluster for cluster in clusters
                            if _same_city(cluster[0], member)), None)
            if cluster is None:
                clusters.append([member])
            else:
                cluster.append(member)

    iris = {}
    for name, clusters in clusters_by_name.items():
        for cluster in clusters:
            suffix = "" if len(clusters) == 1 else f"_{cluster[0][0].alpha3}"
            for record, _ in cluster:
                iris[(record.alpha3, name)] = RES[f"city/{slug(name)}{suffix}"]
    return iris


def _add_capitals(rdf_graph: Graph, record: CountryRecord,
                  capital_iris: dict[tuple[str, str], URIRef], skips: SkipLog) -> None:
    capitals = _capitals(record.data)
    if not capitals:
        skips.skip("missing capital", record.data["name"])
    for capital in capitals:
        name = capital.name
        city = capital_iris[(record.alpha3, name)]
        rdf_graph.add((city, RDF.type, ONTO.City))
        rdf_graph.add((city, RDFS.label, Literal(name, lang="en")))
        rdf_graph.add((record.iri, ONTO.capital, city))


def _add_regions(rdf_graph: Graph, record: CountryRecord) -> None:
    for predicate, key in ((ONTO.region, "region"), (ONTO.subregion, "subregion")):
        name = " ".join((record.data.get(key) or "").split())
        if not name:
            continue
        region = RES[f"region/{slug(name)}"]
        rdf_graph.add((region, RDF.type, ONTO.Region))
        rdf_graph.add((region, RDFS.label, Literal(name, lang="en")))
        rdf_graph.add((record.iri, predicate, region))


def _add_borders(rdf_graph: Graph, record: CountryRecord, by_alpha3: dict[str, URIRef],
                 skips: SkipLog) -> None:
    # Borders stay as countryinfo lists them: one direction per listing, no symmetric closure.
    for code in record.data.get("borders") or []:
        neighbour = by_alpha3.get(code.upper())
        if neighbour is None:
            skips.skip("border to a code with no country record",
                       f"{record.data['name']} -> {code}")
            continue
        rdf_graph.add((record.iri, ONTO.borders, neighbour))


def _add_languages(rdf_graph: Graph, record: CountryRecord, skips: SkipLog) -> None:
    for code in record.data.get("languages") or []:
        language = _lookup_language(code)
        if language is None:
            skips.skip("language code unknown to pycountry", f"{record.data['name']}: {code!r}")
            continue

        # The code is a literal, not an alias: lowercase ISO 639-1 codes such as
        # "it", "no" and "my" are English words that a linker would match in questions.
        iri = RES[f"language/{code}"]
        rdf_graph.add((iri, RDF.type, ONTO.Language))
        rdf_graph.add((iri, ONTO.languageCode, Literal(code)))
        for predicate, label in _language_labels(language):
            rdf_graph.add((iri, predicate, label))
        rdf_graph.add((record.iri, ONTO.officialLanguage, iri))


def _lookup_language(code: str) -> Any:
    if len(code) == 2:
        return pycountry.languages.get(alpha_2=code)
    if len(code) == 3:
        return pycountry.languages.get(alpha_3=code)
    return None


def _language_labels(language: Any) -> list[tuple[URIRef, Literal]]:
    """Return the pycountry name as label, plus the name without its qualifier as an alias.

    pycountry qualifies some names ("Malay (macrolanguage)", "Modern Greek
    (1453-)"), but questions name the language without the qualifier.
    """
    name = getattr(language, "common_name", None) or language.name
    labels = [(RDFS.label, Literal(name, lang="en"))]
    for text in (language.name, re.sub(r"\s*\([^)]*\)$", "", name)):
        if text != name:
            labels.append((SKOS.altLabel, Literal(text, lang="en")))
    return labels


def _add_currencies(rdf_graph: Graph, record: CountryRecord, skips: SkipLog) -> None:
    for code in record.data.get("currencies") or []:
        currency = pycountry.currencies.get(alpha_3=code.upper())
        if currency is None:
            skips.skip("currency code not in pycountry's ISO 4217 list",
                       f"{record.data['name']}: {code}")
            continue

        iri = RES[f"currency/{currency.alpha_3}"]
        rdf_graph.add((iri, RDF.type, ONTO.Currency))
        rdf_graph.add((iri, RDFS.label, Literal(currency.name, lang="en")))
        rdf_graph.add((iri, SKOS.altLabel, Literal(currency.alpha_3)))
        rdf_graph.add((iri, ONTO.currencyCode, Literal(currency.alpha_3)))
        rdf_graph.add((record.iri, ONTO.currency, iri))


def render_turtle(rdf_graph: Graph) -> str:
    """Serialize the graph as Turtle under a header naming the generator and package versions."""
    header = (
        "# Generated by graphs/countries/generate.py. Edit the generator, not this file.\n"
        f"# Sources: countryinfo {version('countryinfo')} (facts), "
        f"pycountry {version('pycountry')} (language and currency names).\n"
        "# See graphs/README.md for what is included and what was skipped.\n\n"
    )
    return header + sorted_turtle(rdf_graph)


def main(argv: list[str] | None = None) -> None:
    """Write the countries graph to ``--output`` (default: ``countries.ttl`` beside this script)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT_PATH,
                        help="Turtle file to write (default: %(default)s).")
    parser.add_argument("--verbose", action="store_true",
                        help="Log every skipped record and value.")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    if args.verbose:
        log.setLevel(logging.DEBUG)

    skips = SkipLog()
    records = load_countries(skips)
    rdf_graph = build_graph(records, skips)
    args.output.write_text(render_turtle(rdf_graph), encoding="utf-8")

    log.info("wrote %s: %d countries, %d triples", args.output, len(records), len(rdf_graph))
    for reason, count in sorted(skips.reasons.items()):
        log.info("skipped %d x %s", count, reason)


if __name__ == "__main__":
    main()
