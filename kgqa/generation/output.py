"""Parse a generative model's reply of any shape into an answer text, JSON data and a list of problems.

Small models wrap answers in Markdown fences or chatty preambles, fall into
loops, stop mid-JSON at ``max_tokens`` or return nothing. ``parse_answer``
never raises on such output: it keeps what it can and names each defect in
``problems`` with one of the codes in ``PROBLEMS``.
"""

from __future__ import annotations

import ast
import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

from kgqa.generation.base import Generation

__all__ = ["ANSWER_KEYS", "PROBLEMS", "ParsedOutput", "collapse_repetition", "parse_answer"]

EMPTY = "empty"
TRUNCATED = "truncated"
UNTERMINATED_JSON = "unterminated_json"
INVALID_JSON = "invalid_json"
NO_ANSWER_FIELD = "no_answer_field"
REPETITION = "repetition"

PROBLEMS = {
    EMPTY: "no answer text is left after removing wrappers and boilerplate",
    TRUNCATED: "the model stopped at max_tokens (finish_reason 'length'), so the reply may be cut",
    UNTERMINATED_JSON: "a JSON object was never closed; data holds the repaired prefix, "
                       "whose last value may be cut",
    INVALID_JSON: "an object that starts like JSON does not parse; answer_text is the prose before it",
    NO_ANSWER_FIELD: "the JSON object has none of ANSWER_KEYS; answer_text is the prose around it",
    REPETITION: "a repetition loop was collapsed to its first copy",
}

# Keys that models use for the answer, compared case-insensitively, first match wins.
ANSWER_KEYS = ("answer", "answers", "final_answer", "result", "response", "output", "text")

# The scan gives up on a reply after this many '{' characters that start no
# valid object, so braces in a long reply cannot make parsing quadratic.
_MAX_JSON_STARTS = 100
# Truncated JSON is repaired by cutting at one of its last few top-level commas.
_MAX_REPAIR_CUTS = 4
# A loop unit longer than this many words is not looked for.
_MAX_LOOP_UNIT_WORDS = 80

# Chat-template tokens such as <|im_end|>, with the role name that may follow one
# ("<|im_start|>assistant"), and the end-of-sequence tag </s>.
_SPECIAL_TOKENS = re.compile(
    r"<\|[^|<>\s]{1,40}\|>(?:[ \t]*(?:system|user|assistant)[ \t]*(?=<\||\n|$))?|</s>"
)
_OPENING_FENCE = re.compile(r"```[\w+.-]*[ \t]*\r?\n")
_JSON_START = re.compile(r'\{\s*"')
_LEADING_BOILERPLATE = (
    re.compile(r"^(?:sure|certainly|of course|absolutely|okay|ok|great question|good question)[!.,:]+\s*",
               re.IGNORECASE),
    re.compile(r"^here(?:'s| is| are)\s+(?:the\s+|my\s+|your\s+)?(?:final\s+)?"
               r"(?:answer|response|result|reply)s?(?:\s+to\s+(?:your|the|this)\s+question)?\s*[:.-]?\s*",
               re.IGNORECASE),
    re.compile(r"^(?:the\s+)?(?:final\s+)?answer\s*(?:is\s*)?:\s*|^(?:the\s+)?(?:final\s+)?answer\s+is\s+|^a:\s*",
               re.IGNORECASE),
)
_TRAILING_BOILERPLATE = re.compile(
    r"(?:^|(?<=[.!?])\s+|\n)\s*(?:I hope (?:this|that) helps|Let me know if|Feel free to|"
    r"Is there anything else|If you have any (?:other|more|further) questions)[^\n]*$",
    re.IGNORECASE,
)
_ANGLE_URL = re.compile(r"<((?:https?|ftp|urn|mailto):[^\s<>]+)>", re.IGNORECASE)
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__", re.DOTALL)
_WRAPPING_PAIRS = (('"', '"'), ("'", "'"), ("`", "`"), ("\u201c", "\u201d"))
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CLOSERS = {"{": "}", "[": "]"}


@dataclass(frozen=True)
class ParsedOutput:
    """The answer found in a model reply.

    ``answer_text`` is the JSON answer field when the reply has a JSON object,
    else the prose with wrappers removed; it is empty when nothing usable is
    left. ``data`` is the JSON object, or None. ``problems`` lists codes from
    ``PROBLEMS`` in the order they were found.
    """

    answer_text: str
    data: dict[str, Any] | None
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _JsonObject:
    """A JSON object found at ``text[start:end]``; ``repaired`` when it had to be closed."""

    data: dict[str, Any]
    start: int
    end: int
    repaired: bool


@dataclass
class _Scan:
    """The state of a brace scan from one ``{``: where it closed, or what was left open."""

    end: int | None = None
    broken: bool = False
    in_string: bool = False
    stack: list[str] = field(default_factory=list)
    commas: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)


def parse_answer(generation: Generation | str) -> ParsedOutput:
    """Extract the answer from a model reply (a ``Generation``, or its raw text).

    A JSON object anywhere in the reply wins, fenced or after a preamble, with
    its first ``ANSWER_KEYS`` field as the answer. Without one, the answer is
    the prose with code fences, chat-template tokens, stock preambles and
    closings, Markdown bold and angle brackets around URLs removed. Repetition
    loops are collapsed. Any string input gives a result, because every parse
    error is caught; the tests cover deep nesting and stray braces.
    """
    if isinstance(generation, Generation):
        text, finish_reason = generation.text, generation.finish_reason
    else:
        text, finish_reason = generation, "stop"
    text = _SPECIAL_TOKENS.sub("", text or "")
    problems = [TRUNCATED] if finish_reason == "length" else []

    found = _find_json_object(text)
    if found is None:
        data = None
        answer = text
        broken_object = _JSON_START.search(text)
        if broken_object is not None:
            problems.append(INVALID_JSON)
            answer = text[:broken_object.start()]
    else:
        data = found.data
        if found.repaired:
            problems.append(UNTERMINATED_JSON)
        answer = _answer_field(data)
        if answer is None:
            problems.append(NO_ANSWER_FIELD)
            answer = text[:found.start] + " " + text[found.end:]

    answer, looped = collapse_repetition(_clean_prose(answer))
    if looped:
        problems.append(REPETITION)
    if not answer:
        problems.append(EMPTY)
    return ParsedOutput(answer, data, problems)


def collapse_repetition(text: str) -> tuple[str, bool]:
    """Keep the first copy of each loop in ``text``; return the text and whether a loop was found.

    A loop is a run of 1 to 3 words repeated at least 3 times in a row
    ("the the the"), or a longer run repeated at least twice in a row (a
    repeated sentence). Words compare case-insensitively without edge
    punctuation. A partial copy that ends the text counts as a copy and goes
    too, because it is what ``max_tokens`` leaves of a loop. Other whitespace
    is kept as is.
    """
    spans = [match.span() for match in re.finditer(r"\S+", text)]
    keys = [_word_key(text[start:end]) for start, end in spans]
    positions: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        positions.setdefault(key, []).append(index)

    cuts: list[tuple[int, int]] = []
    index = 0
    while index < len(keys):
        loop = _loop_at(keys, positions, index)
        if loop is None:
            index += 1
            continue
        unit, end = loop
        cuts.append((spans[index + unit - 1][1], spans[end - 1][1]))
        index = end

    for start, end in reversed(cuts):
        text = text[:start] + text[end:]
    return text, bool(cuts)


def _word_key(word: str) -> str:
    stripped = word.strip(".,;:!?\"'()[]{}*`").casefold()
    return stripped or word


def _loop_at(keys: list[str], positions: dict[str, list[int]], index: int) -> tuple[int, int] | None:
    """Find the shortest loop starting at ``keys[index]``: its unit length and the index after it."""
    later = positions[keys[index]]
    first = bisect.bisect_right(later, index)
    for following in later[first:]:
        unit = following - index
        if unit > _MAX_LOOP_UNIT_WORDS:
            return None

        copies = 1
        while keys[index + copies * unit:index + (copies + 1) * unit] == keys[index:index + unit]:
            copies += 1
        if copies < 2:
            continue

        end = index + copies * unit
        end_with_partial = _past_partial_copy(keys, index, unit, end)
        if copies + (end_with_partial > end) >= (3 if unit <= 3 else 2):
            return unit, end_with_partial
    return None


def _past_partial_copy(keys: list[str], index: int, unit: int, end: int) -> int:
    rest = keys[end:]
    if not rest or len(rest) > unit:
        return end

    whole, last = rest[:-1], rest[-1]
    if whole == keys[index:index + len(whole)] and keys[index + len(whole)].startswith(last):
        return len(keys)
    return end


def _find_json_object(text: str) -> _JsonObject | None:
    """Return the first JSON object in ``text`` that parses, closing a truncated one if need be."""
    start = text.find("{")
    tries = 0
    while start != -1 and tries < _MAX_JSON_STARTS:
        tries += 1
        scan = _scan_braces(text, start)
        if scan.end is not None:
            data = _load_object(text[start:scan.end])
            if data is not None:
                return _JsonObject(data, start, scan.end, repaired=False)
        elif not scan.broken:
            data = _repair(text, start, scan)
            if data is not None:
                return _JsonObject(data, start, len(text), repaired=True)
        start = text.find("{", start + 1)
    return None


def _scan_braces(text: str, start: int) -> _Scan:
    """Follow braces and brackets from ``text[start]``, skipping JSON strings, until they balance."""
    scan = _Scan()
    escaped = False
    for index in range(start, len(text)):
        char = text[index]
        if scan.in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                scan.in_string = False
            continue

        if char == '"':
            scan.in_string = True
        elif char in _CLOSERS:
            scan.stack.append(_CLOSERS[char])
        elif char in "}]":
            if not scan.stack or scan.stack.pop() != char:
                scan.broken = True
                return scan
            if not scan.stack:
                scan.end = index + 1
                return scan
        elif char == ",":
            scan.commas.append((index, tuple(scan.stack)))
    return scan


def _load_object(candidate: str) -> dict[str, Any] | None:
    """Parse ``candidate`` as JSON, then without trailing commas, then as a Python dict literal."""
    attempts = (
        lambda: json.loads(candidate),
        lambda: json.loads(_TRAILING_COMMA.sub(r"\1", candidate)),
        lambda: ast.literal_eval(candidate),
    )
    for attempt in attempts:
        try:
            value = attempt()
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(value, dict) and all(isinstance(key, str) for key in value):
            return value
    return None


def _repair(text: str, start: int, scan: _Scan) -> dict[str, Any] | None:
    """Close a truncated object: first as is, then cut back at each of its last commas."""
    body = text[start:].rstrip()
    if not scan.in_string:
        body = body.removesuffix("```").rstrip()
    closing = ('"' if scan.in_string else "") + "".join(reversed(scan.stack))
    candidates = [body + closing]
    for comma, stack in reversed(scan.commas[-_MAX_REPAIR_CUTS:]):
        candidates.append(text[start:comma] + "".join(reversed(stack)))

    for candidate in candidates:
        data = _load_object(candidate)
        if data is not None:
            return data
    return None


def _answer_field(data: dict[str, Any]) -> str | None:
    """Return the answer field of a parsed object as text, or None when it has none."""
    by_key = {key.casefold(): value for key, value in data.items()}
    for key in ANSWER_KEYS:
        if key in by_key:
            return _value_text(by_key[key])
    if len(data) == 1:
        return _value_text(next(iter(data.values())))
    return None


def _value_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_value_text(item) for item in value)
    return json.dumps(value, ensure_ascii=False)


def _clean_prose(text: str) -> str:
    """Remove fences, stock preambles and closings, bold markers and wrapping quotes from prose."""
    text = _OPENING_FENCE.sub("", text).replace("```", "")
    text = _ANGLE_URL.sub(r"\1", text)
    text = _BOLD.sub(lambda match: match.group(1) or match.group(2), text).strip()

    previous = None
    while text != previous:
        previous = text
        for pattern in _LEADING_BOILERPLATE:
            text = pattern.sub("", text, count=1)
        text = _TRAILING_BOILERPLATE.sub("", text).strip()
        text = _unwrap(text)
    return text


def _unwrap(text: str) -> str:
    for opening, closing in _WRAPPING_PAIRS:
        if len(text) > 1 and text.startswith(opening) and text.endswith(closing):
            return text[len(opening):-len(closing)].strip()
    return text
