"""Reading question sets: MetaQA lines, JSON Lines, JSON arrays and CSV, and their errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgqa.errors import InvalidInput
from kgqa.evaluation.questions import EvalQuestion, hop_from_path, read_questions, remove_brackets


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_metaqa_lines_parse(tmp_path):
    path = write(tmp_path / "2-hop" / "vanilla" / "qa_test.txt",
                 "who directed the films of [Tom Hanks]\tTom Hanks|Ron Howard\n\n"
                 "what genre is [Up]\tAnimation\n")
    questions = read_questions(path)
    assert len(questions) == 2
    assert questions[0] == EvalQuestion(id="qa_test.txt:1", question="who directed the films of [Tom Hanks]",
                                        answers=("Tom Hanks", "Ron Howard"), topic="Tom Hanks", hop=2,
                                        line=1)
    assert questions[1].id == "qa_test.txt:3"
    assert questions[1].topic == "Up"


def test_metaqa_hop_option_wins(tmp_path):
    path = write(tmp_path / "1-hop" / "qa.txt", "what genre is [Up]\tAnimation\n")
    assert read_questions(path, hop=3)[0].hop == 3


def test_strip_brackets_keeps_text(tmp_path):
    path = write(tmp_path / "qa.txt", "what genre is [Up]\tAnimation\n")
    question = read_questions(path, strip_brackets=True)[0]
    assert question.question == "what genre is Up"
    assert question.topic == "Up"


def test_jsonl_parses_optional_fields(tmp_path):
    lines = [
        {"question": "What is the capital of France?", "answers": ["Paris"], "topic": "France",
         "category": "single-hop", "hop": 1, "id": "countries-1"},
        {"question": "Who is the president of France?", "answers": [], "category": "unanswerable"},
        {"question": "How many moons does Mars have?", "answers": 2},
    ]
    path = write(tmp_path / "set.jsonl", "\n".join(json.dumps(line) for line in lines) + "\n")
    first, unanswerable, count = read_questions(path)
    assert first == EvalQuestion(id="countries-1", question="What is the capital of France?",
                                 answers=("Paris",), topic="France", hop=1, category="single-hop", line=1)
    assert unanswerable.answers == ()
    assert unanswerable.id == "set.jsonl:2"
    assert unanswerable.topic is None
    assert count.answers == ("2",)


def test_json_array_parses(tmp_path):
    path = write(tmp_path / "set.json", json.dumps([{"question": "Q one?", "answers": ["A"]},
                                                    {"question": "Q two?", "answers": ["B", "C"]}]))
    questions = read_questions(path)
    assert [item.answers for item in questions] == [("A",), ("B", "C")]
    assert questions[1].line == 2


def test_csv_parses_answers_and_topic(tmp_path):
    path = write(tmp_path / "set.csv", "question,answers,topic,category\n"
                                       '"Who discovered radium, and when?",Marie Curie|Pierre Curie,radium,'
                                       "multi-hop\n"
                                       "What is the melting point of iron?,,,unanswerable\n")
    first, second = read_questions(path)
    assert first.question == "Who discovered radium, and when?"
    assert first.answers == ("Marie Curie", "Pierre Curie")
    assert first.topic == "radium"
    assert first.category == "multi-hop"
    assert first.line == 2
    assert second.answers == ()
    assert second.topic is None


@pytest.mark.parametrize(("name", "text", "line", "problem"), [
    ("qa.txt", "what genre is [Up]\tAnimation\nwhat genre is [Heat] Crime\n", 2, "no tab"),
    ("qa.txt", "what genre is [Up]\t\n", 1, "no answers"),
    ("set.jsonl", '{"question": "Q?", "answers": ["A"]}\n{"question": "Q?", "answers": [}\n', 2,
     "invalid JSON"),
    ("set.jsonl", '{"question": "Q?", "answers": ["A"]}\n\n["Q?", "A"]\n', 3, "instead of an object"),
    ("set.jsonl", '{"answers": ["A"]}\n', 1, "question"),
    ("set.jsonl", '{"question": "Q?", "answers": {"a": 1}}\n', 1, "answers"),
    ("set.jsonl", '{"question": "Q?", "answers": ["A"], "hop": "two"}\n', 1, "hop"),
    ("set.csv", "question,gold\nQ?,A\n", 1, "answers"),
    ("set.csv", "question,answers,colour\nQ?,A,red\n", 1, "colour"),
    ("set.csv", "question,answers\nQ?,A\nQ2?,B,extra\n", 3, "more fields"),
    ("set.csv", "question,answers\n,A\n", 2, "question"),
])
def test_parse_error_names_line(tmp_path, name, text, line, problem):
    path = write(tmp_path / name, text)
    with pytest.raises(InvalidInput, match=problem) as raised:
        read_questions(path)
    assert f"line {line}:" in raised.value.message
    assert str(path) in raised.value.message
    assert raised.value.details["line"] == line


def test_repeated_id_rejected(tmp_path):
    path = write(tmp_path / "set.jsonl", '{"id": "q1", "question": "A?", "answers": ["a"]}\n'
                                         '{"id": "q1", "question": "B?", "answers": ["b"]}\n')
    with pytest.raises(InvalidInput, match="repeats line 1"):
        read_questions(path)


def test_empty_file_rejected(tmp_path):
    with pytest.raises(InvalidInput, match="No questions"):
        read_questions(write(tmp_path / "set.jsonl", "\n\n"))


def test_missing_file_rejected(tmp_path):
    with pytest.raises(InvalidInput, match="Cannot read question file"):
        read_questions(tmp_path / "absent.jsonl")


@pytest.mark.parametrize(("path", "hop"), [
    ("metaqa/3-hop/vanilla/qa_test.txt", 3),
    ("metaqa/1-hop/qa_dev.txt", 1),
    ("metaqa/qa_test.txt", None),
    ("2-hop.txt", None),
])
def test_hop_from_path_table(path, hop):
    assert hop_from_path(Path(path)) == hop


def test_remove_brackets_all_topics():
    assert remove_brackets("is [Up] older than [Heat]") == "is Up older than Heat"
