"""Drafts are checked against the graph: supported, contradicted with evidence, or not in the graph.

These tests give the draft directly, so no model runs; the model factory
fails the test if anything calls it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from rdflib import URIRef

from kgqa.errors import InvalidInput
from kgqa.generation.output import parse_answer
from kgqa.verification import AnswerModes

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
COMPANIES = "https://kgqa.example/companies/"
EX = "http://example.org/"


def _no_model():
    raise AssertionError("verification must not call the generative model")


@pytest.fixture(scope="module")
def checker(engine) -> AnswerModes:
    return AnswerModes(engine, _no_model)


def _triples(claim) -> set[tuple[str, str, str]]:
    return {(str(triple.subject), str(triple.predicate), str(triple.object)) for triple in claim.evidence}


def _claim(verification, text):
    matching = [claim for claim in verification.claims if text in claim.text]
    assert matching, f"no claim mentions {text!r}: {[claim.text for claim in verification.claims]}"
    return matching[0]


def _case_drafts() -> list[str]:
    lines = (CASES / "ungrounded-llm-answer" / "llm_draft.txt").read_text(encoding="utf-8").splitlines()
    return [line.split(":", 1)[1].strip() for line in lines if line.strip()]


def _case_questions() -> list[str]:
    lines = (CASES / "ungrounded-llm-answer" / "question.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()]


# Companies graph.

def test_wrong_ceo_contradicted(checker):
    verification = checker.verify("Who is the CEO of Google?", "The CEO of Google is Tim Cook.", "companies")
    claim = _claim(verification, "Tim Cook")
    assert verification.verdict == "contradicted"
    assert claim.verdict == "contradicted"
    assert claim.graph_values == ["Sundar Pichai"]
    assert (f"{COMPANIES}resource/Google", f"{COMPANIES}ontology/chiefExecutive",
            f"{COMPANIES}resource/Sundar_Pichai") in _triples(claim)


def test_right_ceo_supported(checker):
    verification = checker.verify("Who is the CEO of Google?", "Sundar Pichai is the CEO of Google.",
                                  "companies")
    claim = _claim(verification, "Sundar Pichai")
    assert verification.verdict == "supported"
    assert claim.verdict == "supported"
    assert claim.entity == URIRef(f"{COMPANIES}resource/Sundar_Pichai")


def test_other_person_contradicted(checker):
    # Larry Page is linked to Google (as founder), but as the CEO he competes with the answer.
    verification = checker.verify("Who is the CEO of Google?", "The CEO of Google is Larry Page.",
                                  "companies")
    assert verification.verdict == "contradicted"
    assert _claim(verification, "Larry Page").verdict == "contradicted"


@pytest.mark.parametrize(("draft", "verdict"), [
    ("Google was founded in 1998.", "supported"),
    ("Google was founded in 1998 by Larry Page.", "supported"),
    ("Google was founded in 1998 by Larry Page and Bill Gates.", "partly_supported"),
    ("Google was founded in 2004.", "contradicted"),
    ("Google was founded on 4 September 1998.", "unverifiable"),
])
def test_founding_year_drafts(checker, draft, verdict):
    verification = checker.verify("When was Google founded?", draft, "companies")
    assert verification.verdict == verdict


def test_finer_date_not_grounded(checker):
    verification = checker.verify("When was Google founded?", "Google was founded on 4 September 1998.",
                                  "companies")
    claim = _claim(verification, "4 September 1998")
    assert claim.verdict == "not_in_graph"
    assert claim.graph_values == ["1998"]
    assert "agrees as far as it goes" in claim.reason


def test_count_members_are_details(checker):
    draft = "Google has 3 founders: Larry Page, Sergey Brin and Bill Gates."
    verification = checker.verify("How many founders does Google have?", draft, "companies")
    assert verification.expected == ["2"]
    assert _claim(verification, "3").verdict == "contradicted"
    assert _claim(verification, "Larry Page").verdict == "supported"
    assert _claim(verification, "Larry Page").scope == "detail"
    assert _claim(verification, "Bill Gates").verdict == "not_in_graph"


def test_linked_detail_cites_triple(checker):
    verification = checker.verify("When was Google founded?", "Google was founded in 1998 by Larry Page.",
                                  "companies")
    claim = _claim(verification, "Larry Page")
    assert claim.scope == "detail"
    assert claim.verdict == "supported"
    assert (f"{COMPANIES}resource/Google", f"{COMPANIES}ontology/founder",
            f"{COMPANIES}resource/Larry_Page") in _triples(claim)


@pytest.mark.parametrize(("draft", "verdict"), [
    ("I don't know.", "abstained"),
    ("This is not in the graph.", "abstained"),
    ("I cannot answer that question.", "abstained"),
    ("I don't know, but it might be Tim Cook.", "contradicted"),
])
def test_abstentions_detected(checker, draft, verdict):
    verification = checker.verify("Who is the CEO of Google?", draft, "companies")
    assert verification.verdict == verdict


def test_unanswerable_question_claims(checker):
    verification = checker.verify("What was Apple's revenue in 2023?",
                                  "Apple's revenue in 2023 was $383 billion.", "companies")
    assert verification.graph_status != "answered"
    assert verification.verdict == "unverifiable"
    assert _claim(verification, "383 billion").verdict == "not_in_graph"
    assert all(claim.text != "2023" for claim in verification.claims)


# The ungrounded-llm-answer acceptance case.

def test_case_q1_oslo_contradicted(checker):
    question, draft = _case_questions()[0], _case_drafts()[0]
    verification = checker.verify(question, draft, "vance")
    oslo = _claim(verification, "Oslo")
    assert verification.verdict == "contradicted"
    assert oslo.verdict == "contradicted"
    assert oslo.graph_values == ["Tromsø"]
    assert (f"{EX}Vance", f"{EX}birthPlace", f"{EX}Tromso") in _triples(oslo)


def test_case_q1_year_unsupported(checker):
    question, draft = _case_questions()[0], _case_drafts()[0]
    verification = checker.verify(question, draft, "vance")
    year = _claim(verification, "1961")
    assert year.scope == "detail"
    assert year.verdict == "not_in_graph"
    assert year in verification.unsupported_details


def test_case_q1_typo_links(checker):
    question, draft = _case_questions()[0], _case_drafts()[0]
    verification = checker.verify(question, draft, "vance")
    assert "Marlow Vance" in question
    assert verification.expected == ["Tromsø"]
    assert all("Marlowe" not in claim.text for claim in verification.claims)


def test_case_q2_date_not_in_graph(checker):
    question, draft = _case_questions()[1], _case_drafts()[1]
    verification = checker.verify(question, draft, "vance")
    date = _claim(verification, "2 April 1961")
    assert verification.graph_status == "not_in_graph"
    assert verification.verdict == "unverifiable"
    assert date.verdict == "not_in_graph"
    assert verification.expected == []


# Arithmetic.

@pytest.mark.parametrize(("question", "draft", "verdict", "graph_values"), [
    ("What is 3 + 13?", "3 + 13 = 23", "contradicted", ["16"]),
    ("What is 3 + 13?", "3 + 13 = 16", "supported", ["16"]),
    ("What is 3 + 13?", "The answer is 23.", "contradicted", ["16"]),
    ("What is 3 + 13?", "The answer is 16.", "supported", ["16"]),
    ("What is 12 times 4?", "12 times 4 is 48.", "supported", ["48"]),
    ("What is 100 / 8?", "It is 12.5.", "supported", ["12.5"]),
    ("What is 100 / 8?", "It is 12.", "contradicted", ["12.5"]),
    ("Who is the CEO of Google?", "Sundar Pichai. Also 3 + 13 = 23.", "contradicted", ["16"]),
])
def test_arithmetic_claims_checked(checker, question, draft, verdict, graph_values):
    verification = checker.verify(question, draft, "companies")
    checked = [claim for claim in verification.claims if claim.graph_values]
    assert verification.verdict == verdict
    assert checked[-1].graph_values == graph_values


@pytest.mark.parametrize(("draft", "reason"), [
    ("1 / 0 = 5", "divides by zero"),
    ("2 ** 100000 = 5", "too large"),
    ("10 ** 10 ** 10 = 1", "too large"),
])
def test_bad_arithmetic_unverifiable(checker, draft, reason):
    started = time.perf_counter()
    verification = checker.verify("Is this sum right?", draft, "companies")
    claim = verification.claims[0]
    assert time.perf_counter() - started < 5.0
    assert claim.verdict == "unverifiable"
    assert reason in claim.reason
    assert verification.verdict == "unverifiable"


def test_arithmetic_question_without_graph(tmp_path, embedder):
    from kgqa.answering.engine import Engine
    from kgqa.settings import Settings

    engine = Engine(Settings(environ={}, data_dir=str(tmp_path / "empty")))
    engine._embedder = embedder
    verification = AnswerModes(engine, _no_model).verify("What is 3 + 13?", "3 + 13 = 23")
    assert verification.verdict == "contradicted"
    assert verification.expected == ["16"]
    assert verification.graph is None


# Output shapes of the llm-output-wrapping case, parsed as the modes parse model replies.

def test_case_has_four_replies(raw_replies):
    assert sorted(raw_replies) == ["A", "B", "C", "D"]


@pytest.mark.parametrize("reply", ["A", "B", "C"])
def test_wrapped_replies_supported(checker, raw_replies, reply):
    draft = parse_answer(raw_replies[reply]).answer_text
    verification = checker.verify("What is Rosa Delgado's homepage?", draft, "rosa")
    assert "https://rosa.example.org/" in draft
    assert verification.verdict == "supported"
    assert _claim(verification, "https://rosa.example.org").kind == "url"


# Input checks and output shape.

@pytest.mark.parametrize("draft", ["", "   ", None, 42])
def test_bad_draft_rejected(checker, draft):
    with pytest.raises(InvalidInput, match="draft must be a non-empty string"):
        checker.verify("Who is the CEO of Google?", draft, "companies")


def test_long_draft_rejected(checker):
    with pytest.raises(InvalidInput, match="The draft has"):
        checker.verify("Who is the CEO of Google?", "Tim Cook. " * 400, "companies")


def test_verification_to_dict_json(checker):
    verification = checker.verify("Who is the CEO of Google?", "The CEO of Google is Tim Cook.", "companies")
    data = json.loads(json.dumps(verification.to_dict()))
    assert data["verdict"] == "contradicted"
    assert data["claims"][0]["verdict"] == "contradicted"
    assert data["claims"][0]["evidence"][0]["object"]["label"] == "Sundar Pichai"
