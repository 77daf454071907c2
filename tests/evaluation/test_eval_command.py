"""``kgqa eval`` end to end through click's runner, on the bundled companies graph."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kgqa.cli import cli


@pytest.fixture
def invoke(bundled_engine, embedder, monkeypatch):
    """Run a kgqa command on the bundled engine's store, sharing the session's embedding model."""
    monkeypatch.setattr("kgqa.embedding.Embedder", lambda *args, **kwargs: embedder)

    def run(*args: str, data_dir=None):
        data_dir = data_dir or bundled_engine.settings.data_path
        return CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args])

    return run


def evaluate(invoke, questions, out_dir, *options: str):
    return invoke("eval", str(questions), "--graph", "companies", "--out", str(out_dir), "--no-progress",
                  *options)


def read_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_eval_writes_report(invoke, companies_set, tmp_path):
    out_dir = tmp_path / "out"
    result = evaluate(invoke, companies_set, out_dir)
    assert result.exit_code == 0, result.output
    for name in ("results.jsonl", "summary.json", "report.md", "accuracy.png", "latency.png", "run.json"):
        assert (out_dir / name).is_file(), name
    assert "| graph | 4 |" in result.output
    assert "| count |" in result.output
    # A JSON Lines set is linked end to end, so its topics score the linking.
    assert json.loads((out_dir / "run.json").read_text(encoding="utf-8"))["config"]["topics"] == "linked"
    assert read_lines(out_dir / "results.jsonl")[0]["topic_linked"] is True


def test_summary_matches_results(invoke, companies_set, tmp_path):
    out_dir = tmp_path / "out"
    evaluate(invoke, companies_set, out_dir)
    records = read_lines(out_dir / "results.jsonl")
    overall = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))["modes"]["graph"]["overall"]
    hits = [record["modes"]["graph"]["hits_at_1"] for record in records]
    f1 = [record["modes"]["graph"]["f1"] for record in records]
    assert overall["count"] == len(records) == 4
    assert overall["hits_at_1"] == pytest.approx(sum(hits) / len(hits))
    assert overall["f1"] == pytest.approx(sum(f1) / len(f1))


def test_eval_rerun_resumes(invoke, companies_set, tmp_path):
    out_dir = tmp_path / "out"
    evaluate(invoke, companies_set, out_dir, "--limit", "2")
    result = evaluate(invoke, companies_set, out_dir)
    lines = (out_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert result.exit_code == 0, result.output
    assert len(lines) == 4
    assert "(4 questions)" in result.output
    assert "2 records are already there" in result.output


def test_examples_added_once(invoke, companies_set, tmp_path):
    # A store of its own, so the examples do not change the shared companies graph.
    from kgqa.demo import bundled_graphs_dir

    data_dir = tmp_path / "data"
    examples_file = tmp_path / "examples.jsonl"
    examples_file.write_text('{"question": "Who runs [Nvidia]?", "answers": ["Jensen Huang"]}\n'
                             '{"question": "Who runs [Intel]?", "answers": ["David Zinsner"]}\n',
                             encoding="utf-8")
    graph_file = bundled_graphs_dir() / "companies" / "companies.ttl"
    assert invoke("load", str(graph_file), "--name", "companies", data_dir=data_dir).exit_code == 0
    for run in ("first", "second"):
        result = invoke("eval", str(companies_set), "--graph", "companies", "--examples", str(examples_file),
                        "--out", str(tmp_path / run), "--no-progress", data_dir=data_dir)
        assert result.exit_code == 0, result.output
    examples = data_dir / "examples" / "companies.jsonl"
    assert len(examples.read_text(encoding="utf-8").splitlines()) == 2


def test_unloaded_graph_error(invoke, companies_set, tmp_path):
    result = invoke("eval", str(companies_set), "--graph", "atlantis", "--out", str(tmp_path / "out"))
    assert result.exit_code != 0
    assert "atlantis" in str(result.exception)


def test_bad_question_file_error(invoke, tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text('{"question": "Q?", "answers": ["A"]}\n{"question": \n', encoding="utf-8")
    result = invoke("eval", str(path), "--graph", "companies", "--out", str(tmp_path / "out"))
    assert result.exit_code != 0
    assert "line 2" in str(result.exception)
