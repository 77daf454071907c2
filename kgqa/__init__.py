"""kgqa: question answering over domain knowledge graphs, with the evidence triples.

Layers, each importing only the ones listed before it:

1. ``settings``, ``errors``, ``normalize``, ``embedding``: the settings table,
   the exception hierarchy, text normalization and the embedding model;
2. ``graph``: parsing, the on-disk store, labels, classes, the networkx view;
3. ``linking``: the spaCy pipeline and the gazetteer built from the labels;
4. ``retrieval``: relation paths, their scores, learning from examples;
5. ``answering``: graph-only answers with evidence, and the ``Engine`` that
   composes the pipeline;
6. faces: ``cli``, ``service`` (Flask), ``demo``: thin layers over ``Engine``.

Start with ``kgqa.answering.engine.Engine`` for the Python API.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
