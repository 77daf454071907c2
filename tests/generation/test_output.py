"""Parsing model replies: JSON in fences and after preambles, prose, loops, truncation, empty output."""

from __future__ import annotations

import pytest

from kgqa.generation.base import Generation
from kgqa.generation.output import PROBLEMS, collapse_repetition, parse_answer

ROSA_HOMEPAGE = "https://rosa.example.org/"


def test_case_file_has_four_replies(raw_replies):
    assert sorted(raw_replies) == ["A", "B", "C", "D"]


@pytest.mark.parametrize("letter", ["A", "B"])
def test_case_json_replies_yield_homepage(raw_replies, letter):
    parsed = parse_answer(raw_replies[letter])
    assert parsed.answer_text == ROSA_HOMEPAGE
    assert parsed.data == {"answer": ROSA_HOMEPAGE}
    assert parsed.problems == []


def test_case_prose_reply_yields_homepage(raw_replies):
    parsed = parse_answer(raw_replies["C"])
    assert ROSA_HOMEPAGE in parsed.answer_text
    assert "<" not in parsed.answer_text
    assert parsed.answer_text == f"Rosa Delgado's homepage is {ROSA_HOMEPAGE}."
    assert parsed.data is None
    assert parsed.problems == []


def test_case_empty_reply_flagged(raw_replies):
    parsed = parse_answer(raw_replies["D"])
    assert parsed.answer_text == ""
    assert parsed.data is None
    assert parsed.problems == ["empty"]


@pytest.mark.parametrize(
    ("reply", "answer_text", "data", "problems"),
    [
        pytest.param('```json\n{"answer": "Paris"}\n```', "Paris", {"answer": "Paris"}, [],
                     id="fence-with-language"),
        pytest.param('```\n{"answer": "Paris"}\n```', "Paris", {"answer": "Paris"}, [],
                     id="fence-without-language"),
        pytest.param('```JSON\n{"answer": "Paris"}\n```\nThat is all.', "Paris", {"answer": "Paris"}, [],
                     id="fence-with-trailing-text"),
        pytest.param('Sure! Here is the answer: {"answer": "Paris"}', "Paris", {"answer": "Paris"}, [],
                     id="chatty-preamble"),
        pytest.param('Note {x} first. {"answer": "Paris"} Bye.', "Paris", {"answer": "Paris"}, [],
                     id="stray-brace-before-json"),
        pytest.param('{"answer": "a {b} \\"c}\\"", "n": {"m": [1, 2]}}', 'a {b} "c}"',
                     {"answer": 'a {b} "c}"', "n": {"m": [1, 2]}}, [], id="braces-inside-strings"),
        pytest.param('{"answer": "Paris",}', "Paris", {"answer": "Paris"}, [], id="trailing-comma"),
        pytest.param("{'answer': 'Paris'}", "Paris", {"answer": "Paris"}, [], id="python-dict-quotes"),
        pytest.param('{"Answer": ["Paris", "Lyon"]}', "Paris; Lyon", {"Answer": ["Paris", "Lyon"]}, [],
                     id="list-answer-any-case"),
        pytest.param('{"capital": "Paris"}', "Paris", {"capital": "Paris"}, [], id="single-field-object"),
        pytest.param('{"capital": "Paris", "country": "France"}', "",
                     {"capital": "Paris", "country": "France"}, ["no_answer_field", "empty"],
                     id="no-answer-field"),
        pytest.param('{"answer": null}', "", {"answer": None}, ["empty"], id="null-answer"),
        pytest.param('{"answer": "https://rosa.exa', "https://rosa.exa", {"answer": "https://rosa.exa"},
                     ["unterminated_json"], id="truncated-inside-string"),
        pytest.param('{"answer": "Paris", "source": {"graph": "geo", "note": "from', "Paris",
                     {"answer": "Paris", "source": {"graph": "geo", "note": "from"}},
                     ["unterminated_json"], id="truncated-nested-object"),
        pytest.param('{"answer": "Paris", "evidence": ["a", ', "Paris",
                     {"answer": "Paris", "evidence": ["a"]}, ["unterminated_json"],
                     id="truncated-after-comma"),
        pytest.param('Here you go: {"answer": ', "Here you go:", None, ["invalid_json"],
                     id="truncated-before-value"),
        pytest.param("Rosa's homepage is <https://rosa.example.org/>.",
                     "Rosa's homepage is https://rosa.example.org/.", None, [], id="prose-angle-url"),
        pytest.param("Answer: **Paris**", "Paris", None, [], id="answer-label-and-bold"),
        pytest.param("Certainly! The answer is Paris.\n\nI hope this helps! Let me know if you need more.",
                     "Paris.", None, [], id="preamble-and-closing"),
        pytest.param("OK Computer is an album.", "OK Computer is an album.", None, [],
                     id="interjection-word-kept"),
        pytest.param('"Paris"', "Paris", None, [], id="quoted-prose"),
        pytest.param("```\nParis\n```", "Paris", None, [], id="fenced-prose"),
        pytest.param("<|im_start|>assistant\nParis<|im_end|>", "Paris", None, [], id="template-tokens"),
        pytest.param("", "", None, ["empty"], id="empty"),
        pytest.param("  \n\t", "", None, ["empty"], id="whitespace-only"),
        pytest.param("Sure!", "", None, ["empty"], id="boilerplate-only"),
        pytest.param("Paris the the the the the the", "Paris the", None, ["repetition"],
                     id="word-loop"),
        pytest.param("Paris is the capital. Paris is the capital. Paris is the capital.",
                     "Paris is the capital.", None, ["repetition"], id="sentence-loop"),
        pytest.param("It is Paris. It is Paris. It is Par", "It is Paris.", None, ["repetition"],
                     id="loop-cut-mid-copy"),
        pytest.param('{"answer": "Paris Paris Paris Paris"}', "Paris", {"answer": "Paris Paris Paris Paris"},
                     ["repetition"], id="loop-inside-json"),
        pytest.param("New York, New York", "New York, New York", None, [], id="two-copies-kept"),
    ],
)
def test_reply_shapes(reply, answer_text, data, problems):
    parsed = parse_answer(reply)
    assert parsed.answer_text == answer_text
    assert parsed.data == data
    assert parsed.problems == problems


def test_length_finish_flags_truncation():
    generation = Generation('{"answer": "Par', "length", prompt_tokens=20, completion_tokens=4,
                            elapsed_s=0.1, model="test")
    parsed = parse_answer(generation)
    assert parsed.answer_text == "Par"
    assert parsed.problems == ["truncated", "unterminated_json"]


def test_stop_finish_not_truncated():
    generation = Generation("Paris", "stop", prompt_tokens=20, completion_tokens=1, elapsed_s=0.1,
                            model="test")
    assert parse_answer(generation).problems == []


def test_problem_codes_documented():
    replies = ["", '{"a": 1, "b": 2}', '{"answer": "x', "x x x x", '{"answer": ']
    found = {code for reply in replies for code in parse_answer(reply).problems}
    assert found <= set(PROBLEMS)
    assert {"empty", "no_answer_field", "unterminated_json", "repetition", "invalid_json"} <= found


@pytest.mark.parametrize(
    "reply",
    [
        "{" * 5000,
        "}" * 5000 + "{",
        '{"a": ' * 3000,
        "[" * 5000 + "]" * 5000,
        "{" + '"x": [' * 2000,
        "\\" * 100 + '"{',
        "\x00\ufffd{\ud800}",
    ],
    ids=["open-braces", "close-braces", "deep-keys", "deep-lists", "deep-truncated", "backslashes",
         "odd-characters"],
)
def test_hostile_shapes_never_raise(reply):
    parsed = parse_answer(reply)
    assert isinstance(parsed.answer_text, str)


def test_long_loop_collapses_fast():
    text = "The capital of France is Paris. " * 400
    collapsed, looped = collapse_repetition(text)
    assert looped
    assert collapsed.strip() == "The capital of France is Paris."


def test_collapse_keeps_other_whitespace():
    collapsed, looped = collapse_repetition("Line one.\n\nno no no no\n  end")
    assert looped
    assert collapsed == "Line one.\n\nno\n  end"
