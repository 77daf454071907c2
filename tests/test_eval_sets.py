"""Tests of the evaluation sets in ``eval/``: gold answers against the graphs, category quotas, ids.

Every line's SPARQL query runs against its bundled graph, parsed with rdflib, and
must return exactly the line's answers. The checker itself lives in
``eval/check_sets.py``, which is a script rather than a package module, so it is
imported from its path.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT / "eval"
SET_NAMES = ("countries", "elements", "companies")

# Quotas of each set: at least 66 questions, a third of them single-hop, a third
# multi-hop or two-entity, and the rest spread over the four other categories.
MIN_LINES = 66
MIN_SINGLE_HOP = 22
MIN_MULTI_HOP_OR_TWO_ENTITY = 22
MIN_PER_OTHER_CATEGORY = 4
OTHER_CATEGORIES = ("count", "yes-no", "literal", "unanswerable")


def _import_checker():
    spec = importlib.util.spec_from_file_location("check_sets", EVAL_DIR / "check_sets.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while the class is built
    spec.loader.exec_module(module)
    return module


check_sets = _import_checker()


@pytest.fixture(scope="module")
def rdf_graphs():
    """Each bundled graph parsed once with rdflib."""
    return {name: check_sets.load_graph(name) for name in SET_NAMES}


def records(set_name: str) -> list[dict]:
    return [record for _, record in check_sets.read_set(EVAL_DIR / f"{set_name}.jsonl")]


def find_record(set_name: str, category: str) -> dict:
    return copy.deepcopy(next(record for record in records(set_name) if record["category"] == category))


@pytest.mark.parametrize("set_name", SET_NAMES)
def test_gold_answers_match_graph(set_name, rdf_graphs):
    problems = check_sets.check_set(EVAL_DIR / f"{set_name}.jsonl", rdf_graphs[set_name])

    assert problems == [], "\n".join(str(problem) for problem in problems)


@pytest.mark.parametrize("set_name", SET_NAMES)
def test_set_meets_category_quotas(set_name):
    categories = Counter(record["category"] for record in records(set_name))

    assert sum(categories.values()) >= MIN_LINES
    assert categories["single-hop"] >= MIN_SINGLE_HOP
    assert categories["multi-hop"] + categories["two-entity"] >= MIN_MULTI_HOP_OR_TWO_ENTITY
    for category in OTHER_CATEGORIES:
        assert categories[category] >= MIN_PER_OTHER_CATEGORY, f"{category}: {categories[category]}"


@pytest.mark.parametrize("set_name", SET_NAMES)
def test_set_ids_unique_and_prefixed(set_name):
    ids = [record["id"] for record in records(set_name)]

    assert len(ids) == len(set(ids))
    assert all(record_id.startswith(f"{set_name}-") for record_id in ids), ids


def test_ids_unique_across_sets():
    ids = [record["id"] for name in SET_NAMES for record in records(name)]

    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("category, change", [
    ("single-hop", lambda record: record["answers"].append("Atlantis")),
    ("multi-hop", lambda record: record["answers"].pop()),
    ("count", lambda record: record.update(answers=[str(int(record["answers"][0]) + 1)])),
    ("yes-no", lambda record: record.update(answers=["no" if record["answers"] == ["yes"] else "yes"])),
    ("literal", lambda record: record.update(answers=[record["answers"][0] + "0"])),
])
def test_check_rejects_wrong_gold_answer(rdf_graphs, category, change):
    record = find_record("countries", category)
    assert check_sets.check_record(rdf_graphs["countries"], record) == []

    change(record)
    problems = check_sets.check_record(rdf_graphs["countries"], record)

    assert len(problems) == 1
    assert "answers differ" in problems[0]


@pytest.mark.parametrize("change, expected", [
    (lambda record: record.update(answers=["Paris"]), "unanswerable line needs"),
    (lambda record: record.update(sparql="ASK { ?s ?p ?o }"), "unanswerable line needs"),
    (lambda record: record.update(category="trivia"), "is not one of"),
    (lambda record: record.update(topic="Atlantis"), "is not the rdfs:label"),
    (lambda record: record.pop("topic"), "missing fields"),
])
def test_check_rejects_malformed_line(rdf_graphs, change, expected):
    record = find_record("countries", "unanswerable")

    change(record)
    problems = check_sets.check_record(rdf_graphs["countries"], record)

    assert any(expected in problem for problem in problems), problems


def test_check_rejects_two_variable_query(rdf_graphs):
    record = find_record("elements", "single-hop")
    record["sparql"] = record["sparql"].replace("SELECT ?", "SELECT ?e ?", 1)

    problems = check_sets.check_record(rdf_graphs["elements"], record)

    assert len(problems) == 1
    assert "project exactly one variable" in problems[0]


def test_main_exit_status_on_mismatch(tmp_path, capsys):
    record = find_record("elements", "count")
    record["answers"] = ["999"]
    bad_set = tmp_path / "elements.jsonl"
    bad_set.write_text(json.dumps(record) + "\n", encoding="utf-8")

    status = check_sets.main([str(bad_set)])
    output = capsys.readouterr().out

    assert status == 1
    assert f"{bad_set}:1: answers differ" in output
