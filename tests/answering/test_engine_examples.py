"""Learning relation paths from question/answer examples, through the engine and its on-disk index."""

from __future__ import annotations

import json

import pytest

from kgqa.answering.engine import Engine
from kgqa.errors import GraphNotFound, InvalidInput
from kgqa.settings import Settings

# Relation names that say nothing: only examples can tell which one "directed" means.
OPAQUE_FILMS = """@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:f1 rdfs:label "Harbour Lights" ; ex:p1 ex:ava ; ex:p2 ex:ben .
ex:f2 rdfs:label "Salt Wind" ; ex:p1 ex:cleo ; ex:p2 ex:dev .
ex:f3 rdfs:label "Stone Bridge" ; ex:p1 ex:eli ; ex:p2 ex:fay .
ex:f4 rdfs:label "Paper Moon Road" ; ex:p1 ex:gus ; ex:p2 ex:hal .
ex:ava rdfs:label "Ava Lind" . ex:ben rdfs:label "Ben Ruiz" . ex:cleo rdfs:label "Cleo Park" .
ex:dev rdfs:label "Dev Rao" . ex:eli rdfs:label "Eli Stone" . ex:fay rdfs:label "Fay Lund" .
ex:gus rdfs:label "Gus Moreau" . ex:hal rdfs:label "Hal Brandt" .
"""

EXAMPLES = [
    {"question": "who directed [Harbour Lights]", "answers": ["Ava Lind"]},
    {"question": "who wrote [Harbour Lights]", "answers": ["Ben Ruiz"]},
    {"question": "who was the director of [Salt Wind]", "answers": ["Cleo Park"]},
    {"question": "who is the writer of [Salt Wind]", "answers": ["Dev Rao"]},
    {"question": "[Stone Bridge] was directed by whom", "answers": ["Eli Stone"]},
    {"question": "[Stone Bridge] was written by whom", "answers": ["Fay Lund"]},
]


@pytest.fixture
def engine(tmp_path, embedder):
    engine = Engine(Settings(environ={}, data_dir=str(tmp_path / "data")))
    engine._embedder = embedder
    graph_file = tmp_path / "films.ttl"
    graph_file.write_text(OPAQUE_FILMS, encoding="utf-8")
    engine.load([graph_file], name="films")
    return engine


@pytest.fixture
def examples_file(tmp_path):
    path = tmp_path / "examples.jsonl"
    path.write_text("\n".join(json.dumps(example) for example in EXAMPLES) + "\n", encoding="utf-8")
    return path


def test_examples_teach_opaque_relation(engine, examples_file):
    assert engine.add_examples(examples_file, graph="films") == len(EXAMPLES)
    directed = engine.ask("Who directed Paper Moon Road?", graph="films")
    written = engine.ask("Who wrote Paper Moon Road?", graph="films")
    assert [item.label for item in directed.answers] == ["Gus Moreau"]
    assert [item.label for item in written.answers] == ["Hal Brandt"]


def test_example_index_reused_after_restart(engine, examples_file, embedder):
    engine.add_examples(examples_file, graph="films")
    engine.ask("Who directed Paper Moon Road?", graph="films")
    index_files = list((engine.settings.data_path / "examples").glob("films.index/*/examples.json"))
    assert len(index_files) == 1
    written_at = index_files[0].stat().st_mtime_ns

    restarted = Engine(engine.settings)
    restarted._embedder = embedder
    answer = restarted.ask("Who wrote Paper Moon Road?", graph="films")
    assert [item.label for item in answer.answers] == ["Hal Brandt"]
    assert index_files[0].stat().st_mtime_ns == written_at, "the index was rebuilt"


def test_examples_for_unknown_graph_rejected(engine, examples_file):
    with pytest.raises(GraphNotFound, match="films"):
        engine.add_examples(examples_file, graph="nope")


def test_malformed_examples_name_line(engine, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(EXAMPLES[0]) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="line 2"):
        engine.add_examples(path, graph="films")
