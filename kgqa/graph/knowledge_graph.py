"""Bundle one loaded graph: its RDF dataset, label index, networkx projection and metadata."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import networkx as nx
from rdflib import Dataset, Literal
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from kgqa.graph.classes import ClassIndex
from kgqa.graph.labels import LabelIndex
from kgqa.graph.projection import build_nx_graph

__all__ = ["GraphInfo", "KnowledgeGraph", "dataset_quads"]


@dataclasses.dataclass
class GraphInfo:
    """Metadata of a loaded graph, as ``kgqa graphs`` and ``GET /graphs/{name}`` report it."""

    name: str
    content_hash: str
    source_format: str
    source_files: list[str]
    triples: int
    entities: int
    relations: int
    named_graphs: list[str]
    loaded_at: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def dataset_quads(dataset: Dataset) -> Iterator[tuple[Node, Node, Node, Node | None]]:
    """Yield ``(s, p, o, g)`` for every quad; ``g`` is None for the default graph."""
    for subject, predicate, obj, graph in dataset.quads((None, None, None, None)):
        graph_id = getattr(graph, "identifier", graph)
        if graph_id == DATASET_DEFAULT_GRAPH_ID:
            graph_id = None
        yield subject, predicate, obj, graph_id


@dataclasses.dataclass
class KnowledgeGraph:
    """A graph ready for question answering.

    ``rdf_graph`` is the rdflib view (Oxigraph-backed when it comes from the
    store); ``nx_graph`` and ``labels`` are derived from it and cached by
    ``info.content_hash``.
    """

    info: GraphInfo
    rdf_graph: Dataset
    labels: LabelIndex
    nx_graph: nx.MultiDiGraph
    classes: ClassIndex = dataclasses.field(default_factory=ClassIndex)
    cache: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.info.name

    @classmethod
    def from_dataset(cls, name: str, dataset: Dataset, *, content_hash: str = "",
                     source_format: str = "", source_files: list[str] | None = None) -> KnowledgeGraph:
        """Build labels and the networkx projection from an rdflib dataset (in memory or stored)."""
        quads = list(dataset_quads(dataset))
        labels = LabelIndex.from_triples((s, p, o) for s, p, o, _ in quads)
        nx_graph = build_nx_graph(quads)
        classes = ClassIndex.from_triples((s, p, o) for s, p, o, _ in quads)
        named_graphs = sorted({str(g) for *_, g in quads if g is not None})
        info = GraphInfo(
            name=name,
            content_hash=content_hash,
            source_format=source_format,
            source_files=list(source_files or []),
            triples=len(quads),
            entities=sum(1 for node in nx_graph.nodes if not isinstance(node, Literal)),
            relations=sum(1 for _ in labels.relations()),
            named_graphs=named_graphs,
            loaded_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        return cls(info=info, rdf_graph=dataset, labels=labels, nx_graph=nx_graph, classes=classes)
