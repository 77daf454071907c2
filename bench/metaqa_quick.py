"""Measure Hits@1 of graph-only answering on MetaQA test questions, zero-shot and with examples.

Usage::

    python bench/metaqa_quick.py /path/to/metaqa [--questions 300] [--examples-cache DIR]

The folder must hold MetaQA's ``kb.txt`` and ``N-hop/vanilla/qa_{dev,test}.txt``.
The knowledge base becomes an RDF graph with IRIs minted from names
(``urn:kgqa:metaqa/entity/<percent-encoded name>``, ``rdfs:label`` = name)
and relation labels equal to the relation names with spaces for underscores.
Topic entities are given by the brackets, as in published results. The
example index is built from all dev questions (1, 2 and 3 hops). That took
about 4.5 minutes on 2 CPU cores, so ``--examples-cache`` keeps it between runs.
"""

from __future__ import annotations

import argparse
import logging
import random
import re
import sys
import time
import urllib.parse
from pathlib import Path

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDFS

from kgqa.answering.graph_answerer import GraphAnswerer
from kgqa.answering.result import LinkedEntity
from kgqa.embedding import Embedder
from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.retrieval.examples import ExampleIndex, mask_topic, read_examples
from kgqa.retrieval.scoring import PathRetriever
from kgqa.settings import Settings

_ENTITY_PREFIX = "urn:kgqa:metaqa/entity/"
_RELATION_PREFIX = "urn:kgqa:metaqa/relation/"
_TOPIC_RE = re.compile(r"\[([^\]]+)\]")


def load_metaqa_graph(folder: Path) -> KnowledgeGraph:
    """Build a KnowledgeGraph from ``kb.txt`` (``head|relation|tail`` lines)."""
    dataset = Dataset()
    minted: dict[str, URIRef] = {}

    def mint(prefix: str, name: str, label: str) -> URIRef:
        term = minted.get(prefix + name)
        if term is None:
            term = URIRef(prefix + urllib.parse.quote(name, safe=""))
            minted[prefix + name] = term
            dataset.add((term, RDFS.label, Literal(label)))
        return term

    with open(folder / "kb.txt", encoding="utf-8") as lines:
        for line in lines:
            head, relation, tail = line.rstrip("\n").split("|")
            dataset.add((mint(_ENTITY_PREFIX, head, head),
                         mint(_RELATION_PREFIX, relation, relation.replace("_", " ")),
                         mint(_ENTITY_PREFIX, tail, tail)))
    return KnowledgeGraph.from_dataset("metaqa", dataset)


def sample_questions(folder: Path, hops: int, count: int) -> list[tuple[str, str, set[str]]]:
    """Return ``count`` test questions of ``hops`` hops (seed 0) as ``(question, topic, gold)``."""
    lines = (folder / f"{hops}-hop" / "vanilla" / "qa_test.txt").read_text(encoding="utf-8")
    rows = lines.splitlines()
    random.Random(0).shuffle(rows)
    sample = []
    for row in rows[:count]:
        question, answers = row.split("\t")
        sample.append((question, _TOPIC_RE.search(question).group(1), set(answers.split("|"))))
    return sample


def topic_link(kg: KnowledgeGraph, question: str, topic: str) -> LinkedEntity:
    """Link the bracketed topic to the node whose label is exactly that name."""
    entity = URIRef(_ENTITY_PREFIX + urllib.parse.quote(topic, safe=""))
    start = question.index("[" + topic + "]")
    return LinkedEntity(topic, start, start + len(topic) + 2, entity, topic, 1.0)


def hits_at_1(answerer: GraphAnswerer, kg: KnowledgeGraph,
              sample: list[tuple[str, str, set[str]]]) -> float:
    """Return the share of questions whose first answer label is a gold answer."""
    hits = 0
    for question, topic, gold in sample:
        linked = topic_link(kg, question, topic)
        answer = answerer.answer(question, question, mask_topic(question, topic), [linked])
        if answer.answers and answer.answers[0].label in gold:
            hits += 1
    return hits / len(sample)


def example_index(folder: Path, kg: KnowledgeGraph, embedder: Embedder, settings: Settings,
                  cache: Path | None) -> ExampleIndex:
    """Return the example index of all dev questions, from ``cache`` when it exists there."""
    if cache is not None and (cache / "examples.json").is_file():
        return ExampleIndex.load(cache)
    pairs = []
    for hops in (1, 2, 3):
        pairs += read_examples(folder / f"{hops}-hop" / "vanilla" / "qa_dev.txt")
    index = ExampleIndex.build(kg, embedder, pairs, settings=settings)
    if cache is not None:
        index.save(cache)
    return index


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="MetaQA folder with kb.txt and N-hop/vanilla/")
    parser.add_argument("--questions", type=int, default=300, help="test questions per hop count")
    parser.add_argument("--examples-cache", type=Path, default=None,
                        help="folder to save the dev example index to, or load it from")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    started = time.perf_counter()
    settings = Settings(environ={})
    kg = load_metaqa_graph(args.folder)
    embedder = Embedder()
    logging.info("graph: %d triples, loaded in %.0f s", kg.info.triples,
                 time.perf_counter() - started)

    examples = example_index(args.folder, kg, embedder, settings, args.examples_cache)
    modes = {
        "zero-shot": GraphAnswerer(kg, PathRetriever(kg, embedder, settings), settings),
        "dev examples": GraphAnswerer(kg, PathRetriever(kg, embedder, settings, examples),
                                      settings),
    }
    print(f"Hits@1 on {args.questions} MetaQA test questions per hop count (seed 0)")
    for hops in (1, 2, 3):
        sample = sample_questions(args.folder, hops, args.questions)
        for mode, answerer in modes.items():
            mode_started = time.perf_counter()
            score = hits_at_1(answerer, kg, sample)
            elapsed_s = time.perf_counter() - mode_started
            print(f"{hops}-hop  {mode:<13} {score:6.1%}  ({elapsed_s:.0f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
