"""Collect the labels and aliases of every entity and relation of a graph.

Label predicates, in display priority: ``skos:prefLabel``, ``rdfs:label``,
``schema:name``, ``foaf:name``, ``dcterms:title``, then the aliases
``skos:altLabel`` and ``schema:alternateName``. Every language is kept for
linking; display prefers English, then untagged, then any other language.
An entity with no label gets its IRI's local name split into words.
``owl:sameAs`` shares aliases between the entities it joins.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Iterator
from urllib.parse import unquote, urlsplit

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from kgqa.normalize import split_local_name

__all__ = ["LABEL_PREDICATES", "Label", "LabelIndex", "derived_label", "local_name"]

_SCHEMA_HTTP = "http://schema.org/"
_SCHEMA_HTTPS = "https://schema.org/"

# Lower number = preferred for display.
LABEL_PREDICATES: dict[URIRef, int] = {
    SKOS.prefLabel: 0,
    RDFS.label: 1,
    URIRef(_SCHEMA_HTTP + "name"): 2,
    URIRef(_SCHEMA_HTTPS + "name"): 2,
    FOAF.name: 3,
    DCTERMS.title: 4,
    URIRef("http://purl.org/dc/elements/1.1/title"): 4,
    SKOS.altLabel: 5,
    URIRef(_SCHEMA_HTTP + "alternateName"): 6,
    URIRef(_SCHEMA_HTTPS + "alternateName"): 6,
}
LOCAL_NAME_PRIORITY = 9


@dataclasses.dataclass(frozen=True)
class Label:
    """One label or alias of a term; ``priority`` follows ``LABEL_PREDICATES`` (9 = IRI local name)."""

    text: str
    lang: str | None
    priority: int


def derived_label(iri: str) -> str:
    """Return a label for an IRI that has none.

    A name-like local part (``ex:birthPlace``, ``.../Los_Angeles``) becomes
    words. IRIs whose meaning is the whole IRI keep it: ``mailto:`` and other
    non-web schemes, and web IRIs with no path (``https://rosa.example.org/``).
    """
    parts = urlsplit(iri)
    if parts.scheme in ("http", "https", "file"):
        tail = parts.fragment or parts.path.rstrip("/").rpartition("/")[2]
        return split_local_name(unquote(tail)) if tail else iri
    if parts.scheme in ("urn", "tag"):
        return split_local_name(unquote(local_name(iri)))
    return iri


def local_name(iri: str) -> str:
    """Return the part of an IRI after its last ``#``, ``/`` or ``:``."""
    for separator in ("#", "/", ":"):
        head, found, tail = iri.rstrip("/#").rpartition(separator)
        if found and tail:
            return tail
    return iri


def _language_rank(lang: str | None) -> int:
    if lang and (lang == "en" or lang.startswith("en-")):
        return 0
    if not lang:
        return 1
    return 2


class LabelIndex:
    """Labels of entities and relations, built once per graph content."""

    def __init__(self) -> None:
        self._entity_labels: dict[Node, list[Label]] = defaultdict(list)
        self._relation_labels: dict[URIRef, list[Label]] = defaultdict(list)

    @classmethod
    def from_triples(cls, triples: Iterable[tuple[Node, Node, Node]]) -> LabelIndex:
        """Build the index from ``(subject, predicate, object)`` triples of every named graph."""
        index = cls()
        same_as: list[tuple[Node, Node]] = []
        entities: set[Node] = set()
        predicates: set[URIRef] = set()

        for subject, predicate, obj in triples:
            priority = LABEL_PREDICATES.get(predicate)  # type: ignore[call-overload]
            if priority is not None and isinstance(obj, Literal):
                index._add(subject, Label(str(obj), obj.language, priority))
                entities.add(subject)
                continue
            if predicate == OWL.sameAs:
                same_as.append((subject, obj))
            entities.add(subject)
            if not isinstance(obj, Literal):
                entities.add(obj)
            if isinstance(predicate, URIRef):
                predicates.add(predicate)

        # Merge aliases first, so an entity whose only name comes through
        # owl:sameAs does not also get its IRI's local name as a label.
        index._merge_same_as(same_as)
        index._add_local_names(entities)
        index._add_relation_labels(predicates)
        return index

    def _add(self, term: Node, label: Label) -> None:
        labels = self._entity_labels[term]
        if label not in labels:
            labels.append(label)

    def _add_local_names(self, entities: Iterable[Node]) -> None:
        for entity in entities:
            if entity in self._entity_labels or not isinstance(entity, URIRef):
                continue
            text = derived_label(str(entity))
            if text:
                self._add(entity, Label(text, None, LOCAL_NAME_PRIORITY))

    def _merge_same_as(self, pairs: list[tuple[Node, Node]]) -> None:
        """Give every entity the labels of all entities it is owl:sameAs to, following chains."""
        parent: dict[Node, Node] = {}

        def root(term: Node) -> Node:
            while parent.get(term, term) != term:
                term = parent[term]
            return term

        for left, right in pairs:
            parent.setdefault(left, left)
            parent.setdefault(right, right)
            parent[root(left)] = root(right)

        groups: dict[Node, list[Node]] = defaultdict(list)
        for term in parent:
            groups[root(term)].append(term)

        for members in groups.values():
            shared = [label for member in members for label in self._entity_labels.get(member, ())]
            for member in members:
                for label in shared:
                    self._add(member, label)

    def _add_relation_labels(self, predicates: Iterable[URIRef]) -> None:
        for predicate in predicates:
            labels = [label for label in self._entity_labels.get(predicate, ()) if label.priority < 9]
            if not labels:
                labels = [Label(split_local_name(local_name(str(predicate))), None, LOCAL_NAME_PRIORITY)]
            self._relation_labels[predicate] = labels

    def labels(self, term: Node) -> list[Label]:
        """Return every label and alias of ``term``, best display candidate first."""
        return sorted(self._entity_labels.get(term, ()),
                      key=lambda label: (_language_rank(label.lang), label.priority))

    def display(self, term: Node, lang: str | None = None) -> str:
        """Return the label people should see: ``lang`` if given and present, else English first."""
        if isinstance(term, Literal):
            from kgqa.graph.terms import display_literal

            return display_literal(term)
        labels = self.labels(term)
        if lang:
            in_lang = [label for label in labels if label.lang and label.lang.split("-")[0] == lang]
            if in_lang:
                return in_lang[0].text
        if labels:
            return labels[0].text
        if isinstance(term, BNode):
            return f"_:{term}"
        return str(term)

    def relation_label(self, predicate: Node) -> str:
        """Return the label of a predicate: its ``rdfs:label`` in English, or its local name in words."""
        if predicate == RDF.type:
            return "type"
        labels = sorted(self._relation_labels.get(predicate, ()),  # type: ignore[arg-type]
                        key=lambda label: (_language_rank(label.lang), label.priority))
        if labels:
            return labels[0].text
        return split_local_name(local_name(str(predicate)))

    def relation_labels(self, predicate: Node) -> list[str]:
        """Return every label and alias of a predicate, ``relation_label(predicate)`` first.

        Aliases such as ``skos:altLabel "CEO"`` let a question name a relation
        in other words than its main label. Texts that differ only in case
        are listed once.
        """
        main = self.relation_label(predicate)
        labels = sorted(self._relation_labels.get(predicate, ()),  # type: ignore[arg-type]
                        key=lambda label: (_language_rank(label.lang), label.priority))
        texts = [main]
        seen = {main.casefold()}
        for label in labels:
            if label.text.casefold() not in seen:
                seen.add(label.text.casefold())
                texts.append(label.text)
        return texts

    def surface_forms(self) -> Iterator[tuple[str, Node, Label]]:
        """Yield ``(text, entity, label)`` for every label and alias: the linker's gazetteer."""
        for entity, labels in self._entity_labels.items():
            for label in labels:
                yield label.text, entity, label

    def entities(self) -> Iterator[Node]:
        """Yield every term that has at least one label (given or derived)."""
        return iter(self._entity_labels)

    def relations(self) -> Iterator[URIRef]:
        """Yield every predicate used outside of labels."""
        return iter(self._relation_labels)

    def is_relation(self, term: Node) -> bool:
        """Return whether ``term`` is used as a predicate, so the linker can skip it as an entity."""
        return term in self._relation_labels

    def is_label_predicate(self, predicate: Node) -> bool:
        """Return whether ``predicate`` carries labels (and so is not a relation to answer over)."""
        return predicate in LABEL_PREDICATES
