"""Tests for zero-shot path scoring and the retriever's relation fit."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Namespace

from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.retrieval.scoring import (
    PathRetriever,
    content_stems,
    described_intermediate,
    lexical_overlap,
    missing_qualifiers,
    stem,
)

EX = Namespace("http://example.org/")

BAND_TTL = """
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Band rdfs:label "The Tidewater Four" ; ex:genre "folk" .
ex:m1 rdfs:label "Ada Kerr" ; ex:memberOf ex:Band .
ex:m2 rdfs:label "Ben Osei" ; ex:memberOf ex:Band .
ex:m6 rdfs:label "Fay Lund" ; ex:formerMemberOf ex:Band .
"""

HOMOGRAPHS_TTL = """
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:JaguarCo rdfs:label "Jaguar" ; ex:headquarters ex:Coventry .
ex:JaguarCat rdfs:label "jaguar" ; ex:diet "carnivore" .
ex:Coventry rdfs:label "Coventry" .
"""


def _kg(turtle: str) -> KnowledgeGraph:
    dataset = Dataset()
    dataset.parse(data=turtle, format="turtle")
    return KnowledgeGraph.from_dataset("test", dataset)


@pytest.mark.parametrize(("left", "right"), [
    ("members", "member"),
    ("headquartered", "headquarters"),
    ("serves", "serve"),
    ("starred", "stars"),
    ("directed", "director"),
    ("released", "release"),
])
def test_stem_joins_word_forms(left, right):
    assert stem(left) == stem(right)


def test_content_stems_drop_stopwords():
    assert content_stems("How many members does NE have?") == {stem("members")}


def test_lexical_overlap_share():
    question = content_stems("Which restaurants serve meat?")

    assert lexical_overlap(["serves Meat"], question) == 1.0
    assert lexical_overlap(["head chef"], question) == 0.0


def test_missing_qualifier_found():
    assert missing_qualifiers("former Member Of", {"how", "many", "members"}) == {"former"}
    assert missing_qualifiers("member Of", {"current", "member"}) == set()


def test_described_intermediate_needs_focus():
    assert described_intermediate("Which actors have worked with the director of NE?") == {
        stem("director")}
    assert described_intermediate("Who is the director of NE?") == set()
    assert described_intermediate("Which director of NE won?") == set()


def test_qualifier_penalty_ranks_current(embedder, settings):
    kg = _kg(BAND_TTL)
    retriever = PathRetriever(kg, embedder, settings)

    ranked = retriever.rank(EX.Band, "How many members does NE have?")

    assert ranked[0].path.keys == ((EX.memberOf, True),)
    assert ranked[0].penalty == 0.0
    former = next(item for item in ranked if item.path.keys == ((EX.formerMemberOf, True),))
    assert former.penalty > 0


def test_kept_terms_ignore_earlier_question(embedder, settings):
    kg = _kg(BAND_TTL)
    retriever = PathRetriever(kg, embedder, settings)

    # The second ranking reuses the label terms kept from the first, which asked for former members.
    retriever.rank(EX.Band, "Who is a former member of NE?")
    ranked = retriever.rank(EX.Band, "How many members does NE have?")

    assert ranked[0].path.keys == ((EX.memberOf, True),)
    assert ranked[0].penalty == 0.0
    former = next(item for item in ranked if item.path.keys == ((EX.formerMemberOf, True),))
    assert former.penalty > 0


def test_relation_fit_prefers_fitting_sense(embedder, settings):
    kg = _kg(HOMOGRAPHS_TTL)
    retriever = PathRetriever(kg, embedder, settings)

    company = retriever.relation_fit(EX.JaguarCo, "Where is NE headquartered?")
    animal = retriever.relation_fit(EX.JaguarCat, "Where is NE headquartered?")

    assert 0.0 <= animal < company <= 1.0


def test_relation_fit_without_paths(embedder, settings):
    kg = _kg(HOMOGRAPHS_TTL)
    retriever = PathRetriever(kg, embedder, settings)

    assert retriever.relation_fit(EX.Nowhere, "Where is NE?") == 0.0


def test_scores_sorted_descending(embedder, settings):
    kg = _kg(BAND_TTL)
    retriever = PathRetriever(kg, embedder, settings)

    scores = [item.score for item in retriever.rank(EX.Band, "What genre does NE play?")]

    assert scores == sorted(scores, reverse=True)


COMPANY_TTL = """
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
ex:Acme rdfs:label "Acme" ; ex:chiefExecutive ex:Mira ; ex:formerChiefExecutive ex:Olaf ;
    ex:founder ex:Olaf .
ex:Mira rdfs:label "Mira Okafor" .
ex:Olaf rdfs:label "Olaf Berg" .
ex:chiefExecutive rdfs:label "chief executive" ; skos:altLabel "CEO" .
ex:formerChiefExecutive rdfs:label "former chief executive" ; skos:altLabel "former CEO" .
"""


def test_alias_wins_verbalization(embedder, settings):
    kg = _kg(COMPANY_TTL)
    retriever = PathRetriever(kg, embedder, settings)

    ranked = retriever.rank(EX.Acme, "Who is the CEO of NE?")

    assert ranked[0].path.keys == ((EX.chiefExecutive, False),)
    assert ranked[0].verbalization == "NE CEO"
    assert ranked[0].unexplained == ()


def test_unexplained_words_recorded(embedder, settings):
    kg = _kg(COMPANY_TTL)
    retriever = PathRetriever(kg, embedder, settings)

    ranked = retriever.rank(EX.Acme, "What is the revenue of NE?")

    assert all(scored.unexplained == ("revenue",) for scored in ranked)


@pytest.mark.parametrize(("question", "expected"), [
    ("Which band is NE a member of?", ((EX.memberOf, False),)),
    ("Who is a member together with NE?", ((EX.memberOf, False), (EX.memberOf, True))),
])
def test_repeated_relation_needs_asking(embedder, settings, question, expected):
    kg = _kg(BAND_TTL)
    retriever = PathRetriever(kg, embedder, settings)

    ranked = retriever.rank(EX.m1, question)

    assert ranked[0].path.keys == expected
