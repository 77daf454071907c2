"""The command line through its real entry point: load, graphs, ask, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CASES = Path(__file__).resolve().parent / "data" / "cases"


def run_kgqa(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KGQA_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "kgqa.cli", *args], capture_output=True,
                          text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli-data")
    result = run_kgqa(folder, "load", str(CASES / "counting-and-yes-no" / "graph.ttl"), "--name", "band")
    assert result.returncode == 0, result.stderr
    return folder


def test_load_reports_counts(data_dir):
    result = run_kgqa(data_dir, "graphs", "--json")
    graphs = json.loads(result.stdout)
    assert [graph["name"] for graph in graphs] == ["band"]
    assert graphs[0]["triples"] == 14


def test_ask_json_has_evidence(data_dir):
    result = run_kgqa(data_dir, "ask", "How many members does The Tidewater Four have?",
                      "--graph", "band", "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert [item["label"] for item in answer["answers"]] == ["5"]
    assert len(answer["evidence"]) >= 5
    assert answer["evidence"][0]["predicate"]["iri"] == "http://example.org/memberOf"


def test_ask_text_output(data_dir):
    result = run_kgqa(data_dir, "ask", "Is Ada Kerr a member of The Tidewater Four?", "--graph", "band")
    assert result.returncode == 0, result.stderr
    assert "Yes" in result.stdout
    assert "evidence:" in result.stdout


def test_unknown_graph_lists_loaded(data_dir):
    result = run_kgqa(data_dir, "ask", "Who?", "--graph", "nope")
    assert result.returncode == 2
    assert "nope" in result.stderr
    assert "band" in result.stderr


def test_unknown_format_lists_supported(data_dir, tmp_path):
    path = tmp_path / "graph.xyz"
    path.write_text("x", encoding="utf-8")
    result = run_kgqa(data_dir, "load", str(path), "--name", "other")
    assert result.returncode == 2
    assert ".xyz" in result.stderr
    assert "turtle" in result.stderr.lower()


def test_parse_error_names_line(data_dir):
    path = CASES / "turtle-missing-final-dot" / "graph.ttl"
    result = run_kgqa(data_dir, "load", str(path), "--name", "band")
    assert result.returncode == 2
    assert "line 6" in result.stderr
    assert "graph.ttl" in result.stderr
    graphs = json.loads(run_kgqa(data_dir, "graphs", "--json").stdout)
    assert graphs[0]["triples"] == 14


def test_error_json_shape(data_dir):
    result = run_kgqa(data_dir, "ask", "Who?", "--graph", "nope", "--json")
    payload = json.loads(result.stdout)
    assert payload["error"]["code"] == "graph_not_found"
    assert "band" in payload["error"]["message"]


def test_settings_prints_table(data_dir):
    result = run_kgqa(data_dir, "settings")
    assert result.returncode == 0
    assert "KGQA_MAX_HOPS" in result.stdout


def test_verify_flags_wrong_count(data_dir):
    result = run_kgqa(data_dir, "verify", "How many members does The Tidewater Four have?",
                      "The Tidewater Four has 4 members.", "--graph", "band", "--json")
    assert result.returncode == 0, result.stderr
    verification = json.loads(result.stdout)
    assert verification["verdict"] == "contradicted"
    assert any(claim["graph_values"] == ["5"] for claim in verification["claims"])


def test_compare_lists_four_modes(data_dir):
    result = run_kgqa(data_dir, "compare", "Is Ada Kerr a member of The Tidewater Four?",
                      "--graph", "band", "--json")
    assert result.returncode == 0, result.stderr
    comparison = json.loads(result.stdout)
    assert list(comparison["modes"]) == ["graph", "ungrounded", "grounded", "corrected"]
    assert comparison["verdicts"]["graph"] == "supported"
    assert comparison["verdicts"]["corrected"] in {"supported", "partly_supported"}


def test_corrected_mode_uses_draft(data_dir):
    result = run_kgqa(data_dir, "ask", "Does The Tidewater Four play jazz?", "--graph", "band",
                      "--mode", "corrected", "--draft", "Yes, they play jazz.", "--json")
    assert result.returncode == 0, result.stderr
    corrected = json.loads(result.stdout)
    assert corrected["draft_verification"]["verdict"] == "contradicted"
    assert "folk" in corrected["text"]


def test_draft_needs_corrected_mode(data_dir):
    result = run_kgqa(data_dir, "ask", "Who?", "--draft", "x")
    assert result.returncode == 2
    assert "--mode corrected" in result.stderr
