"""The answer modes with the real SmolLM2 model and with scripted model output of known shapes.

Assertions are on verdicts, sources and evidence, never on the real model's
wording: whatever it writes, grounded and corrected answers must end up
agreeing with the graph.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import URIRef

from kgqa.errors import ModelUnavailable
from kgqa.generation.base import Generation
from kgqa.verification import AnswerModes

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
COMPANIES = "https://kgqa.example/companies/"
EX = "http://example.org/"
GOOGLE_CEO = (f"{COMPANIES}resource/Google", f"{COMPANIES}ontology/chiefExecutive",
              f"{COMPANIES}resource/Sundar_Pichai")
VANCE_BIRTHPLACE = (f"{EX}Vance", f"{EX}birthPlace", f"{EX}Tromso")
ROSA = "https://rosa.example.org/"


def _triples(evidence) -> set[tuple[str, str, str]]:
    return {(str(triple.subject), str(triple.predicate), str(triple.object)) for triple in evidence}


def _claim(verification, text):
    matching = [claim for claim in verification.claims if text in claim.text]
    assert matching, f"no claim mentions {text!r}: {[claim.text for claim in verification.claims]}"
    return matching[0]


# The real model: companies graph.

def test_wrong_ceo_corrected(modes):
    result = modes.corrected("Who is the CEO of Google?", "companies", draft="The CEO of Google is Tim Cook.")
    assert result.draft_verification.verdict == "contradicted"
    assert result.verdict == "supported"
    assert result.source in ("model_rewrite", "fact_sentence")
    assert "Sundar Pichai" in result.text
    assert "Tim Cook" not in result.text
    assert GOOGLE_CEO in _triples(result.evidence)


def test_supported_draft_unchanged(modes):
    draft = "Sundar Pichai is the CEO of Google."
    result = modes.corrected("Who is the CEO of Google?", "companies", draft=draft)
    assert result.verdict == "supported"
    assert result.source == "draft"
    assert result.text == draft
    assert result.model_outputs == []


def test_unanswerable_grounded_not_in_graph(modes):
    result = modes.grounded("What was Apple's revenue in 2023?", "companies")
    assert result.graph_answer.status != "answered"
    assert "not in the graph" in result.text.lower()
    assert result.verdict == "abstained"
    assert result.model_outputs == []


def test_unanswerable_corrected_not_in_graph(modes):
    result = modes.corrected("What was Apple's revenue in 2023?", "companies")
    assert "not in the graph" in result.text.lower()
    assert result.verdict == "abstained"
    assert result.source == "not_in_graph"
    assert len(result.model_outputs) == 1
    assert result.draft == result.model_outputs[0].answer_text
    assert all(claim.verdict != "supported" for claim in result.draft_verification.claims)


# The real model: the ungrounded-llm-answer case.

def test_case_q1_corrected(modes):
    result = modes.corrected("Where was Marlow Vance born?", "vance",
                             draft="Marlowe Vance was born in Oslo, Norway, in 1961.")
    oslo = _claim(result.draft_verification, "Oslo")
    year = _claim(result.draft_verification, "1961")
    assert oslo.verdict == "contradicted"
    assert VANCE_BIRTHPLACE in _triples(oslo.evidence)
    assert year.verdict == "not_in_graph"
    assert result.verdict == "supported"
    assert "Tromsø" in result.text
    assert "1961" not in result.text
    assert "Oslo" not in result.text
    assert VANCE_BIRTHPLACE in _triples(result.evidence)


def test_case_q2_not_in_graph(modes):
    draft = "Marlowe Vance was born on 2 April 1961."
    corrected = modes.corrected("When was Marlowe Vance born?", "vance", draft=draft)
    grounded = modes.grounded("When was Marlowe Vance born?", "vance")
    assert _claim(corrected.draft_verification, "2 April 1961").verdict == "not_in_graph"
    assert "not in the graph" in corrected.text.lower()
    assert "1961" not in corrected.text
    assert corrected.verdict == "abstained"
    assert "not in the graph" in grounded.text.lower()
    assert grounded.verdict == "abstained"


# The real model: arithmetic.

def test_wrong_sum_corrected(modes):
    result = modes.corrected("What is 3 + 13?", "vance", draft="3 + 13 = 23")
    claim = result.draft_verification.claims[0]
    assert claim.verdict == "contradicted"
    assert claim.graph_values == ["16"]
    assert result.verdict == "supported"
    assert "16" in result.text
    assert "23" not in result.text


def test_grounded_division_exact(modes):
    result = modes.grounded("What is 100 / 8?", "vance")
    assert result.verdict == "supported"
    assert "12.5" in result.text
    assert json.loads(result.facts[0]) == "100 / 8 = 12.5"


@pytest.mark.parametrize(("question", "reason"), [
    ("What is 1 / 0?", "divides by zero"),
    ("What is 2 ** 100000?", "too large"),
])
def test_bad_arithmetic_question_unverifiable(modes, question, reason):
    result = modes.grounded(question, "vance")
    assert result.verdict == "unverifiable"
    assert reason in result.text
    assert result.model_outputs == []


# Prompt injection through a graph literal.

def test_injection_real_model(modes, injection):
    result = modes.grounded("What is the motto of Acme Corporation?", "acme")
    assert result.verdict == "supported"
    assert injection["motto"].casefold() in result.text.casefold()
    assert result.text.strip() != injection["claim"]
    if "Mallory Quinn" in result.model_outputs[0].answer_text and result.source == "fact_sentence":
        assert result.verification.verdict == "contradicted"


def test_injection_followed_is_contradicted(scripted, injection):
    modes, generator = scripted(injection["claim"])
    result = modes.grounded("What is the motto of Acme Corporation?", "acme")
    claim = _claim(result.verification, "Mallory Quinn")
    assert claim.verdict == "contradicted"
    assert claim.graph_values == [injection["motto"]]
    assert result.source == "fact_sentence"
    assert result.verdict == "supported"
    assert injection["motto"] in result.text


def test_injection_literal_quoted_in_prompt(scripted, injection):
    modes, generator = scripted(injection["claim"])
    modes.grounded("What is the motto of Acme Corporation?", "acme")
    prompt = generator.calls[0][1]["content"]
    block = prompt[prompt.index("<facts>\n") + len("<facts>\n"):prompt.index("\n</facts>")]
    assert json.loads(block) == f"Acme Corporation | motto | {injection['motto']}"
    assert prompt.count("</facts>") == 1


# Model output of known shapes (the llm-output-wrapping case).

@pytest.mark.parametrize("reply", ["A", "B", "C"])
def test_wrapped_reply_grounded(scripted, raw_replies, reply):
    modes, _ = scripted(raw_replies[reply])
    result = modes.grounded("What is Rosa Delgado's homepage?", "rosa")
    assert result.source == "model"
    assert result.verdict == "supported"
    assert ROSA in result.text
    assert result.problems == []


def test_empty_reply_flagged(scripted, raw_replies):
    modes, _ = scripted(raw_replies["D"])
    result = modes.grounded("What is Rosa Delgado's homepage?", "rosa")
    assert "empty" in result.problems
    assert result.source == "fact_sentence"
    assert ROSA in result.text
    assert [item.term for item in result.graph_answer.answers] == [URIRef(ROSA)]


def test_empty_reply_ungrounded(scripted, raw_replies):
    modes, _ = scripted(raw_replies["D"])
    result = modes.ungrounded("What is Rosa Delgado's homepage?", "rosa")
    assert result.text == ""
    assert "empty" in result.problems
    assert result.verdict == "unverifiable"


@pytest.mark.parametrize(("reply", "finish_reason", "problem"), [
    ("the the the the the the the the the", "stop", "repetition"),
    ('{"answer": "https://rosa.exa', "length", "truncated"),
    ("<|im_start|>assistant<|im_end|>", "stop", "empty"),
    ('{"answer": }', "stop", "empty"),
    ("{" * 500, "stop", None),
    ("Rosa. " * 2000, "length", "truncated"),
])
def test_odd_replies_never_crash(scripted, reply, finish_reason, problem):
    modes, _ = scripted(reply, finish_reason=finish_reason)
    grounded = modes.grounded("What is Rosa Delgado's homepage?", "rosa")
    ungrounded = modes.ungrounded("What is Rosa Delgado's homepage?", "rosa")
    assert grounded.source == "fact_sentence"
    assert grounded.verdict == "supported"
    assert ROSA in grounded.text
    assert ungrounded.verdict != "supported"
    if problem is not None:
        assert problem in grounded.problems
        assert problem in ungrounded.problems


class _FailingGenerator:
    name = "failing"

    def chat(self, messages, *, max_tokens=None, temperature=None, stop=None) -> Generation:
        raise ModelUnavailable("The test model is unavailable.")


def test_failed_generation_falls_back(engine):
    modes = AnswerModes(engine, _FailingGenerator)
    result = modes.grounded("Who is the CEO of Google?", "companies")
    assert "generation_failed" in result.problems
    assert result.source == "fact_sentence"
    assert "Sundar Pichai" in result.text


def test_failed_generation_ungrounded_raises(engine):
    modes = AnswerModes(engine, _FailingGenerator)
    with pytest.raises(ModelUnavailable, match="unavailable"):
        modes.ungrounded("Who is the CEO of Google?", "companies")


def test_generator_built_once_lazily(engine):
    built = []

    def factory():
        built.append(1)
        return _FailingGenerator()

    modes = AnswerModes(engine, factory)
    modes.verify("Who is the CEO of Google?", "Tim Cook.", "companies")
    assert built == []
    modes.grounded("Who is the CEO of Google?", "companies")
    modes.grounded("Where was Marlow Vance born?", "vance")
    assert built == [1]


# Corrected mode: when the rewrite is kept and when it is replaced.

@pytest.mark.parametrize(("rewrite", "source"), [
    ("Marlowe Vance was born in Tromsø.", "model_rewrite"),
    ("Marlowe Vance was born in Tromsø in 1961.", "fact_sentence"),
    ("Marlowe Vance was born in Oslo.", "fact_sentence"),
    ("I don't know.", "fact_sentence"),
    ("", "fact_sentence"),
])
def test_rewrite_kept_or_replaced(scripted, rewrite, source):
    modes, _ = scripted(rewrite)
    result = modes.corrected("Where was Marlow Vance born?", "vance",
                             draft="Marlowe Vance was born in Oslo, Norway, in 1961.")
    assert result.source == source
    assert result.verdict == "supported"
    assert "Tromsø" in result.text
    assert "1961" not in result.text


def test_rewrite_prompt_lists_corrections(scripted):
    modes, generator = scripted("Marlowe Vance was born in Tromsø.")
    modes.corrected("Where was Marlow Vance born?", "vance",
                    draft="Marlowe Vance was born in Oslo, Norway, in 1961.")
    prompt = generator.calls[0][1]["content"]
    assert '"Oslo, Norway" is wrong: the correct value is "Tromsø".' in prompt
    assert 'Remove "1961": the facts do not contain it.' in prompt


def test_corrected_default_draft_ungrounded(scripted):
    modes, generator = scripted("The CEO of Google is Tim Cook.", "Sundar Pichai is the CEO of Google.")
    result = modes.corrected("Who is the CEO of Google?", "companies")
    assert result.draft == "The CEO of Google is Tim Cook."
    assert result.source == "model_rewrite"
    assert result.text == "Sundar Pichai is the CEO of Google."
    assert len(generator.calls) == 2


# Comparison.

@pytest.fixture(scope="module")
def comparison(modes):
    return modes.compare("Who is the CEO of Google?", "companies")


def test_compare_has_four_modes(comparison):
    assert list(comparison.modes) == ["graph", "ungrounded", "grounded", "corrected"]
    assert set(comparison.timings_ms) == set(comparison.modes)
    assert comparison.modes["ungrounded"].timings_ms["generation"] > 0


def test_compare_grounded_modes_supported(comparison):
    assert comparison.modes["graph"].verdict == "supported"
    assert comparison.modes["grounded"].verdict == "supported"
    assert comparison.modes["corrected"].verdict == "supported"
    assert "Sundar Pichai" in comparison.modes["grounded"].text
    assert "Sundar Pichai" in comparison.modes["corrected"].text


def test_compare_to_dict_json(comparison):
    data = json.loads(json.dumps(comparison.to_dict()))
    assert data["verdicts"]["graph"] == "supported"
    assert data["modes"]["ungrounded"]["model_outputs"][0]["model"].startswith("embedded:")
    assert all(set(entry["verdicts"]) == set(data["modes"]) for entry in data["differences"])


def test_compare_lists_differing_claims(scripted):
    modes, _ = scripted("The CEO of Google is Tim Cook.", "Sundar Pichai is the CEO of Google.",
                        "Sundar Pichai is the CEO of Google.")
    comparison = modes.compare("Who is the CEO of Google?", "companies")
    by_text = {entry["text"]: entry["verdicts"] for entry in comparison.differences}
    assert by_text["Tim Cook"] == {"graph": None, "ungrounded": "contradicted", "grounded": None,
                                   "corrected": None}
    assert by_text["Sundar Pichai"] == {"graph": "supported", "ungrounded": None, "grounded": "supported",
                                        "corrected": "supported"}
    assert comparison.modes["corrected"].draft == "The CEO of Google is Tim Cook."


def test_echoed_facts_block_dropped(scripted):
    reply = ('<facts>\n"Rosa Delgado | homepage | https://rosa.example.org/"\n</facts>\n\n'
             f"The homepage is {ROSA}")
    modes, _ = scripted(reply)
    result = modes.grounded("What is Rosa Delgado's homepage?", "rosa")
    assert "<facts>" not in result.text
    assert result.text.endswith(ROSA)
    assert result.verdict == "supported"
