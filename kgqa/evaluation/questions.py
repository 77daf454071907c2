"""Read evaluation question sets: MetaQA lines, JSON Lines and CSV.

The format follows the file's extension:

- ``.jsonl`` or ``.json``: one JSON object per line,
  ``{"question": ..., "answers": [...], "topic"?, "category"?, "hop"?, "id"?}``.
  A ``.json`` file that contains one JSON array of such objects is read too.
- ``.csv``: a header row, then the columns ``question``, ``answers`` (several
  answers separated by ``|``) and optionally ``topic``, ``category``, ``hop``, ``id``.
- anything else: MetaQA lines, ``question with [topic]<TAB>answer|answer``.

An empty answer list marks an unanswerable question, whose right behaviour is
abstaining. MetaQA lines always carry answers, and their hop count comes from
the ``hop`` argument or from a folder named like ``2-hop`` in the path.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from pathlib import Path
from typing import Any

from kgqa.errors import InvalidInput

__all__ = ["EvalQuestion", "hop_from_path", "read_questions", "remove_brackets"]

_BRACKET_RE = re.compile(r"\[([^\[\]]+)\]")
_HOP_FOLDER_RE = re.compile(r"^(\d+)-hops?$")
_CSV_COLUMNS = ("question", "answers", "topic", "category", "hop", "id")


@dataclasses.dataclass(frozen=True)
class EvalQuestion:
    """One question of an evaluation set, with its gold answers (labels).

    ``id`` is the set's own id, else ``<file name>:<line>``, so it stays the
    same across runs and sampling. ``topic`` is the label of the topic entity
    when the set gives one. ``line`` is 1-based (the item number in a JSON array).
    """

    id: str
    question: str
    answers: tuple[str, ...]
    topic: str | None = None
    hop: int | None = None
    category: str | None = None
    line: int = 0


def read_questions(path: str | Path, *, strip_brackets: bool = False, hop: int | None = None
                   ) -> list[EvalQuestion]:
    """Parse a question set; with ``strip_brackets``, drop the ``[`` ``]`` around topics (text kept).

    ``hop`` applies to MetaQA lines only and defaults to the path's ``N-hop`` folder.

    Raises:
        InvalidInput: the file cannot be read, contains no question, or a line is
            malformed; the message names the file and the line.
    """
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"Cannot read question file {source}: {error}. Give a UTF-8 file of "
                           "MetaQA lines, JSON Lines (.jsonl) or CSV (.csv).") from error

    suffix = source.suffix.lower()
    if suffix in (".jsonl", ".json"):
        questions = _read_json(source, text)
    elif suffix == ".csv":
        questions = _read_csv(source, text)
    else:
        metaqa_hop = hop if hop is not None else hop_from_path(source)
        questions = _read_metaqa(source, text, metaqa_hop)

    if not questions:
        raise InvalidInput(f"No questions in {source}. Each line needs a question and its answers.")
    _check_unique_ids(source, questions)
    if strip_brackets:
        questions = [dataclasses.replace(item, question=remove_brackets(item.question))
                     for item in questions]
    return questions


def remove_brackets(question: str) -> str:
    """Remove the square brackets around a bracketed topic, keeping its text: ``[Up]`` -> ``Up``."""
    return _BRACKET_RE.sub(lambda match: match.group(1), question)


def hop_from_path(path: Path) -> int | None:
    """Return N from the nearest folder named ``N-hop`` in ``path``, or None."""
    for part in reversed(path.parts[:-1]):
        match = _HOP_FOLDER_RE.match(part)
        if match:
            return int(match.group(1))
    return None


def _line_error(source: Path, line: int, problem: str, expected: str) -> InvalidInput:
    return InvalidInput(f"{source}, line {line}: {problem}. Expected {expected}.",
                        details={"file": str(source), "line": line})


_METAQA_EXPECTED = "'question with [topic]<TAB>answer|answer'"
_JSON_EXPECTED = 'a JSON object such as {"question": "...", "answers": ["..."], "topic": "..."}'
_CSV_EXPECTED = "the columns question,answers[,topic,category,hop,id] with answers separated by '|'"


def _read_metaqa(source: Path, text: str, hop: int | None) -> list[EvalQuestion]:
    questions = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        question, tab, answer_field = line.partition("\t")
        if not tab:
            raise _line_error(source, number, "no tab between the question and its answers",
                              _METAQA_EXPECTED)
        answers = _split_answers(answer_field)
        if not question.strip() or not answers:
            raise _line_error(source, number, "empty question or no answers", _METAQA_EXPECTED)

        brackets = _BRACKET_RE.search(question)
        topic = brackets.group(1).strip() if brackets else None
        questions.append(EvalQuestion(id=f"{source.name}:{number}", question=question.strip(),
                                      answers=answers, topic=topic, hop=hop, line=number))
    return questions


def _read_json(source: Path, text: str) -> list[EvalQuestion]:
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as error:
            raise _line_error(source, error.lineno, f"invalid JSON ({error.msg})", _JSON_EXPECTED) from error
        return [_json_question(source, number, item) for number, item in enumerate(items, start=1)]

    questions = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise _line_error(source, number, f"invalid JSON ({error.msg})", _JSON_EXPECTED) from error
        questions.append(_json_question(source, number, record))
    return questions


def _json_question(source: Path, number: int, record: Any) -> EvalQuestion:
    if not isinstance(record, dict):
        raise _line_error(source, number, f"a JSON {type(record).__name__} instead of an object",
                          _JSON_EXPECTED)
    answers = record.get("answers")
    if isinstance(answers, str | int | float):
        answers = [answers]
    if not isinstance(answers, list) or not all(isinstance(answer, str | int | float) for answer in answers):
        raise _line_error(source, number, '"answers" must be a list of strings (empty when unanswerable)',
                          _JSON_EXPECTED)
    return _checked_question(source, number, record, tuple(str(answer).strip() for answer in answers),
                             _JSON_EXPECTED)


def _read_csv(source: Path, text: str) -> list[EvalQuestion]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [column.strip() for column in reader.fieldnames or []]
    missing = [column for column in ("question", "answers") if column not in columns]
    if missing:
        raise _line_error(source, 1, f"the header lacks the column(s) {', '.join(missing)}", _CSV_EXPECTED)
    unknown = [column for column in columns if column not in _CSV_COLUMNS]
    if unknown:
        raise _line_error(source, 1, f"unknown column(s) {', '.join(unknown)}", _CSV_EXPECTED)

    questions = []
    reader.fieldnames = columns
    for row in reader:
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        if None in row:
            raise _line_error(source, reader.line_num, "more fields than header columns", _CSV_EXPECTED)
        record = {key: value for key, value in row.items() if value is not None and value.strip()}
        answers = _split_answers(row.get("answers") or "")
        questions.append(_checked_question(source, reader.line_num, record, answers, _CSV_EXPECTED))
    return questions


def _checked_question(source: Path, number: int, record: dict[str, Any], answers: tuple[str, ...],
                      expected: str) -> EvalQuestion:
    """Check the fields JSON and CSV share and build the question."""
    question = record.get("question")
    if not isinstance(question, str) or not question.strip():
        raise _line_error(source, number, 'missing or empty "question"', expected)
    fields: dict[str, str | None] = {}
    for name in ("topic", "category", "id"):
        value = record.get(name)
        if value is not None and not isinstance(value, str | int):
            raise _line_error(source, number, f'"{name}" must be a string', expected)
        fields[name] = str(value).strip() if value is not None and str(value).strip() else None

    hop = record.get("hop")
    if hop is not None:
        try:
            hop = int(hop)
        except (TypeError, ValueError):
            problem = f'"hop" must be a whole number, got {hop!r}'
            raise _line_error(source, number, problem, expected) from None

    return EvalQuestion(id=fields["id"] or f"{source.name}:{number}", question=question.strip(),
                        answers=tuple(answer for answer in answers if answer), topic=fields["topic"],
                        hop=hop, category=fields["category"], line=number)


def _split_answers(field: str) -> tuple[str, ...]:
    return tuple(answer.strip() for answer in field.split("|") if answer.strip())


def _check_unique_ids(source: Path, questions: list[EvalQuestion]) -> None:
    """Reject repeated ids: results are resumed by id, so a repeat would be skipped as done."""
    seen: dict[str, int] = {}
    for item in questions:
        if item.id in seen:
            raise InvalidInput(f"{source}, line {item.line}: the id {item.id!r} repeats line "
                               f"{seen[item.id]}. Give every question its own id.",
                               details={"file": str(source), "line": item.line})
        seen[item.id] = item.line
