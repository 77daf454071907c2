"""Tests of disambiguation: relation fit, case, context similarity and degree, in that order."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from kgqa.linking.disambiguation import Disambiguator, Sense

EX = "http://example.org/"

HOMOGRAPHS = """
ex:JaguarCo rdfs:label "Jaguar" ; a ex:Company ; ex:headquarters ex:Coventry .
ex:JaguarCat rdfs:label "jaguar" ; a ex:Species ; ex:diet "carnivore" .
ex:Coventry rdfs:label "Coventry" .
ex:MercuryPlanet rdfs:label "Mercury" ; ex:orbits ex:Sun ; ex:moonCount 0 .
ex:MercuryElement rdfs:label "Mercury" ; ex:atomicNumber 80 ; ex:chemicalSymbol "Hg" .
ex:Sun rdfs:label "Sun" .
ex:HubBusy rdfs:label "Hub" ; ex:link ex:Coventry , ex:Sun , ex:JaguarCo .
ex:HubAlone rdfs:label "Hub" .
"""


def _senses(*names: str, case_match: str | None = None, label: str = "Jaguar") -> list[Sense]:
    return [Sense(URIRef(EX + name), label, 1.0, name == case_match) for name in names]


def _order(candidates) -> list[str]:
    return [str(candidate.entity).removeprefix(EX) for candidate in candidates]


def test_single_sense_keeps_match_score(make_kg):
    disambiguator = Disambiguator(make_kg(HOMOGRAPHS))

    ranked = disambiguator.rank([Sense(URIRef(EX + "Coventry"), "Coventry", 0.93)], "Where is NE?")

    assert _order(ranked) == ["Coventry"]
    assert ranked[0].score == pytest.approx(0.93)


def test_relation_fit_beats_case(make_kg, word_overlap_fit):
    kg = make_kg(HOMOGRAPHS)
    disambiguator = Disambiguator(kg, relation_fit=word_overlap_fit(kg))

    ranked = disambiguator.rank(_senses("JaguarCat", "JaguarCo", case_match="JaguarCat"),
                                "Where is NE headquartered?")

    assert _order(ranked) == ["JaguarCo", "JaguarCat"]


def test_case_decides_without_fit(make_kg, word_overlap_fit):
    kg = make_kg(HOMOGRAPHS)
    disambiguator = Disambiguator(kg, relation_fit=word_overlap_fit(kg))

    ranked = disambiguator.rank(_senses("JaguarCo", "JaguarCat", case_match="JaguarCat"),
                                "What does a NE eat?")

    assert _order(ranked) == ["JaguarCat", "JaguarCo"]


def test_scores_split_match_score(make_kg, word_overlap_fit):
    kg = make_kg(HOMOGRAPHS)
    disambiguator = Disambiguator(kg, relation_fit=word_overlap_fit(kg))

    ranked = disambiguator.rank(_senses("JaguarCo", "JaguarCat"), "Where is NE headquartered?")

    assert sum(candidate.score for candidate in ranked) == pytest.approx(1.0)
    assert ranked[0].score > 0.7


def test_degree_breaks_remaining_tie(make_kg):
    disambiguator = Disambiguator(make_kg(HOMOGRAPHS))

    ranked = disambiguator.rank(_senses("HubAlone", "HubBusy", label="Hub"), "Tell me about NE.")

    assert _order(ranked) == ["HubBusy", "HubAlone"]


def test_equal_evidence_splits_evenly(make_kg):
    disambiguator = Disambiguator(make_kg(HOMOGRAPHS))

    ranked = disambiguator.rank(_senses("Nowhere1", "Nowhere2", label="Nowhere"), "Where is NE?")

    assert ranked[0].score == pytest.approx(0.5)
    assert ranked[1].score == pytest.approx(0.5)


def test_context_similarity_with_embedder(make_kg, embedder):
    disambiguator = Disambiguator(make_kg(HOMOGRAPHS), embedder=embedder)
    senses = _senses("MercuryPlanet", "MercuryElement", label="Mercury")

    ranked = disambiguator.rank(senses, "Which star does NE orbit, and how many moons has it?")

    assert _order(ranked) == ["MercuryPlanet", "MercuryElement"]


def test_precomputed_vectors_rank_alike(make_kg, embedder):
    kg = make_kg(HOMOGRAPHS)
    senses = _senses("MercuryPlanet", "MercuryElement", label="Mercury")
    question = "Which star does NE orbit, and how many moons has it?"
    encoding = Disambiguator(kg, embedder=embedder)
    precomputed = Disambiguator(kg, embedder=embedder)
    entities = [sense.entity for sense in senses]
    precomputed.use_context_vectors(entities, encoding.context_vectors(entities))

    expected = encoding.rank(senses, question)
    ranked = precomputed.rank(senses, question)

    assert _order(ranked) == _order(expected) == ["MercuryPlanet", "MercuryElement"]
    assert [candidate.score for candidate in ranked] == pytest.approx(
        [candidate.score for candidate in expected], abs=1e-5)


def test_precomputed_vectors_are_used(make_kg, embedder):
    # Swapped vectors swap the context evidence, which shows the given rows are read.
    kg = make_kg(HOMOGRAPHS)
    senses = _senses("MercuryPlanet", "MercuryElement", label="Mercury")
    disambiguator = Disambiguator(kg, embedder=embedder)
    entities = [sense.entity for sense in senses]
    disambiguator.use_context_vectors(entities, disambiguator.context_vectors(entities[::-1]))

    ranked = disambiguator.rank(senses, "Which star does NE orbit, and how many moons has it?")

    assert _order(ranked) == ["MercuryElement", "MercuryPlanet"]


def test_context_text_lists_neighbours(make_kg):
    disambiguator = Disambiguator(make_kg(HOMOGRAPHS))

    text = disambiguator.context_text(URIRef(EX + "JaguarCo"))

    assert text.startswith("Jaguar: ")
    assert "headquarters Coventry" in text


@pytest.mark.parametrize("value", [3.0, -1.0, float("nan")])
def test_relation_fit_is_clipped(make_kg, value):
    disambiguator = Disambiguator(make_kg(HOMOGRAPHS), relation_fit=lambda entity, question: value)

    ranked = disambiguator.rank(_senses("JaguarCo", "JaguarCat"), "Where is NE?")

    assert 0.0 <= ranked[0].score <= 1.0
    assert sum(candidate.score for candidate in ranked) == pytest.approx(1.0)
