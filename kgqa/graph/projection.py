"""Project an RDF dataset onto a networkx multigraph for path search.

Nodes are rdflib terms (IRIs, blank nodes and literals), never their string
forms, so blank nodes from different documents stay distinct. Each edge has
``key=(predicate, graph)`` so a triple stated in two named graphs keeps both
provenances. Label triples are left out: they are names, not relations.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
from rdflib.term import Node

from kgqa.graph.labels import LABEL_PREDICATES

__all__ = ["build_nx_graph"]


def build_nx_graph(quads: Iterable[tuple[Node, Node, Node, Node | None]]) -> nx.MultiDiGraph:
    """Return a directed multigraph with one edge per non-label quad.

    Edge attributes: ``predicate`` (URIRef) and ``graph`` (the named graph, or
    None for the default graph).
    """
    nx_graph = nx.MultiDiGraph()
    for subject, predicate, obj, graph in quads:
        if predicate in LABEL_PREDICATES:
            continue
        nx_graph.add_edge(subject, obj, key=(predicate, graph), predicate=predicate, graph=graph)
    return nx_graph
