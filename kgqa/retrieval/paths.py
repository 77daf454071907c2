"""Enumerate relation paths from a topic entity, one path per relation sequence.

A path is a sequence of steps ``(predicate, inverse)`` followed from the topic
entity, together with the set of nodes it reaches. Paths are expanded set by
set, never node by node: a frontier of node ids is expanded by every step at
once with numpy, so a hub (a genre with thousands of films) costs a few array
operations per step. A sequence whose frontier exceeds ``frontier_limit`` is
kept as an answer candidate but not expanded further.

Two rules keep paths meaningful:

- A step that reverses the previous one (``r`` then ``r^-1``) never returns to
  the nodes that the previous step started from. "Films that share a director
  with F" are the other films of F's directors, not F again.
- The topic entity is never among the reached nodes.

``rdf:type`` and label predicates are not steps: they name and classify
nodes, they are not relations to answer over.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator

import numpy as np
from rdflib import URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.graph.labels import LABEL_PREDICATES
from kgqa.retrieval.relation_path import PathStep

__all__ = [
    "CandidatePath",
    "Quad",
    "RelationAdjacency",
    "StepKey",
    "enumerate_paths",
    "is_answer_relation",
    "iter_path_layers",
    "relation_adjacency",
    "relation_range",
    "trace_evidence",
]

log = logging.getLogger(__name__)

StepKey = tuple[URIRef, bool]
"""One step of a relation sequence: the predicate and whether it is followed object-to-subject."""

Quad = tuple[Node, URIRef, Node, Node | None]
"""A stored triple with its named graph (None for the default graph)."""

_CACHE_KEY = "retrieval.adjacency"


@dataclasses.dataclass(frozen=True)
class CandidatePath:
    """A relation sequence followed from ``source`` and the nodes it reaches (never ``source``)."""

    source: Node
    keys: tuple[StepKey, ...]
    steps: tuple[PathStep, ...]
    reached: frozenset[Node]

    @property
    def hops(self) -> int:
        return len(self.keys)


class RelationAdjacency:
    """Neighbours of every node grouped by step, without label and ``rdf:type`` edges.

    A triple stated in several named graphs appears once here; the named
    graphs are recovered from ``nx_graph`` when evidence is traced.
    """

    def __init__(self, edges: Iterable[tuple[Node, URIRef, Node]]) -> None:
        self._by_node: dict[Node, dict[StepKey, set[Node]]] = defaultdict(lambda: defaultdict(set))
        self._range: dict[StepKey, set[Node]] = defaultdict(set)
        for subject, predicate, obj in edges:
            self._by_node[subject][(predicate, False)].add(obj)
            self._by_node[obj][(predicate, True)].add(subject)
            self._range[(predicate, False)].add(obj)
            self._range[(predicate, True)].add(subject)
        self.arrays = _StepArrays(self._by_node)

    def neighbours(self, node: Node) -> dict[StepKey, set[Node]]:
        """Return the neighbours of ``node`` keyed by step (an empty dict for unknown nodes)."""
        return self._by_node.get(node, {})

    def step_range(self, key: StepKey) -> set[Node]:
        """Return every node that the step ``key`` can reach from anywhere in the graph."""
        return self._range.get(key, set())


class _StepArrays:
    """The step adjacency as integer arrays, for expanding large frontiers with numpy.

    Each node has a row of entry codes ``step id * node count + neighbour
    id``, so one sort of a frontier's entries groups them by step and drops
    repeated neighbours. Merging the frontier's Python sets instead took most
    of the time of enumerating a MetaQA entity's 3-hop paths. A row keeps the
    node's steps in the order of ``RelationAdjacency.neighbours``, each step's
    codes sorted, so 1-hop paths come in the order of the node's edges.
    """

    def __init__(self, by_node: dict[Node, dict[StepKey, set[Node]]]) -> None:
        self.ids = {node: index for index, node in enumerate(by_node)}
        self.nodes = np.empty(len(self.ids), dtype=object)
        self.nodes[:] = list(by_node)
        self.size = max(len(self.ids), 1)

        step_ids: dict[StepKey, int] = {}
        rows: list[np.ndarray] = []
        for node_steps in by_node.values():
            row = []
            for key, targets in node_steps.items():
                offset = step_ids.setdefault(key, len(step_ids)) * self.size
                row.extend(sorted(offset + self.ids[target] for target in targets))
            rows.append(np.array(row, dtype=np.int64))
        self.keys = list(step_ids)
        self.row_starts = np.cumsum([0, *(len(row) for row in rows)], dtype=np.int64)
        self.codes = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)

    def expand(self, frontier: np.ndarray) -> list[tuple[StepKey, np.ndarray]]:
        """Return each step out of the ``frontier`` ids with the sorted ids it reaches.

        The steps of a single node come in its row's order, those of several
        nodes by step id.
        """
        starts = self.row_starts[frontier]
        lengths = self.row_starts[frontier + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return []

        if len(frontier) == 1:
            codes = self.codes[starts[0]:starts[0] + total]
        else:
            # The positions of every entry of the frontier's rows, row after row.
            row_offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
            positions = row_offsets + np.arange(total)
            codes = np.sort(self.codes[positions])
            codes = codes[np.concatenate(([True], codes[1:] != codes[:-1]))]
        steps = codes // self.size
        bounds = np.flatnonzero(steps[1:] != steps[:-1]) + 1
        firsts = np.concatenate(([0], bounds))
        reached = np.split(codes - steps * self.size, bounds)
        group_steps = steps[firsts].tolist()
        return [(self.keys[step], ids) for step, ids in zip(group_steps, reached, strict=True)]

    def node_set(self, ids: np.ndarray) -> frozenset[Node]:
        return frozenset(self.nodes[ids].tolist())


def is_answer_relation(predicate: Node) -> bool:
    """Return whether ``predicate`` may be a path step (not ``rdf:type``, not a label predicate)."""
    return (isinstance(predicate, URIRef) and predicate != RDF.type
            and predicate not in LABEL_PREDICATES)


def relation_adjacency(kg: KnowledgeGraph) -> RelationAdjacency:
    """Return the step adjacency of ``kg``, building it once and caching it in ``kg.cache``."""
    cached = kg.cache.get(_CACHE_KEY)
    if cached is not None:
        return cached

    edges = (
        (subject, data["predicate"], obj)
        for subject, obj, data in kg.nx_graph.edges(data=True)
        if is_answer_relation(data["predicate"])
    )
    adjacency = RelationAdjacency(edges)
    kg.cache[_CACHE_KEY] = adjacency
    return adjacency


def relation_range(kg: KnowledgeGraph, key: StepKey) -> set[Node]:
    """Return every node that the step ``key`` reaches from any node (a negation's universe)."""
    return relation_adjacency(kg).step_range(key)


def _make_step(kg: KnowledgeGraph, key: StepKey) -> PathStep:
    predicate, inverse = key
    label = kg.labels.relation_label(predicate)
    return PathStep(predicate=str(predicate), label=label, inverse=inverse)


def _reverses(previous: StepKey, key: StepKey) -> bool:
    return previous[0] == key[0] and previous[1] != key[1]


def iter_path_layers(kg: KnowledgeGraph, source: Node, max_hops: int,
                     frontier_limit: int) -> Iterator[list[CandidatePath]]:
    """Yield the paths from ``source`` one hop count at a time: 1-hop paths first.

    Callers that look for the shortest fitting path stop consuming early and
    so never pay for deeper layers.
    """
    arrays = relation_adjacency(kg).arrays
    source_id = arrays.ids.get(source)
    if source_id is None:
        yield []
        return
    steps_by_key: dict[StepKey, PathStep] = {}
    # Each open sequence: (keys, the frontier it started the last step from, its frontier).
    # Frontiers are sorted node ids.
    layer: list[tuple[tuple[StepKey, ...], np.ndarray, np.ndarray]] = [
        ((), np.empty(0, dtype=np.int64), np.array([source_id], dtype=np.int64))
    ]

    for depth in range(max_hops):
        paths: list[CandidatePath] = []
        next_layer = []
        for keys, previous, frontier in layer:
            if depth > 0 and len(frontier) > frontier_limit:
                log.debug("not expanding %d-hop path from %s: frontier of %d nodes exceeds %d",
                          depth, source, len(frontier), frontier_limit)
                continue
            for key, reached in arrays.expand(frontier):
                if keys and _reverses(keys[-1], key):
                    reached = reached[~np.isin(reached, previous, assume_unique=True)]
                reached = reached[reached != source_id]
                if not len(reached):
                    continue

                if key not in steps_by_key:
                    steps_by_key[key] = _make_step(kg, key)
                new_keys = keys + (key,)
                steps = tuple(steps_by_key[step_key] for step_key in new_keys)
                paths.append(CandidatePath(source, new_keys, steps, arrays.node_set(reached)))
                next_layer.append((new_keys, frontier, reached))
        yield paths
        layer = next_layer
        if not layer:
            return


def enumerate_paths(kg: KnowledgeGraph, source: Node, max_hops: int,
                    frontier_limit: int) -> list[CandidatePath]:
    """Return every path of 1 to ``max_hops`` steps from ``source``, shortest first."""
    paths: list[CandidatePath] = []
    for layer in iter_path_layers(kg, source, max_hops, frontier_limit):
        paths.extend(layer)
    return paths


def _frontiers(kg: KnowledgeGraph, source: Node, keys: tuple[StepKey, ...]) -> list[set[Node]]:
    """Recompute the frontier after each step of ``keys``, with the same rules as enumeration."""
    adjacency = relation_adjacency(kg)
    frontiers: list[set[Node]] = [{source}]
    for index, key in enumerate(keys):
        reached: set[Node] = set()
        for node in frontiers[-1]:
            reached.update(adjacency.neighbours(node).get(key, ()))
        if index > 0 and _reverses(keys[index - 1], key):
            reached -= frontiers[-2]
        reached.discard(source)
        frontiers.append(reached)
    return frontiers


def _edges_between(kg: KnowledgeGraph, node: Node, key: StepKey,
                   targets: set[Node]) -> list[tuple[Node, URIRef, Node, Node | None, Node]]:
    """Return ``(subject, predicate, object, graph, next_node)`` for each edge of one step."""
    predicate, inverse = key
    found = []
    adjacent = kg.nx_graph.pred[node] if inverse else kg.nx_graph.succ[node]
    # Iterating the neighbours alone and looking up edges only for targets
    # matters for hubs (a genre with thousands of films): items() builds a
    # view per neighbour. The neighbour order, and so the chain chosen, is kept.
    for neighbour in adjacent:
        if neighbour not in targets:
            continue
        for edge_predicate, graph in adjacent[neighbour]:
            if edge_predicate != predicate:
                continue
            subject, obj = (neighbour, node) if inverse else (node, neighbour)
            found.append((subject, predicate, obj, graph, neighbour))
    return found


def trace_evidence(kg: KnowledgeGraph, source: Node, keys: tuple[StepKey, ...],
                   targets: Iterable[Node], limit: int) -> list[Quad]:
    """Return up to ``limit`` quads that link ``source`` to ``targets`` along ``keys``.

    Each target's chain is listed from the source outwards, and targets are
    taken in the order given, so the first answers get their evidence first.
    """
    frontiers = _frontiers(kg, source, keys)
    quads: list[Quad] = []
    seen: set[Quad] = set()

    for target in targets:
        if len(quads) >= limit:
            break
        for quad in _chain_to(kg, keys, frontiers, target):
            if quad not in seen:
                seen.add(quad)
                quads.append(quad)
    return quads[:limit]


def _chain_to(kg: KnowledgeGraph, keys: tuple[StepKey, ...], frontiers: list[set[Node]],
              target: Node) -> list[Quad]:
    """Return one chain of quads from the source to ``target``, walking the frontiers backwards."""
    chain: list[Quad] = []
    current = target
    for index in range(len(keys) - 1, -1, -1):
        predicate, inverse = keys[index]
        # Walk backwards: take the opposite direction into the previous frontier.
        edges = _edges_between(kg, current, (predicate, not inverse), frontiers[index])
        if not edges:
            return []
        previous_node = edges[0][4]
        chain.extend(edge[:4] for edge in edges if edge[4] == previous_node)
        current = previous_node
    chain.reverse()
    return chain

