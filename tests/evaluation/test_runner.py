"""Running an evaluation over the bundled companies graph: records, scoring, resuming, errors."""

from __future__ import annotations

import json

import pytest
from fixed_reply import FixedReply

from kgqa.errors import GraphNotFound, InvalidInput
from kgqa.evaluation.questions import EvalQuestion, read_questions
from kgqa.evaluation.runner import RESULTS_FILE, EvalConfig, EvalRunner, default_topics, select_questions
from kgqa.verification import AnswerModes


def run(engine, questions_path, out_dir, questions=None, **options):
    config = EvalConfig(questions_file=str(questions_path), graph="companies", **options)
    chosen = questions if questions is not None else read_questions(questions_path)
    return EvalRunner(engine, config, out_dir).run(chosen, progress=False)


def result_lines(out_dir) -> list[dict]:
    return [json.loads(line) for line in (out_dir / RESULTS_FILE).read_text(encoding="utf-8").splitlines()]


def test_graph_records_scored(bundled_engine, companies_set, tmp_path):
    records = {record["id"]: record for record in run(bundled_engine, companies_set, tmp_path / "out")}
    ceo = records["ceo"]["modes"]["graph"]
    revenue = records["revenue"]["modes"]["graph"]
    assert ceo["answers"] == ["Sundar Pichai"]
    assert ceo["hits_at_1"] == 1.0
    assert ceo["f1"] == 1.0
    assert ceo["evidence"][0]["object"]["label"] == "Sundar Pichai"
    assert ceo["latency_ms"] > 0
    assert sorted(records["former"]["modes"]["graph"]["answers"]) == ["Eric Schmidt", "Larry Page"]
    assert records["founders"]["modes"]["graph"]["answers"] == ["5"]
    assert revenue["abstained"] is True
    assert revenue["hits_at_1"] == 1.0


def test_given_topic_recorded(bundled_engine, companies_set, tmp_path):
    record = run(bundled_engine, companies_set, tmp_path / "out")[0]
    assert record["linked"] == ["Google"]
    assert record["topic_linked"] is None


def test_linked_topics_scored(bundled_engine, companies_set, tmp_path):
    records = run(bundled_engine, companies_set, tmp_path / "out", topics="linked")
    assert [record["topic_linked"] for record in records] == [True, True, True, None]
    assert records[0]["topic_linked_alone"] is True
    assert records[3]["topic_linked_alone"] is None


def test_resume_skips_answered(bundled_engine, companies_set, tmp_path):
    out_dir = tmp_path / "out"
    questions = read_questions(companies_set)
    run(bundled_engine, companies_set, out_dir, select_questions(questions, limit=2))
    first_lines = (out_dir / RESULTS_FILE).read_text(encoding="utf-8").splitlines()

    records = run(bundled_engine, companies_set, out_dir)
    lines = (out_dir / RESULTS_FILE).read_text(encoding="utf-8").splitlines()
    assert [record["id"] for record in records] == ["ceo", "former", "founders", "revenue"]
    assert len(lines) == 4
    assert lines[:2] == first_lines


def test_resume_drops_partial_line(bundled_engine, companies_set, tmp_path):
    out_dir = tmp_path / "out"
    run(bundled_engine, companies_set, out_dir)
    results = out_dir / RESULTS_FILE
    text = results.read_text(encoding="utf-8")
    # A process killed in the middle of writing the last record leaves half a line.
    results.write_text(text[:len(text) - len(text.splitlines()[-1]) // 2 - 1], encoding="utf-8")

    records = run(bundled_engine, companies_set, out_dir)
    ids = [line["id"] for line in result_lines(out_dir)]
    assert sorted(ids) == ["ceo", "former", "founders", "revenue"]
    assert len(records) == 4
    assert results.read_text(encoding="utf-8").endswith("\n")


def test_corrupt_line_rejected(bundled_engine, companies_set, tmp_path):
    out_dir = tmp_path / "out"
    run(bundled_engine, companies_set, out_dir)
    results = out_dir / RESULTS_FILE
    lines = results.read_text(encoding="utf-8").splitlines()
    results.write_text("\n".join([lines[0], "not json", *lines[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="line 2: not a result record"):
        run(bundled_engine, companies_set, out_dir)


def test_changed_settings_rejected(bundled_engine, companies_set, tmp_path):
    out_dir = tmp_path / "out"
    run(bundled_engine, companies_set, out_dir)
    with pytest.raises(InvalidInput, match=r"other settings \(topics\)") as raised:
        run(bundled_engine, companies_set, out_dir, topics="linked")
    assert "another --out folder" in raised.value.message


def test_unknown_graph_raises(bundled_engine, companies_set, tmp_path):
    config = EvalConfig(questions_file=str(companies_set), graph="atlantis")
    with pytest.raises(GraphNotFound, match="atlantis"):
        EvalRunner(bundled_engine, config, tmp_path / "out").run(read_questions(companies_set),
                                                                 progress=False)


def test_unknown_topic_recorded_as_error(bundled_engine, companies_set, tmp_path):
    question = EvalQuestion(id="lost", question="Who is the CEO of Atlantis?", answers=("Poseidon",),
                            topic="Atlantis")
    record = run(bundled_engine, companies_set, tmp_path / "out", questions=[question])[0]
    graph = record["modes"]["graph"]
    assert "'Atlantis'" in graph["error"]
    assert graph["hits_at_1"] == 0.0
    assert graph["f1"] == 0.0


@pytest.mark.parametrize(("options", "problem"), [
    ({"modes": ()}, "Invalid modes"),
    ({"modes": ("graph", "oracle")}, "Invalid modes"),
    ({"topics": "guessed"}, "Invalid topic handling"),
])
def test_invalid_config_rejected(options, problem):
    with pytest.raises(InvalidInput, match=problem):
        EvalConfig(questions_file="set.jsonl", graph="companies", **options)


def test_sample_is_seeded_and_shuffled():
    questions = [EvalQuestion(id=str(number), question=f"Q{number}?", answers=("a",)) for number in range(50)]
    first = select_questions(questions, sample=10, seed=7)
    again = select_questions(questions, sample=10, seed=7)
    other = select_questions(questions, sample=10, seed=8)
    assert first == again
    assert first != other
    assert select_questions(questions, sample=10, seed=7, limit=3) == first[:3]


def test_limited_sample_spans_the_file():
    # Grouped like MetaQA: the first half of the file is one question type, the second half another.
    questions = [EvalQuestion(id=str(number), question=f"Q{number}?", answers=("a",))
                 for number in range(1000)]
    limited = select_questions(questions, sample=300, seed=42, limit=100)
    assert any(int(item.id) < 500 for item in limited)
    assert any(int(item.id) >= 500 for item in limited)


def test_contradicted_generated_answer_scored(bundled_engine, companies_set, tmp_path):
    modes = AnswerModes(bundled_engine, lambda: FixedReply("The CEO of Google is Tim Cook."))
    config = EvalConfig(questions_file=str(companies_set), graph="companies", modes=("graph", "ungrounded"))
    question = read_questions(companies_set)[:1]
    record = EvalRunner(bundled_engine, config, tmp_path / "out", modes).run(question, progress=False)[0]
    ungrounded = record["modes"]["ungrounded"]
    assert ungrounded["verdict"] == "contradicted"
    assert ungrounded["hits_at_1"] == 0.0
    assert ungrounded["abstained"] is False
    assert ungrounded["claims"].get("contradicted", 0) >= 1
    assert record["modes"]["graph"]["hits_at_1"] == 1.0


def test_grounded_with_embedded_model(bundled_engine, companies_set, tmp_path):
    from kgqa.generation.embedded import EmbeddedGenerator

    generator = EmbeddedGenerator(context_tokens=2048, max_tokens=48)
    modes = AnswerModes(bundled_engine, lambda: generator, answer_tokens=48)
    config = EvalConfig(questions_file=str(companies_set), graph="companies", modes=("grounded",))
    questions = [item for item in read_questions(companies_set) if item.id in ("ceo", "revenue")]
    records = EvalRunner(bundled_engine, config, tmp_path / "out", modes).run(questions, progress=False)
    ceo, revenue = (record["modes"]["grounded"] for record in records)
    # Grounded mode keeps the model's text only when the graph supports it, else states the facts.
    assert ceo["hits_at_1"] == 1.0
    assert ceo["verdict"] in ("supported", "partly_supported")
    assert revenue["abstained"] is True
    assert revenue["hits_at_1"] == 1.0


@pytest.mark.parametrize(("path", "strip", "expected"), [
    ("metaqa/1-hop/vanilla/qa_test.txt", False, "given"),
    ("metaqa/1-hop/vanilla/qa_test.txt", True, "linked"),
    ("eval/countries.jsonl", False, "linked"),
    ("set.JSON", False, "linked"),
    ("set.csv", False, "linked"),
])
def test_default_topics_table(path, strip, expected):
    assert default_topics(path, strip) == expected
