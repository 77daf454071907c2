"""Topic entities given by label to ``Engine.ask``, as MetaQA gives them in brackets."""

from __future__ import annotations

import pytest

from kgqa.answering.engine import Engine
from kgqa.errors import EntityNotFound, InvalidInput
from kgqa.settings import Settings

# Two namesakes that differ only in case, and a film whose title is an everyday word.
NAMESAKES_TTL = """@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:up rdfs:label "Up" ; ex:directedBy ex:docter .
ex:UP rdfs:label "UP" ; ex:directedBy ex:nolan .
ex:heat rdfs:label "Heat" ; ex:directedBy ex:mann .
ex:docter rdfs:label "Pete Docter" .
ex:nolan rdfs:label "Chris Nolan" .
ex:mann rdfs:label "Michael Mann" .
ex:directedBy rdfs:label "directed by" .
"""


@pytest.fixture(scope="module")
def films(tmp_path_factory, embedder):
    folder = tmp_path_factory.mktemp("topics")
    engine = Engine(Settings(environ={}, data_dir=str(folder / "data")))
    engine._embedder = embedder
    graph_file = folder / "films.ttl"
    graph_file.write_text(NAMESAKES_TTL, encoding="utf-8")
    engine.load([graph_file], name="films")
    return engine


def test_given_topic_replaces_linking(films):
    answer = films.ask("who directed [Heat]", graph="films", topics=["Heat"])
    assert [entity.method for entity in answer.linked_entities] == ["given"]
    assert answer.linked_entities[0].label == "Heat"
    assert answer.linked_entities[0].mention == "Heat"
    assert [item.label for item in answer.answers] == ["Michael Mann"]


def test_given_topic_ignores_case(films):
    answer = films.ask("Who directed [Heat]?", graph="films", topics=["heat"])
    linked = answer.linked_entities[0]
    assert linked.label == "Heat"
    assert answer.normalized_question[linked.start:linked.end] == "Heat"


def test_other_entities_dropped(films):
    linked = films.ask("who directed [Heat] and [Up]", graph="films").linked_entities
    answer = films.ask("who directed [Heat] and [Up]", graph="films", topics=["Heat"])
    assert sorted(entity.label for entity in linked) == ["Heat", "Up"]
    assert [entity.label for entity in answer.linked_entities] == ["Heat"]
    assert [item.label for item in answer.answers] == ["Michael Mann"]


@pytest.mark.parametrize(("topic", "director"), [("Up", "Pete Docter"), ("UP", "Chris Nolan")])
def test_exact_spelling_beats_namesake(films, topic, director):
    answer = films.ask(f"who directed [{topic}]", graph="films", topics=[topic])
    assert answer.linked_entities[0].label == topic
    assert [item.label for item in answer.answers] == [director]


def test_namesake_listed_as_alternative(films):
    linked = films.ask("who directed [Up]", graph="films", topics=["Up"]).linked_entities[0]
    assert [candidate.label for candidate in linked.alternatives] == ["UP"]


def test_topic_not_in_question_still_used(films):
    answer = films.ask("who directed it", graph="films", topics=["Heat"])
    assert answer.linked_entities[0].start == answer.linked_entities[0].end == 0
    assert [item.label for item in answer.answers] == ["Michael Mann"]


def test_unknown_topic_raises(films):
    with pytest.raises(EntityNotFound, match="'Vertigo'") as raised:
        films.ask("who directed [Vertigo]", graph="films", topics=["Vertigo"])
    assert raised.value.details == {"topic": "Vertigo", "graph": "films"}


@pytest.mark.parametrize("topics", ["Heat", [""], [3]])
def test_invalid_topics_rejected(films, topics):
    with pytest.raises(InvalidInput, match="topics must be a list"):
        films.ask("who directed [Heat]", graph="films", topics=topics)
