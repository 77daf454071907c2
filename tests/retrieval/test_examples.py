"""Tests for reading question/answer pairs and ranking paths with learned examples."""

from __future__ import annotations

import json

import numpy as np
import pytest
from rdflib import Dataset, Namespace

from kgqa.answering.result import LinkedEntity
from kgqa.errors import InvalidInput, StoreError
from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.retrieval.examples import ExampleIndex, ExamplePair, mask_topic, read_examples
from kgqa.retrieval.scoring import PathRetriever

EX = Namespace("http://example.org/")

# Relation names carry no meaning, so zero-shot scoring cannot tell them apart.
OPAQUE_TTL = """
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:F1 rdfs:label "Salt Roads" ; ex:p1 ex:Cole ; ex:p2 ex:Ana .
ex:F2 rdfs:label "Night Ferry" ; ex:p1 ex:Cole ; ex:p2 ex:Ben .
ex:F3 rdfs:label "Glass Harbour" ; ex:p1 ex:Eva ; ex:p2 ex:Dora .
ex:F4 rdfs:label "Tin Lantern" ; ex:p1 ex:Gus ; ex:p2 ex:Hal .
ex:Cole rdfs:label "Cole Mbeki" .  ex:Eva rdfs:label "Eva Sato" .  ex:Gus rdfs:label "Gus Moor" .
ex:Ana rdfs:label "Ana Ruiz" .  ex:Ben rdfs:label "Ben Ito" .  ex:Dora rdfs:label "Dora Lind" .
ex:Hal rdfs:label "Hal Berg" .
"""

EXAMPLE_PAIRS = [
    ExamplePair("who directed [Salt Roads]", ("Cole Mbeki",), "Salt Roads"),
    ExamplePair("who was the director of [Glass Harbour]", ("Eva Sato",), "Glass Harbour"),
    ExamplePair("who acted in [Night Ferry]", ("Ben Ito",), "Night Ferry"),
    ExamplePair("which actors starred in [Salt Roads]", ("Ana Ruiz",), "Salt Roads"),
]


def _kg(turtle: str) -> KnowledgeGraph:
    dataset = Dataset()
    dataset.parse(data=turtle, format="turtle")
    return KnowledgeGraph.from_dataset("test", dataset)


def test_read_metaqa_lines(tmp_path):
    source = tmp_path / "qa.txt"
    source.write_text("what films did [Ana Ruiz] star in\tSalt Roads|Night Ferry\n\n"
                      "who directed [Up]\tPete Docter\n", encoding="utf-8")

    pairs = read_examples(source)

    assert [pair.topic for pair in pairs] == ["Ana Ruiz", "Up"]
    assert pairs[0].answers == ("Salt Roads", "Night Ferry")
    assert pairs[1].line == 3


def test_read_json_lines(tmp_path):
    source = tmp_path / "qa.jsonl"
    lines = [{"question": "Who directed Up?", "answers": ["Pete Docter"], "topic": "Up"},
             {"question": "Who wrote Emma?", "answers": "Jane Austen"}]
    source.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")

    pairs = read_examples(source)

    assert pairs[0] == ExamplePair("Who directed Up?", ("Pete Docter",), "Up", 1)
    assert pairs[1].topic is None
    assert pairs[1].answers == ("Jane Austen",)


@pytest.mark.parametrize(("content", "problem"), [
    ("who directed [Up]\tPete Docter\nno tab here\n", "line 2: no tab"),
    ("who directed [Up]\t\n", "line 1: empty question or no answers"),
    ('{"question": "Who?", "answers": []}\n', "line 1: \"answers\" must be"),
    ('{"question": "Who?", "answers": ["x"]\n', "line 1: invalid JSON"),
    ('\n{"answers": ["x"]}\n', "line 2: missing or empty \"question\""),
    ('{"question": "Who?", "answers": ["x"], "topic": 3}\n', "line 1: \"topic\" must be"),
])
def test_read_bad_line_names_it(tmp_path, content, problem):
    source = tmp_path / "bad.txt"
    source.write_text(content, encoding="utf-8")

    with pytest.raises(InvalidInput, match=problem) as raised:
        read_examples(source)

    assert raised.value.details["line"] == int(problem.split(":")[0].split()[1])


def test_read_missing_file(tmp_path):
    with pytest.raises(InvalidInput, match="Cannot read examples file"):
        read_examples(tmp_path / "absent.txt")


@pytest.mark.parametrize(("question", "topic", "expected"), [
    ("who directed [Salt Roads]", "Salt Roads", "who directed NE"),
    ("Who directed Salt Roads?", "salt roads", "Who directed NE?"),
    ("Who directed it?", "Salt Roads", "Who directed it?"),
])
def test_mask_topic_table(question, topic, expected):
    assert mask_topic(question, topic) == expected


def test_build_finds_sequences(embedder, settings):
    kg = _kg(OPAQUE_TTL)

    index = ExampleIndex.build(kg, embedder, EXAMPLE_PAIRS, settings=settings)

    assert len(index) == 4
    assert index.questions[0] == "who directed NE"
    assert index.sequences[index.sequence_ids[0]] == ((EX.p1, False),)
    assert index.sequences[index.sequence_ids[2]] == ((EX.p2, False),)


def test_build_uses_linker_without_topic(embedder, settings):
    kg = _kg(OPAQUE_TTL)
    pairs = [ExamplePair("Who directed Salt Roads?", ("Cole Mbeki",))]

    def link(question: str) -> list[LinkedEntity]:
        start = question.index("Salt Roads")
        return [LinkedEntity("Salt Roads", start, start + 10, EX.F1, "Salt Roads", 1.0)]

    index = ExampleIndex.build(kg, embedder, pairs, link, settings=settings)

    assert index.questions == ["Who directed NE?"]
    assert index.sequences == [((EX.p1, False),)]


def test_build_skips_unknown_answers(embedder, settings):
    kg = _kg(OPAQUE_TTL)
    pairs = [ExamplePair("who directed [Salt Roads]", ("Nobody Known",), "Salt Roads"),
             ExamplePair("who directed [Unknown Film]", ("Cole Mbeki",), "Unknown Film")]

    index = ExampleIndex.build(kg, embedder, pairs, settings=settings)

    assert len(index) == 0


def test_examples_decide_ranking(embedder, settings):
    kg = _kg(OPAQUE_TTL)
    index = ExampleIndex.build(kg, embedder, EXAMPLE_PAIRS, settings=settings)
    learned = PathRetriever(kg, embedder, settings, index)

    directed = learned.rank(EX.F4, "who directed NE")
    acted = learned.rank(EX.F4, "who acted in NE")

    assert directed[0].path.keys == ((EX.p1, False),)
    assert directed[0].vote > 0.5
    assert acted[0].path.keys == ((EX.p2, False),)


def test_zero_shot_has_no_votes(embedder, settings):
    kg = _kg(OPAQUE_TTL)
    retriever = PathRetriever(kg, embedder, settings)

    assert all(item.vote == 0.0 for item in retriever.rank(EX.F4, "who directed NE"))


def test_unavailable_sequence_gets_nothing(embedder, settings):
    kg = _kg(OPAQUE_TTL)
    index = ExampleIndex.build(kg, embedder, EXAMPLE_PAIRS, settings=settings)
    query = embedder.encode(["who directed NE"])[0]

    votes = index.votes(query, {((EX.p2, False),)}, k=4)

    assert ((EX.p1, False),) not in votes
    assert sum(votes.values()) < 1.0


def test_save_load_round_trip(embedder, settings, tmp_path):
    kg = _kg(OPAQUE_TTL)
    index = ExampleIndex.build(kg, embedder, EXAMPLE_PAIRS, settings=settings)

    index.save(tmp_path / "examples")
    loaded = ExampleIndex.load(tmp_path / "examples")

    assert loaded.sequences == index.sequences
    assert loaded.questions == index.questions
    assert np.array_equal(loaded.embeddings, index.embeddings)
    assert np.array_equal(loaded.sequence_ids, index.sequence_ids)


def test_load_missing_folder(tmp_path):
    with pytest.raises(StoreError, match="Rebuild it"):
        ExampleIndex.load(tmp_path / "absent")
