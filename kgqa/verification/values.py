"""Find the literal values a text asserts (URLs, dates, years, numbers) and compare them with graph terms.

Values are normalized so that "2 April 1961", "April 2, 1961" and
``1961-04-02`` compare equal, and "1.2 million" equals ``1200000``.
Comparison with a graph term returns ``True`` (same value), ``False``
(same kind, different value) or ``None`` (not comparable, for example a
year against a place).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import urllib.parse
from decimal import Decimal, InvalidOperation

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kgqa.answering.question import is_numeric_literal, is_temporal_literal

__all__ = [
    "TemporalValue",
    "ValueMention",
    "agrees_coarsely",
    "compare_with_term",
    "find_values",
    "normalize_url",
]

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_DATE_PATTERNS = (
    re.compile(r"(?<![\w-])(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?![\w-])"),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+{_YEAR}\b", re.IGNORECASE),
)
_URL_RE = re.compile(r"\b(?:https?|ftp)://[^\s<>\"'`]+", re.IGNORECASE)
_NUMBER_RE = re.compile(
    r"(?<![\w.,/])(?:(?<!\d)(?P<sign>-))?(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s*(?P<scale>thousand|million|billion|trillion)\b)?(?![\w]|[.,]\d)",
    re.IGNORECASE,
)
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_YEARS = range(1000, 2200)


@dataclasses.dataclass(frozen=True)
class TemporalValue:
    """A date known to the year, month or day; the missing parts are None."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        parts = [f"{self.year:04d}"]
        parts += [f"{part:02d}" for part in (self.month, self.day) if part is not None]
        return "-".join(parts)


@dataclasses.dataclass(frozen=True)
class ValueMention:
    """A literal value asserted in a text.

    ``kind`` is ``url``, ``date``, ``year`` or ``number``. ``value`` is a
    normalized URL string, a ``TemporalValue`` or a ``Decimal``. ``start`` and
    ``end`` are character offsets into the searched text.
    """

    kind: str
    text: str
    start: int
    end: int
    value: str | TemporalValue | Decimal

    def display(self) -> str:
        """Return the normalized value as people read it."""
        if isinstance(self.value, TemporalValue):
            return self.value.iso()
        if isinstance(self.value, Decimal):
            return format(self.value.normalize(), "f")
        return self.value


def find_values(text: str) -> list[ValueMention]:
    """Find URLs, dates, years and numbers in ``text``, in text order, without overlaps.

    A four-digit whole number from 1000 to 2199 is a year. Other numbers keep
    their scale word ("1.2 million"). Units and currencies are not read.
    """
    found: list[ValueMention] = []
    occupied: list[tuple[int, int]] = []

    for match in _URL_RE.finditer(text):
        url = match.group().rstrip(".,;:!?)]}")
        _add(found, occupied, ValueMention("url", url, match.start(), match.start() + len(url),
                                        normalize_url(url)))
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            temporal = _temporal(match)
            if temporal is not None:
                _add(found, occupied, ValueMention("date", match.group(), match.start(), match.end(),
                                                temporal))
    for match in _NUMBER_RE.finditer(text):
        _add(found, occupied, _number_mention(match))

    return sorted(found, key=lambda mention: mention.start)


def normalize_url(url: str) -> str:
    """Return a comparison key for a URL: lower-case scheme and host, no trailing slash or fragment."""
    parts = urllib.parse.urlsplit(url.strip())
    path = parts.path.rstrip("/")
    return urllib.parse.urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def compare_with_term(mention: ValueMention, term: Node, label: str) -> bool | None:
    """Compare an asserted value with a graph term and its display label.

    Returns True when they denote the same value, False when both are values
    of the same kind that differ, and None when they cannot be compared.
    """
    if mention.kind == "url":
        return _compare_url(mention, term, label)
    if mention.kind in ("date", "year"):
        temporal = _term_temporal(term)
        if temporal is not None:
            return _compare_temporal(mention, temporal)
    if mention.kind in ("number", "year"):
        number = _term_number(term)
        if number is not None:
            assert isinstance(mention.value, Decimal | TemporalValue)
            claimed = Decimal(mention.value.year) if isinstance(mention.value, TemporalValue) \
                else mention.value
            return claimed == number
    return None


def agrees_coarsely(mention: ValueMention, term: Node) -> bool:
    """Return whether a date claim is finer than the graph's date and agrees with it as far as it goes.

    "4 September 1998" against the year 1998 agrees coarsely: the year is
    confirmed, the day is not in the graph.
    """
    temporal = _term_temporal(term)
    if mention.kind != "date" or temporal is None:
        return False
    return _compare_temporal(mention, temporal) is None


def _add(found: list[ValueMention], occupied: list[tuple[int, int]], mention: ValueMention | None) -> None:
    if mention is None:
        return
    if any(mention.start < end and start < mention.end for start, end in occupied):
        return
    found.append(mention)
    occupied.append((mention.start, mention.end))


def _temporal(match: re.Match[str]) -> TemporalValue | None:
    groups = match.groupdict()
    year = int(groups["year"])
    month_text = groups.get("month") or ""
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.casefold().rstrip("."))
    day = int(groups["day"]) if groups.get("day") else None
    if month is None or not 1 <= month <= 12:
        return None
    if day is not None:
        try:
            dt.date(year, month, day)
        except ValueError:
            return None
    return TemporalValue(year, month, day)


def _number_mention(match: re.Match[str]) -> ValueMention:
    digits = match.group("digits").replace(",", "")
    value = Decimal(digits)
    scale = match.group("scale")
    if scale:
        value *= _SCALES[scale.casefold()]
    if match.group("sign"):
        value = -value

    is_year = (not scale and not match.group("sign") and digits.isdigit() and len(digits) == 4
               and int(digits) in _YEARS)
    if is_year:
        return ValueMention("year", match.group(), match.start(), match.end(), TemporalValue(int(digits)))
    return ValueMention("number", match.group(), match.start(), match.end(), value)


def _compare_url(mention: ValueMention, term: Node, label: str) -> bool | None:
    is_url_literal = isinstance(term, Literal) and (term.datatype == XSD.anyURI
                                                    or _URL_RE.fullmatch(str(term)) is not None)
    if not isinstance(term, URIRef) and not is_url_literal:
        return None
    text = str(term)
    # An IRI that has a label is a named entity, not a web address that a question requests.
    if isinstance(term, URIRef) and label != text:
        return None
    return normalize_url(text) == mention.value


def _term_temporal(term: Node) -> TemporalValue | None:
    if not is_temporal_literal(term):
        return None
    match = re.match(r"^(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?", str(term))
    if match is None:
        return None
    year, month, day = match.groups()
    if term.datatype in (XSD.gYear,):
        return TemporalValue(int(year))
    return TemporalValue(int(year), int(month) if month else None, int(day) if day else None)


def _compare_temporal(mention: ValueMention, graph_value: TemporalValue) -> bool | None:
    """Compare at the precision both sides have: "1961" agrees with 1961-04-02.

    A claim more precise than the graph ("2 April 1961" against the year
    1961) is not comparable when the shared parts agree, because the graph
    has no day to confirm.
    """
    claimed = mention.value
    assert isinstance(claimed, TemporalValue)
    pairs = [(claimed.year, graph_value.year), (claimed.month, graph_value.month),
             (claimed.day, graph_value.day)]
    if any(left != right for left, right in pairs if left is not None and right is not None):
        return False
    if any(left is not None and right is None for left, right in pairs):
        return None
    return True


def _term_number(term: Node) -> Decimal | None:
    if not is_numeric_literal(term):
        return None
    try:
        number = Decimal(str(term).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
