"""Summaries, tables and report files from hand-made records with known values."""

from __future__ import annotations

import json

import pytest

from kgqa.evaluation.report import format_table, summarize, write_report


def graph_result(hits: float, f1: float, latency_ms: float | None, *, abstained: bool = False,
                 error: str | None = None) -> dict:
    return {"answers": [], "text": "an answer", "hits_at_1": hits, "exact_match": hits, "precision": f1,
            "recall": f1, "f1": f1, "abstained": abstained, "latency_ms": latency_ms, "evidence": [],
            "error": error}


def generated_result(hits: float, verdict: str, model_verdict: str | None, source: str,
                     latency_ms: float) -> dict:
    return {"answers": [], "text": "a text", "hits_at_1": hits, "verdict": verdict,
            "model_verdict": model_verdict, "source": source, "abstained": verdict == "abstained",
            "latency_ms": latency_ms, "evidence": [], "error": None}


@pytest.fixture
def records() -> list[dict]:
    return [
        {"id": "q1", "question": "Q1?", "gold": ["A"], "hop": 1, "category": "single-hop", "linked": ["X"],
         "topic_linked": True, "topic_linked_alone": True,
         "modes": {"graph": graph_result(1.0, 1.0, 10.0),
                   "grounded": generated_result(1.0, "supported", "supported", "model", 1000.0)}},
        {"id": "q2", "question": "Q2?", "gold": ["B", "C"], "hop": 2, "category": "multi-hop", "linked": [],
         "topic_linked": False, "topic_linked_alone": False,
         "modes": {"graph": graph_result(0.0, 0.5, 30.0),
                   "grounded": generated_result(1.0, "supported", "contradicted", "fact_sentence", 1200.0)}},
        {"id": "q3", "question": "Q3?", "gold": [], "hop": 2, "category": "unanswerable", "linked": [],
         "topic_linked": None,
         "modes": {"graph": graph_result(0.0, 0.0, None, error="The topic 'Z' is not a label."),
                   "grounded": generated_result(0.0, "contradicted", "contradicted", "model", 1400.0)}},
    ]


def test_graph_overall_known_values(records):
    overall = summarize(records, ["graph", "grounded"])["modes"]["graph"]["overall"]
    assert overall["count"] == 3
    assert overall["hits_at_1"] == pytest.approx(1 / 3)
    assert overall["f1"] == pytest.approx(0.5)
    assert overall["errors"] == 1
    assert overall["linking_accuracy"] == pytest.approx(0.5)
    assert overall["linking_count"] == 2
    assert overall["linking_alone"] == pytest.approx(0.5)
    assert overall["latency_ms"] == {"p50": 20.0, "p95": 29.0, "mean": 20.0}


def test_generated_verdict_shares(records):
    overall = summarize(records, ["graph", "grounded"])["modes"]["grounded"]["overall"]
    assert overall["hits_at_1"] == pytest.approx(2 / 3)
    assert overall["contradicted"] == pytest.approx(1 / 3)
    assert overall["model_contradicted"] == pytest.approx(2 / 3)
    assert overall["fell_back"] == pytest.approx(1 / 3)
    assert overall["abstained"] == 0.0
    assert "f1" not in overall


def test_groups_by_hop_and_category(records):
    graph = summarize(records, ["graph"])["modes"]["graph"]
    assert list(graph["by_hop"]) == ["1", "2"]
    assert graph["by_hop"]["2"]["count"] == 2
    assert graph["by_hop"]["1"]["hits_at_1"] == 1.0
    assert sorted(graph["by_category"]) == ["multi-hop", "single-hop", "unanswerable"]


def test_table_rows_per_mode(records):
    table = format_table(summarize(records, ["graph", "grounded"]))
    lines = table.splitlines()
    assert lines[0].startswith("| mode | questions | Hits@1 |")
    assert lines[2].startswith("| graph | 3 | 33.3% | 33.3% | 50.0% |")
    assert lines[3].startswith("| grounded | 3 | 66.7% | - | - |")
    assert "| 2 | 0.0% | 50.0% | 2 |" in table


def test_report_files_written(records, tmp_path):
    summary = summarize(records, ["graph", "grounded"], {"questions_file": "set.jsonl", "graph": "g"})
    paths = write_report(tmp_path, summary, records)
    names = sorted(path.name for path in paths)
    assert names == ["accuracy.png", "latency.png", "report.md", "summary.json"]
    assert json.loads((tmp_path / "summary.json").read_text(encoding="utf-8")) == summary
    for chart in ("accuracy.png", "latency.png"):
        assert (tmp_path / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_lists_failures(records, tmp_path):
    write_report(tmp_path, summarize(records, ["graph", "grounded"]), records)
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    graph_section = report.split("### graph")[1].split("### grounded")[0]
    assert "2 failed" in graph_section
    assert "**q2** Q2?" in graph_section
    assert "The topic 'Z' is not a label." in graph_section
    assert "(none: abstaining is right)" in graph_section
    assert "**q3** Q3?" in report.split("### grounded")[1]
