"""Check the evaluation sets in ``eval/`` against the bundled graphs they were written for.

Each set ``eval/<graph>.jsonl`` belongs to ``graphs/<graph>/<graph>.ttl``. For every
line this script parses the graph with rdflib, runs the line's ``sparql`` and
compares the result with the line's ``answers`` as a set of display strings:

- an IRI is shown by its English ``rdfs:label`` (else ``skos:prefLabel``), as kgqa
  shows entities;
- a literal is shown by ``kgqa.graph.terms.display_literal`` (full-precision
  numbers, dates such as "24 August 2011");
- an ASK query gives "yes" or "no".

A SELECT query must project exactly one variable. Lines of the category
``unanswerable`` have no query and no answers.

Usage::

    .venv/bin/python eval/check_sets.py                   # every eval/*.jsonl
    .venv/bin/python eval/check_sets.py eval/elements.jsonl

The exit status is 1 when any line has a problem, and each problem is printed
as ``file:line: message``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from kgqa.graph.terms import display_literal

__all__ = [
    "CATEGORIES",
    "EVAL_DIR",
    "GRAPHS_DIR",
    "Problem",
    "check_record",
    "check_set",
    "display_label",
    "load_graph",
    "main",
    "query_answers",
    "read_set",
]

EVAL_DIR = Path(__file__).resolve().parent
GRAPHS_DIR = EVAL_DIR.parent / "graphs"

CATEGORIES = ("single-hop", "multi-hop", "two-entity", "count", "yes-no", "literal", "unanswerable")
FIELDS = ("id", "question", "answers", "topic", "category", "sparql")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one line of a set."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def load_graph(name: str) -> Graph:
    """Parse ``graphs/<name>/<name>.ttl`` with rdflib's Turtle parser."""
    rdf_graph = Graph()
    rdf_graph.parse(GRAPHS_DIR / name / f"{name}.ttl", format="turtle")
    return rdf_graph


def display_label(rdf_graph: Graph, term: Any) -> str:
    """Return the string kgqa shows for ``term``: a literal's display form or an entity's label."""
    if isinstance(term, Literal):
        return display_literal(term)

    for predicate in (RDFS.label, SKOS.prefLabel):
        labels = [label for label in rdf_graph.objects(term, predicate) if isinstance(label, Literal)]
        english = [label for label in labels if label.language == "en"]
        if english or labels:
            return str((english or labels)[0])
    # An IRI without a label is shown as the IRI, so the mismatch report points at it.
    return str(term)


def query_answers(rdf_graph: Graph, sparql: str) -> set[str]:
    """Run ``sparql`` and return its answers as display strings.

    Raises ValueError when the query is neither SELECT nor ASK, or when a
    SELECT query does not project exactly one variable.
    """
    result = rdf_graph.query(sparql)
    if result.type == "ASK":
        return {"yes" if result.askAnswer else "no"}
    if result.type != "SELECT":
        raise ValueError(f"the query is a {result.type} query; write a SELECT query with one "
                         "variable, or an ASK query")
    if len(result.vars or ()) != 1:
        names = ", ".join(f"?{var}" for var in result.vars or ())
        raise ValueError(f"the SELECT query projects {names or 'nothing'}; project exactly one variable")

    return {display_label(rdf_graph, row[0]) for row in result if row[0] is not None}


def read_set(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """Read a JSONL set; return ``(line number, record)`` for every non-blank line."""
    records = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                records.append((number, json.loads(line)))
    return records


def check_record(rdf_graph: Graph, record: dict[str, Any]) -> list[str]:
    """Return what is wrong with one line: its shape, its topic, and its answers against the graph."""
    problems = _check_shape(record)
    if problems:
        return problems

    topic = record["topic"]
    if topic is not None and not _has_label(rdf_graph, topic):
        problems.append(f"topic {topic!r} is not the rdfs:label of any entity in the graph")

    if record["category"] == "unanswerable":
        return problems

    try:
        found = query_answers(rdf_graph, record["sparql"])
    except Exception as error:  # rdflib raises pyparsing and evaluation errors of many types
        return [*problems, f"the query failed: {type(error).__name__}: {error}"]

    expected = set(record["answers"])
    if found != expected:
        missing = sorted(expected - found)
        extra = sorted(found - expected)
        problems.append(f"answers differ from the query result: missing from the graph {missing}, "
                        f"returned by the query but not in answers {extra}")
    return problems


def check_set(path: Path, rdf_graph: Graph | None = None) -> list[Problem]:
    """Check every line of the set at ``path`` and the uniqueness of its ids."""
    path = Path(path)
    rdf_graph = rdf_graph if rdf_graph is not None else load_graph(path.stem)

    problems = []
    seen_ids: dict[str, int] = {}
    for number, record in read_set(path):
        problems.extend(Problem(path, number, message) for message in check_record(rdf_graph, record))
        record_id = record.get("id")
        if record_id in seen_ids:
            problems.append(Problem(path, number, f"id {record_id!r} is also on line {seen_ids[record_id]}"))
        seen_ids.setdefault(record_id, number)
    return problems


def _check_shape(record: dict[str, Any]) -> list[str]:
    """Return the problems with the fields of a record, before anything is run."""
    missing = [field for field in FIELDS if field not in record]
    if missing:
        return [f"missing fields {missing}; every line needs {list(FIELDS)}"]

    problems = []
    category, answers, sparql = record["category"], record["answers"], record["sparql"]
    if category not in CATEGORIES:
        problems.append(f"category {category!r} is not one of {list(CATEGORIES)}")
    if not isinstance(answers, list) or not all(isinstance(answer, str) for answer in answers):
        problems.append(f"answers must be a list of strings, got {answers!r}")
        return problems
    if len(set(answers)) != len(answers):
        problems.append(f"answers {answers} contain duplicates")

    if category == "unanswerable":
        if answers or sparql is not None:
            problems.append("an unanswerable line needs \"answers\": [] and \"sparql\": null")
        return problems

    if not isinstance(sparql, str) or not sparql.strip():
        problems.append(f"a {category} line needs a SPARQL query")
    if not answers:
        problems.append(f"a {category} line needs at least one answer; use the unanswerable category "
                        "for questions the graph cannot answer")
    if category == "yes-no" and answers not in (["yes"], ["no"]):
        problems.append(f"a yes-no answer is [\"yes\"] or [\"no\"], got {answers}")
    if category == "count" and (len(answers) != 1 or not answers[0].isdigit()):
        problems.append(f"a count answer is one number as a string, got {answers}")
    return problems


def _has_label(rdf_graph: Graph, text: str) -> bool:
    subjects = rdf_graph.subjects(RDFS.label, Literal(text, lang="en"))
    return any(isinstance(subject, URIRef) for subject in subjects)


def _default_sets() -> list[Path]:
    return sorted(EVAL_DIR.glob("*.jsonl"))


def main(argv: Iterable[str] | None = None) -> int:
    """Check the sets named on the command line (default: every ``eval/*.jsonl``); return the exit status."""
    parser = argparse.ArgumentParser(description="Check the gold answers of kgqa's evaluation sets "
                                                 "against the bundled graphs.")
    parser.add_argument("sets", nargs="*", type=Path, help="JSONL sets named after their graph "
                                                           "(default: every eval/*.jsonl)")
    args = parser.parse_args(list(argv) if argv is not None else None)

    failed = False
    for path in args.sets or _default_sets():
        problems = check_set(path)
        lines = len(read_set(path))
        for problem in problems:
            print(problem)
        print(f"{path}: {lines} lines, {len(problems)} problems")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
