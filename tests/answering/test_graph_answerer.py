"""Tests for graph-only answering on the acceptance cases and on each answer form.

Entities are linked by exact label lookup (``_link``) so that these tests do
not depend on the linker; the engine tests cover the two together.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from exact_links import link_labels
from rdflib import Dataset, Literal, Namespace
from rdflib.namespace import XSD

from kgqa.answering.graph_answerer import GraphAnswerer
from kgqa.answering.result import Answer
from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.retrieval.scoring import PathRetriever
from kgqa.settings import Settings

EX = Namespace("http://example.org/")
_FORMATS = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads"}


def _case_kg(cases_dir: Path, case: str, *files: str) -> KnowledgeGraph:
    # Each file goes into its own Dataset first: rdflib 7.6 empties the default
    # graph of a Dataset when N-Quads are parsed into it.
    dataset = Dataset()
    for name in files or ("graph.ttl",):
        part = Dataset()
        part.parse(cases_dir / case / name, format=_FORMATS[Path(name).suffix])
        for subject, predicate, obj, graph in part.quads((None, None, None, None)):
            dataset.add((subject, predicate, obj, graph))
    return KnowledgeGraph.from_dataset(case, dataset)


def _ask(kg: KnowledgeGraph, embedder, settings: Settings, question: str,
         only: tuple[str, ...] = (), unlinked: tuple[str, ...] = ()) -> Answer:
    normalized, masked, linked = link_labels(kg, question, only)
    answerer = GraphAnswerer(kg, PathRetriever(kg, embedder, settings), settings)
    return answerer.answer(question, normalized, masked, linked, list(unlinked))


def _labels(answer: Answer) -> list[str]:
    return sorted(item.label for item in answer.answers)


def _terms(answer: Answer) -> set:
    return {item.term for item in answer.answers}


# counting-and-yes-no

@pytest.fixture
def band(cases_dir) -> KnowledgeGraph:
    return _case_kg(cases_dir, "counting-and-yes-no")


def test_count_members_whole_graph(band, embedder, cases_dir):
    settings = Settings(environ={}, top_k=2)

    answer = _ask(band, embedder, settings, "How many members does The Tidewater Four have?")

    assert answer.status == "answered"
    assert answer.kind == "count"
    assert _labels(answer) == ["5"]
    assert answer.answers[0].term == Literal(5, datatype=XSD.integer)
    assert len(answer.evidence) == 2
    assert answer.path.steps[0].predicate == str(EX.memberOf)


def test_count_ever_widens_family(band, embedder, settings):
    answer = _ask(band, embedder, settings, "How many people have ever been in The Tidewater Four?")

    assert answer.kind == "count"
    assert _labels(answer) == ["6"]
    assert {step.predicate for path in [answer.path, *answer.alternative_paths]
            for step in path.steps} >= {str(EX.memberOf), str(EX.formerMemberOf)}


def test_yes_no_former_member(band, embedder, settings):
    answer = _ask(band, embedder, settings, "Is Fay Lund a current member of The Tidewater Four?")

    assert answer.kind == "yes_no"
    assert _labels(answer) == ["no"]
    assert answer.text.startswith("No.")
    assert "former" in answer.text
    assert (answer.evidence[0].subject, answer.evidence[0].predicate, answer.evidence[0].object) \
        == (EX.m6, EX.formerMemberOf, EX.Band)


def test_yes_no_current_member(band, embedder, settings):
    answer = _ask(band, embedder, settings, "Is Ada Kerr a member of The Tidewater Four?")

    assert answer.status == "answered"
    assert _labels(answer) == ["yes"]
    assert (answer.evidence[0].subject, answer.evidence[0].object) == (EX.m1, EX.Band)


def test_yes_no_other_genre(band, embedder, settings):
    answer = _ask(band, embedder, settings, "Does The Tidewater Four play jazz?")

    assert _labels(answer) == ["no"]
    assert "folk" in answer.text
    assert answer.evidence[0].object == Literal("folk")


def test_yes_no_named_value(band, embedder, settings):
    answer = _ask(band, embedder, settings, "Does The Tidewater Four play folk?")

    assert _labels(answer) == ["yes"]
    assert answer.evidence[0].predicate == EX.genre


def test_yes_no_missing_relation(embedder, settings):
    dataset = Dataset()
    dataset.parse(data="""
        @prefix ex: <http://example.org/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ex:Band rdfs:label "The Tidewater Four" .
        ex:m1 rdfs:label "Ada Kerr" ; ex:memberOf ex:Band .
    """, format="turtle")
    kg = KnowledgeGraph.from_dataset("no-genre", dataset)

    answer = _ask(kg, embedder, settings, "Does The Tidewater Four play jazz?")

    assert answer.status == "not_in_graph"
    assert answer.answers == []


# multi-entity-multi-hop

@pytest.fixture
def films(cases_dir) -> KnowledgeGraph:
    return _case_kg(cases_dir, "multi-entity-multi-hop")


def test_two_entities_intersect(films, embedder, settings):
    answer = _ask(films, embedder, settings, "Which films feature both Ana Ruiz and Ben Ito?")

    assert answer.status == "answered"
    assert _labels(answer) == ["Salt Roads"]
    assert _terms(answer) == {EX.F1}
    assert {triple.object for triple in answer.evidence} == {EX.Ana, EX.Ben}


def test_two_hop_chain(films, embedder, settings):
    answer = _ask(films, embedder, settings, "Who directed the film that Dora Lind appeared in?")

    assert _terms(answer) == {EX.Eva}
    assert len(answer.path.steps) == 2
    assert [triple.subject for triple in answer.evidence] == [EX.F3, EX.F3]


def test_three_hop_chain(films, embedder, settings):
    answer = _ask(films, embedder, settings,
                  "Which actors have worked with the director of Night Ferry?")

    assert _labels(answer) == ["Ana Ruiz", "Ben Ito"]
    assert len(answer.path.steps) == 3
    assert answer.evidence


# negation

@pytest.fixture
def restaurants(cases_dir) -> KnowledgeGraph:
    return _case_kg(cases_dir, "negation")


def test_negated_relation_question(restaurants, embedder, settings):
    answer = _ask(restaurants, embedder, settings, "Which restaurants do not serve meat?")

    assert answer.status == "answered"
    assert _labels(answer) == ["Green Fork", "Lotus Table"]
    assert {triple.object for triple in answer.evidence} == {Literal(False)}


def test_positive_relation_question(restaurants, embedder, settings):
    answer = _ask(restaurants, embedder, settings, "Which restaurants serve meat?")

    assert _labels(answer) == ["Harbour Grill", "Smoke and Ember"]
    assert _terms(answer) == {EX.R2, EX.R4}


def test_negation_answers_disjoint(restaurants, embedder, settings):
    negated = _ask(restaurants, embedder, settings, "Which restaurants do not serve meat?")
    positive = _ask(restaurants, embedder, settings, "Which restaurants serve meat?")

    assert not _terms(negated) & _terms(positive)


def test_entity_negation_complements(films, embedder, settings):
    answer = _ask(films, embedder, settings, "Which films did Ana Ruiz not appear in?")

    assert _terms(answer) == {EX.F3}


def test_no_relation_no_entity(restaurants, embedder, settings):
    answer = _ask(restaurants, embedder, settings, "Which restaurants open on Sunday?")

    assert answer.status == "no_entity"
    assert "No entity of the graph" in answer.text


# numeric-literal-forms

@pytest.mark.parametrize(("question", "label", "predicate", "datatype"), [
    ("What is the reference mass of sensor 7?", "14.00307400478", "referenceMass", XSD.decimal),
    ("What is the gain of sensor 7?", "0.5", "gain", XSD.decimal),
    ("What is the drift of sensor 7?", "0.00025", "drift", XSD.double),
])
def test_numeric_literal_answers(cases_dir, embedder, settings, question, label, predicate,
                                 datatype):
    kg = _case_kg(cases_dir, "numeric-literal-forms")

    answer = _ask(kg, embedder, settings, question)

    assert answer.kind == "literal"
    assert _labels(answer) == [label]
    assert answer.answers[0].to_dict()["datatype"] == str(datatype)
    assert answer.evidence[0].predicate == EX[predicate]


# trig-nquads-named-graphs

@pytest.fixture
def club(cases_dir) -> KnowledgeGraph:
    return _case_kg(cases_dir, "trig-nquads-named-graphs", "graph.trig", "graph.nq")


def test_roles_carry_named_graphs(club, embedder, settings):
    answer = _ask(club, embedder, settings, "What roles has Rhea Castell held?")

    assert _labels(answer) == ["chair", "treasurer"]
    assert {(str(triple.object), triple.graph) for triple in answer.evidence} == {
        ("treasurer", EX.g2023), ("chair", EX.g2024)}


def test_default_graph_membership(club, embedder, settings):
    answer = _ask(club, embedder, settings, "Which club is Rhea Castell a member of?")

    assert _terms(answer) == {EX.Club}
    assert answer.evidence[0].graph is None


def test_nquads_role(club, embedder, settings):
    answer = _ask(club, embedder, settings, "What is Ivo Marek's role?")

    assert _labels(answer) == ["coach"]
    assert answer.evidence[0].graph == EX.g2024


# chinese-names

@pytest.fixture
def lu_xun(cases_dir) -> KnowledgeGraph:
    return _case_kg(cases_dir, "chinese-names")


def test_chinese_question_chinese_label(lu_xun, embedder, settings):
    answer = _ask(lu_xun, embedder, settings, "鲁迅写了哪部小说？")

    assert _labels(answer) == ["狂人日记"]
    assert _terms(answer) == {EX.Diary}


def test_chinese_year_question(lu_xun, embedder, settings):
    answer = _ask(lu_xun, embedder, settings, "狂人日记是哪一年发表的？")

    assert _labels(answer) == ["1918"]
    assert answer.kind == "literal"


def test_english_question_english_label(lu_xun, embedder, settings):
    answer = _ask(lu_xun, embedder, settings, "Who wrote A Madman's Diary?")

    assert _labels(answer) == ["Lu Xun"]
    assert _terms(answer) == {EX.LuXun}


# homographs-and-unknown-namesakes (links given as the linker should produce them)

@pytest.fixture
def homographs(cases_dir) -> KnowledgeGraph:
    return _case_kg(cases_dir, "homographs-and-unknown-namesakes")


@pytest.mark.parametrize(("question", "mention", "expected"), [
    ("Where is Jaguar headquartered?", "Jaguar", "Coventry"),
    ("What does a jaguar eat?", "jaguar", "carnivore"),
    ("Which country is Paris in?", "Paris", "France"),
    ("Who directed Up?", "Up", "Pete Docter"),
])
def test_homograph_answers(homographs, embedder, settings, question, mention, expected):
    answer = _ask(homographs, embedder, settings, question, only=(mention,))

    assert answer.status == "answered"
    assert _labels(answer) == [expected]
    assert answer.evidence


def test_unknown_namesake_no_entity(homographs, embedder, settings):
    answer = _ask(homographs, embedder, settings, "What does Paris Hilton do for a living?",
                  only=("nothing",), unlinked=("Paris Hilton",))

    assert answer.status == "no_entity"
    assert answer.answers == []
    assert "Paris Hilton" in answer.text


# ungrounded-llm-answer (graph side)

@pytest.fixture
def vance(cases_dir) -> KnowledgeGraph:
    return _case_kg(cases_dir, "ungrounded-llm-answer")


def test_birth_place_with_evidence(vance, embedder, settings):
    answer = _ask(vance, embedder, settings, "Where was Marlowe Vance born?")

    assert _labels(answer) == ["Tromsø"]
    assert (answer.evidence[0].subject, answer.evidence[0].predicate, answer.evidence[0].object) \
        == (EX.Vance, EX.birthPlace, EX.Tromso)


def test_birth_date_not_in_graph(vance, embedder, settings):
    answer = _ask(vance, embedder, settings, "When was Marlowe Vance born?")

    assert answer.status == "not_in_graph"
    assert answer.answers == []
    assert "no fact" in answer.text


# Answer object

def test_answer_fields_filled(films, embedder, settings):
    answer = _ask(films, embedder, settings, "Who directed the film that Dora Lind appeared in?")

    assert 0.0 < answer.confidence <= 1.0
    assert set(answer.timings_ms) == {"retrieval", "answering"}
    assert answer.alternative_paths
    assert "Eva Sato" in answer.text
    assert answer.to_dict()["path"]["steps"][0]["inverse"] is True


def test_yes_no_relation_exists(band, embedder, settings):
    answer = _ask(band, embedder, settings, "Does The Tidewater Four have members?")

    assert _labels(answer) == ["yes"]


# Classes, answer types and near misses (the typed world graph of conftest.py)

def test_answer_class_picks_currency(world, ask):
    answer = ask(world, "Which currency does Japan use?")

    assert _labels(answer) == ["Yen"]
    assert [mention.entity for mention in answer.classes] == [EX.Currency]
    assert [entity.entity for entity in answer.linked_entities] == [EX.Japan]


def test_who_rejects_non_agents(world, ask):
    answer = ask(world, "Who leads France?")

    assert answer.status == "not_in_graph"
    assert answer.answers == []


def test_alias_answers_who(world, ask):
    answer = ask(world, "Who is the president of Germany?")

    assert _labels(answer) == ["Frank Walter"]


def test_near_miss_names_missing_words(world, ask):
    answer = ask(world, "What is the melting point of Japan?")

    assert answer.status == "not_in_graph"
    assert "melting point" in answer.text
    assert answer.notes


# A verb that names one of the graph's relations

_FIRMS_TTL = """
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:founder rdfs:label "founder" .
ex:chiefExecutive rdfs:label "chief executive" .
ex:startDate rdfs:label "start date" .
ex:Acme rdfs:label "Acme" ; ex:founder ex:Ada ; ex:chiefExecutive ex:Bob ; ex:startDate 1990 .
ex:Globex rdfs:label "Globex" ; ex:chiefExecutive ex:Carol .
ex:Ada rdfs:label "Ada Lim" . ex:Bob rdfs:label "Bob Ray" . ex:Carol rdfs:label "Carol Ng" .
"""


@pytest.fixture
def firms() -> KnowledgeGraph:
    dataset = Dataset()
    dataset.parse(data=_FIRMS_TTL, format="turtle")
    return KnowledgeGraph.from_dataset("firms", dataset)


def test_relation_verb_answered(firms, ask):
    answer = ask(firms, "Who founded Acme?")

    assert _labels(answer) == ["Ada Lim"]
    assert answer.path.steps[0].predicate == str(EX.founder)


def test_relation_verb_missing_declined(firms, ask):
    answer = ask(firms, "Who founded Globex?")

    assert answer.status == "not_in_graph"
    assert answer.answers == []
    assert "founded" in answer.text


def test_unmatched_verb_uses_similarity(firms, ask):
    answer = ask(firms, "Who runs Globex?")

    assert _labels(answer) == ["Carol Ng"]


def test_relation_verb_other_type_ignored(firms, ask):
    # "started" names "start date", whose values are numbers, not people.
    answer = ask(firms, "Who started Acme?")

    assert _labels(answer) == ["Ada Lim"]
