"""Index the classes of a graph and their instances, stated or inferred from property domains.

Sources of class membership, in order of trust:

1. ``rdf:type`` statements in the graph;
2. ``rdfs:domain`` and ``rdfs:range`` statements in the graph, applied to
   every subject or object of that property;
3. the domains of a few well-known vocabulary properties that always describe
   a person (FOAF and schema.org), so ``foaf:name`` and ``foaf:mbox`` make a
   node a ``foaf:Person`` even in a graph that states no types. This table is
   the vocabularies' published domains, not a guess.

A class is any object of ``rdf:type``, any subject typed ``rdfs:Class`` or
``owl:Class``, and any class named by a domain or range. Class terms are type
constraints for questions ("Which *currency* ..."), never topic entities.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rdflib import Literal, URIRef
from rdflib.namespace import FOAF, OWL, RDF, RDFS
from rdflib.term import Node

__all__ = ["ClassIndex", "WELL_KNOWN_DOMAINS"]

_SCHEMA = ("http://schema.org/", "https://schema.org/")

# Properties whose published domain is a person class (FOAF 0.99 and schema.org Person).
WELL_KNOWN_DOMAINS: dict[URIRef, URIRef] = {
    **{FOAF[name]: FOAF.Person for name in (
        "mbox", "mbox_sha1sum", "givenName", "familyName", "firstName", "lastName", "birthday",
        "age", "knows", "currentProject", "pastProject", "publications", "schoolHomepage",
        "workplaceHomepage", "workInfoHomepage", "myersBriggs", "plan", "skypeID", "jabberID",
    )},
    **{URIRef(base + name): URIRef(base + "Person") for base in _SCHEMA for name in (
        "birthDate", "birthPlace", "deathDate", "deathPlace", "givenName", "familyName",
        "jobTitle", "spouse", "children", "parent", "sibling", "worksFor", "alumniOf",
        "nationality", "gender", "honorificPrefix", "honorificSuffix",
    )},
}

# foaf:name alone describes agents of any kind, but a node with foaf:name and an
# e-mail box or a given name is a person; the table above covers those properties.

_CLASS_TYPES = {RDFS.Class, OWL.Class}


class ClassIndex:
    """Classes of one graph, their instances and the triple that establishes each membership."""

    def __init__(self) -> None:
        self._instances: dict[Node, set[Node]] = defaultdict(set)
        self._types: dict[Node, set[Node]] = defaultdict(set)
        self._reasons: dict[tuple[Node, Node], tuple[Node, Node, Node]] = {}
        self._classes: set[Node] = set()

    @classmethod
    def from_triples(cls, triples: Iterable[tuple[Node, Node, Node]]) -> ClassIndex:
        """Build the index from every ``(subject, predicate, object)`` triple of the graph."""
        index = cls()
        triples = list(triples)
        domains: dict[Node, Node] = dict(WELL_KNOWN_DOMAINS)
        ranges: dict[Node, Node] = {}

        for subject, predicate, obj in triples:
            if predicate == RDFS.domain:
                domains[subject] = obj
                index._classes.add(obj)
            elif predicate == RDFS.range and not _is_datatype(obj):
                ranges[subject] = obj
                index._classes.add(obj)
            elif predicate == RDF.type:
                if obj in _CLASS_TYPES:
                    index._classes.add(subject)
                else:
                    index._classes.add(obj)
                    index._add(subject, obj, (subject, predicate, obj))

        for subject, predicate, obj in triples:
            if predicate in domains:
                index._add(subject, domains[predicate], (subject, predicate, obj))
            if predicate in ranges and not isinstance(obj, Literal):
                index._add(obj, ranges[predicate], (subject, predicate, obj))
        return index

    def _add(self, instance: Node, class_: Node, reason: tuple[Node, Node, Node]) -> None:
        if instance in self._instances[class_]:
            return
        self._instances[class_].add(instance)
        self._types[instance].add(class_)
        self._reasons[(instance, class_)] = reason
        self._classes.add(class_)

    def is_class(self, term: Node) -> bool:
        """Return whether ``term`` is used as a class."""
        return term in self._classes

    def classes(self) -> set[Node]:
        """Return every class term."""
        return set(self._classes)

    def instances(self, class_: Node) -> set[Node]:
        """Return the instances of ``class_`` (stated or inferred); empty for an unknown class."""
        return set(self._instances.get(class_, ()))

    def types_of(self, instance: Node) -> set[Node]:
        """Return the classes ``instance`` belongs to."""
        return set(self._types.get(instance, ()))

    def reason(self, instance: Node, class_: Node) -> tuple[Node, Node, Node] | None:
        """Return the triple that makes ``instance`` a member of ``class_`` (the evidence)."""
        return self._reasons.get((instance, class_))


def _is_datatype(term: Node) -> bool:
    return isinstance(term, URIRef) and (str(term).startswith(str(RDFS)) and str(term).endswith("Literal")
                                         or str(term).startswith("http://www.w3.org/2001/XMLSchema#"))
