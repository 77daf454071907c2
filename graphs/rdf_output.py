"""Write the generated bundled graphs as stable, sorted Turtle.

Shared by ``graphs/countries/generate.py`` and ``graphs/elements/generate.py``.
Both run as scripts, so they import this module by its file location and not
as part of the ``kgqa`` package, which must not depend on the generator packages.
"""

from __future__ import annotations

import re
import unicodedata

from rdflib import Graph

__all__ = ["slug", "sorted_turtle"]

def slug(text: str) -> str:
    """Turn a name into an IRI path segment: ASCII letters and digits joined by ``_``.

    Raises:
        ValueError: if the name has no ASCII letter or digit left after removing accents.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    segment = re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_")
    if not segment:
        raise ValueError(f"name {text!r} has no ASCII letters or digits to build an IRI from")
    return segment


def sorted_turtle(rdf_graph: Graph) -> str:
    """Serialize ``rdf_graph`` as Turtle with one block per subject, subjects in IRI order.

    rdflib's own serializer orders subjects by how often they are referenced,
    which makes a file hard to scan and turns small data changes into large diffs.
    """
    prefix_lines: set[str] = set()
    blocks = []
    for subject in sorted(set(rdf_graph.subjects())):
        block_graph = Graph(namespace_manager=rdf_graph.namespace_manager)
        for triple in rdf_graph.triples((subject, None, None)):
            block_graph.add(triple)

        # rdflib writes only the prefixes that a block uses, so the file declares their union once.
        lines = block_graph.serialize(format="turtle").splitlines()
        prefix_lines.update(line for line in lines if line.startswith("@prefix"))
        body = [line for line in lines if line and not line.startswith("@prefix")]
        blocks.append("".join(line + "\n" for line in body))

    return "".join(line + "\n" for line in sorted(prefix_lines)) + "\n" + "\n".join(blocks)
