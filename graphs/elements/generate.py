"""Generate ``elements.ttl`` from the mendeleev package.

Run ``python graphs/elements/generate.py`` from the repository root. mendeleev
1.3.0 reads its bundled SQLite database (``mendeleev/elements.db``) and needs
no network. The output is deterministic for a fixed mendeleev version.

Discoverers come from one free-text column ("Sir William Ramsey, Nils
Langet, P.T.Cleve"); ``split_discoverers`` turns it into names, and
``cluster_names`` joins spellings that differ only by initials (``J.
Berzelius`` and ``Jöns Berzelius``). Other spelling differences in the source
stay separate agents (``Sir William Ramsey`` and ``Sir William Ramsay``).
"""

from __future__ import annotations

import argparse
import logging
import math
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

from mendeleev.fetch import fetch_table
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

# The generators run as scripts, so the helper shared by them is found through graphs/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from rdf_output import slug, sorted_turtle  # noqa: E402

__all__ = [
    "ONTO", "RES", "build_graph", "cluster_names", "load_rows", "main", "render_turtle",
    "split_discoverers",
]

log = logging.getLogger(__name__)

RES = Namespace("https://kgqa.example/elements/resource/")
ONTO = Namespace("https://kgqa.example/elements/ontology/")
OUTPUT_PATH = Path(__file__).with_name("elements.ttl")

CLASS_LABELS = {
    "Element": "chemical element",
    "Group": "group",
    "Period": "period",
    "Block": "block",
    "Agent": "person or organization",
}
PROPERTY_LABELS = {
    "symbol": "symbol",
    "atomicNumber": "atomic number",
    "atomicWeight": "atomic weight",
    "group": "group",
    "period": "period",
    "block": "block",
    "discoverer": "discoverer",
    "discoveryYear": "year of discovery",
}

# Surname particles kept with the surname ("Juan José de Elhuyar" -> "de Elhuyar").
SURNAME_PARTICLES = {"de", "von", "van", "der", "du", "la", "le", "da", "di"}
TITLES = {"sir", "baron"}
ANTIQUITY_MARKER = "known to the ancients"


def fold(text: str) -> str:
    """Return a comparison key: case-folded, accents removed ("Segrè" and "Segré" -> "segre")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


@dataclass(frozen=True)
class PersonName:
    """A discoverer name split into title, given-name tokens and surname."""

    text: str
    title: str
    given_names: tuple[str, ...]
    surname: str

    @property
    def without_title(self) -> str:
        return " ".join((*self.given_names, self.surname))

    @property
    def uses_initials(self) -> bool:
        return any(_is_initial(token) for token in self.given_names)


def split_discoverers(text: str) -> list[str]:
    """Split mendeleev's ``discoverers`` text into one name per discoverer.

    Names are separated by ``,``, ``;``, ``/`` or ``and``. A first name alone
    before ``and`` borrows the surname that follows ("Pierre and Marie Curie"
    -> "Pierre Curie", "Marie Curie"). "et al" is dropped, and "Known to the
    ancients" yields no name. Initials get a space after each dot
    ("G.T.Seaborg" -> "G. T. Seaborg").
    """
    if not text or fold(text).startswith(ANTIQUITY_MARKER):
        return []

    names = []
    for chunk in re.split(r"[,;/]", text):
        parts = [part.strip() for part in re.split(r"\s+and\s+", chunk.strip()) if part.strip()]
        if not parts:
            continue
        shared_surname = _parse_name(_space_initials(parts[-1])).surname
        for part in parts:
            name = _space_initials(part)
            if " " not in name and len(parts) > 1:
                name = f"{name} {shared_surname}"
            if fold(name).rstrip(".") != "et al":
                names.append(name)
    return names


def _space_initials(name: str) -> str:
    spaced = re.sub(r"\.(?=[^\s.)])", ". ", name)
    return " ".join(spaced.split())


def _is_initial(token: str) -> bool:
    return len(token) == 2 and token.endswith(".")


def _parse_name(text: str) -> PersonName:
    tokens = text.split()
    title = tokens[0] if len(tokens) > 1 and fold(tokens[0]) in TITLES else ""
    rest = tokens[1:] if title else tokens

    surname_start = len(rest) - 1
    while surname_start > 0 and rest[surname_start - 1].lower() in SURNAME_PARTICLES:
        surname_start -= 1
    return PersonName(text=text, title=title, given_names=tuple(rest[:surname_start]),
                      surname=" ".join(rest[surname_start:]))


def _compatible(first: PersonName, second: PersonName) -> bool:
    """Return whether two spellings can name the same person: same surname, initials that fit."""
    if first.text == second.text:
        return True
    if not (first.uses_initials or second.uses_initials):
        return False
    if fold(first.surname) != fold(second.surname):
        return False
    if not first.given_names or not second.given_names:
        return False
    return all(_given_names_fit(mine, theirs)
               for mine, theirs in zip(first.given_names, second.given_names, strict=False))


def _given_names_fit(first: str, second: str) -> bool:
    """Return whether two given-name tokens are equal or one is the other's initial."""
    if _is_initial(first) or _is_initial(second):
        return fold(first)[:1] == fold(second)[:1]
    return fold(first) == fold(second)


def cluster_names(names: list[str]) -> list[list[str]]:
    """Group the spellings of each discoverer, with the best label first in each group.

    Spellings join when their surnames match and one of them abbreviates the
    other's given names to initials. The label is the spelling with the most
    letters in its given names, then the most frequent one.
    """
    counts = Counter(names)
    clusters: list[list[PersonName]] = []
    for text in sorted(counts):
        name = _parse_name(text)
        home = next((cluster for cluster in clusters
                     if any(_compatible(name, member) for member in cluster)), None)
        if home is None:
            clusters.append([name])
        else:
            home.append(name)

    def preference(name: PersonName) -> tuple[int, int, str]:
        letters = sum(len(token.rstrip(".")) for token in name.given_names)
        return (-letters, -counts[name.text], name.text)

    return [[name.text for name in sorted(cluster, key=preference)] for cluster in clusters]


def build_graph(elements: list[dict[str, Any]], groups: dict[int, str]) -> Graph:
    """Build the elements graph from mendeleev's ``elements`` rows and its group names."""
    rdf_graph = Graph()
    rdf_graph.bind("onto", ONTO)
    rdf_graph.bind("skos", SKOS)
    _add_vocabulary(rdf_graph)

    agents = _agent_iris(rdf_graph, elements)
    for row in elements:
        element = RES[f"element/{row['symbol']}"]
        _add_element(rdf_graph, element, row)
        _add_table_position(rdf_graph, element, row, groups)
        _add_discovery(rdf_graph, element, row, agents)
    return rdf_graph


def _add_vocabulary(rdf_graph: Graph) -> None:
    for name, label in CLASS_LABELS.items():
        rdf_graph.add((ONTO[name], RDF.type, RDFS.Class))
        rdf_graph.add((ONTO[name], RDFS.label, Literal(label, lang="en")))
    for name, label in PROPERTY_LABELS.items():
        rdf_graph.add((ONTO[name], RDF.type, RDF.Property))
        rdf_graph.add((ONTO[name], RDFS.label, Literal(label, lang="en")))


def _add_element(rdf_graph: Graph, element: URIRef, row: dict[str, Any]) -> None:
    rdf_graph.add((element, RDF.type, ONTO.Element))
    rdf_graph.add((element, RDFS.label, Literal(row["name"], lang="en")))
    rdf_graph.add((element, SKOS.altLabel, Literal(row["symbol"])))
    rdf_graph.add((element, ONTO.symbol, Literal(row["symbol"])))
    atomic_number = Literal(int(row["atomic_number"]), datatype=XSD.integer)
    rdf_graph.add((element, ONTO.atomicNumber, atomic_number))

    # mendeleev stores the weight as an SQLite REAL. repr() is the shortest text
    # that reads back as the same double, so no digit is added or rounded away.
    weight = row["atomic_weight"]
    if _present(weight):
        atomic_weight = Literal(Decimal(repr(float(weight))), datatype=XSD.decimal)
        rdf_graph.add((element, ONTO.atomicWeight, atomic_weight))


def _add_table_position(rdf_graph: Graph, element: URIRef, row: dict[str, Any],
                        groups: dict[int, str]) -> None:
    if _present(row["group_id"]):
        number = int(row["group_id"])
        group = RES[f"group/{number}"]
        rdf_graph.add((group, RDF.type, ONTO.Group))
        rdf_graph.add((group, RDFS.label, Literal(f"group {number}", lang="en")))
        if groups.get(number):
            rdf_graph.add((group, SKOS.altLabel, Literal(groups[number], lang="en")))
        rdf_graph.add((element, ONTO.group, group))

    period = RES[f"period/{int(row['period'])}"]
    rdf_graph.add((period, RDF.type, ONTO.Period))
    rdf_graph.add((period, RDFS.label, Literal(f"period {int(row['period'])}", lang="en")))
    rdf_graph.add((element, ONTO.period, period))

    block = RES[f"block/{row['block']}"]
    rdf_graph.add((block, RDF.type, ONTO.Block))
    rdf_graph.add((block, RDFS.label, Literal(f"{row['block']}-block", lang="en")))
    rdf_graph.add((block, SKOS.altLabel, Literal(f"{row['block']} block", lang="en")))
    rdf_graph.add((element, ONTO.block, block))


def _agent_iris(rdf_graph: Graph, elements: list[dict[str, Any]]) -> dict[str, URIRef]:
    """Add one agent per discoverer and return the IRI of every spelling that names one."""
    names = [name for row in elements for name in split_discoverers(row["discoverers"] or "")]

    iris: dict[str, URIRef] = {}
    for spellings in cluster_names(names):
        label, aliases = _label_and_aliases(spellings)
        agent = RES[f"agent/{slug(label)}"]
        if agent in set(iris.values()):
            raise ValueError(f"two discoverers share the IRI {agent}: change slug() so that "
                             f"{label!r} gets an IRI of its own")

        rdf_graph.add((agent, RDF.type, ONTO.Agent))
        rdf_graph.add((agent, RDFS.label, Literal(label, lang="en")))
        for alias in aliases:
            rdf_graph.add((agent, SKOS.altLabel, Literal(alias, lang="en")))
        iris.update(dict.fromkeys(spellings, agent))
    return iris


def _label_and_aliases(spellings: list[str]) -> tuple[str, list[str]]:
    """Return the label and aliases of one discoverer.

    A trailing abbreviation in brackets becomes an alias ("Heavy Ion Research
    Laboratory (HIRL)"), and so does each spelling without its title ("Humphrey Davy").
    """
    match = re.fullmatch(r"(.+?)\s*\(([^)]+)\)", spellings[0])
    label = match.group(1) if match else spellings[0]
    candidates = [*spellings[1:], *([match.group(2)] if match else [])]
    candidates += [_parse_name(spelling).without_title for spelling in spellings
                   if _parse_name(spelling).title]

    aliases: list[str] = []
    for candidate in candidates:
        if candidate != label and candidate not in aliases:
            aliases.append(candidate)
    return label, aliases


def _add_discovery(rdf_graph: Graph, element: URIRef, row: dict[str, Any],
                   agents: dict[str, URIRef]) -> None:
    for name in split_discoverers(row["discoverers"] or ""):
        rdf_graph.add((element, ONTO.discoverer, agents[name]))

    # xsd:gYear, because a discovery year is a calendar year and not a quantity.
    # Its lexical form is the plain year, which kgqa displays unchanged ("1898").
    if _present(row["discovery_year"]):
        year = f"{int(row['discovery_year']):04d}"
        rdf_graph.add((element, ONTO.discoveryYear, Literal(year, datatype=XSD.gYear)))


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def load_rows() -> tuple[list[dict[str, Any]], dict[int, str]]:
    """Read the element rows, sorted by atomic number, and the group names from mendeleev."""
    elements = fetch_table("elements").sort_values("atomic_number").to_dict("records")
    groups = {int(row["group_id"]): (row["name"] or "").strip()
              for row in fetch_table("groups").to_dict("records")}
    return elements, groups


def render_turtle(rdf_graph: Graph) -> str:
    """Serialize the graph as Turtle under a header naming the generator and mendeleev's version."""
    header = (
        "# Generated by graphs/elements/generate.py. Edit the generator, not this file.\n"
        f"# Source: mendeleev {version('mendeleev')} (its bundled elements.db).\n"
        "# See graphs/README.md for the modelling choices and what was skipped.\n\n"
    )
    return header + sorted_turtle(rdf_graph)


def _skipped_values(elements: list[dict[str, Any]]) -> Iterator[str]:
    for row in elements:
        for column in ("atomic_weight", "group_id", "discovery_year"):
            if not _present(row[column]):
                yield f"{row['name']}: no {column}"
        if not split_discoverers(row["discoverers"] or ""):
            yield f"{row['name']}: no discoverer ({row['discoverers']!r})"


def main(argv: list[str] | None = None) -> None:
    """Write the elements graph to ``--output`` (default: ``elements.ttl`` beside this script)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT_PATH,
                        help="Turtle file to write (default: %(default)s).")
    parser.add_argument("--verbose", action="store_true", help="Log every value left out.")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    if args.verbose:
        log.setLevel(logging.DEBUG)

    elements, groups = load_rows()
    rdf_graph = build_graph(elements, groups)
    args.output.write_text(render_turtle(rdf_graph), encoding="utf-8")

    skipped = list(_skipped_values(elements))
    for detail in skipped:
        log.debug("left out %s", detail)
    log.info("wrote %s: %d elements, %d triples, %d values left out",
             args.output, len(elements), len(rdf_graph), len(skipped))


if __name__ == "__main__":
    main()
