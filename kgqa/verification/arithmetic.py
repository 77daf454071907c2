"""Find simple arithmetic in text and evaluate it exactly, without ``eval``.

Only numbers, parentheses and ``+ - * / // % **`` (also written ``×``,
``÷``, ``^`` and as words: plus, minus, times, multiplied by, divided by,
modulo, to the power of) are accepted. Expressions are parsed with ``ast``
and every node is checked against that list, so no name, call or attribute
can run. Values are ``Fraction`` throughout, so ``0.1 + 0.2`` is exactly
``0.3``. Limits on the length, the digits and the result size keep a huge
exponent from hanging the process: such input is rejected with
``InvalidExpression`` before anything is computed.
"""

from __future__ import annotations

import ast
import dataclasses
import operator
import re
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from kgqa.errors import InvalidExpression

__all__ = [
    "Equation",
    "Expression",
    "MAX_EXPRESSION_CHARS",
    "MAX_RESULT_BITS",
    "agrees",
    "evaluate",
    "find_equations",
    "find_expressions",
    "format_exact",
    "question_expression",
]

MAX_EXPRESSION_CHARS = 200
MAX_NUMBER_DIGITS = 40
MAX_OPERATORS = 24
# About 1,200 decimal digits: larger results are rejected, not computed.
MAX_RESULT_BITS = 4000

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
# Word operators first, so "multiplied by" is not read as a name. A "%" needs
# spaces around it, because "5% of" is a percentage, not a modulo.
_OPERATOR = (r"\*\*|//|[-+*/^\u00d7\u00f7]|\s%\s|\bplus\b|\bminus\b|\btimes\b|\bmultiplied\s+by\b|"
             r"\bdivided\s+by\b|\bmod(?:ulo)?\b|\b(?:raised\s+)?to\s+the\s+power\s+of\b")
_OPERAND = rf"\(*\s*-?\s*(?:{_NUMBER})\s*\)*"
_EXPRESSION_RE = re.compile(rf"(?<![\w.,]){_OPERAND}(?:\s*(?:{_OPERATOR})\s*{_OPERAND})+(?!\w|\.\d)",
                            re.IGNORECASE)
_RESULT_RE = re.compile(
    rf"\s*(?:==?|\bequals\b|\bis\s+equal\s+to\b|\bis\b|\bmakes\b|\bgives\b|\bcomes\s+to\b)\s*"
    rf"(?:exactly\s+|about\s+|approximately\s+)?(?P<value>-?\s*(?:{_NUMBER}))(?![\w]|\.\d)",
    re.IGNORECASE,
)
# Number shapes that are dates, year ranges or versions, never sums or quotients.
_NOT_ARITHMETIC = (
    re.compile(r"^\d{4}-\d{1,2}(?:-\d{1,2})?$"),
    re.compile(r"^\d{1,2}[/-]\d{1,2}[/-]\d{2,4}$"),
    re.compile(r"^\d{4}[-/]\d{2,4}$"),
)
_WORD_OPERATORS = (
    (re.compile(r"\b(?:raised\s+)?to\s+the\s+power\s+of\b", re.IGNORECASE), "**"),
    (re.compile(r"\bmultiplied\s+by\b|\btimes\b", re.IGNORECASE), "*"),
    (re.compile(r"\bdivided\s+by\b", re.IGNORECASE), "/"),
    (re.compile(r"\bplus\b", re.IGNORECASE), "+"),
    (re.compile(r"\bminus\b", re.IGNORECASE), "-"),
    (re.compile(r"\bmod(?:ulo)?\b", re.IGNORECASE), "%"),
)
# Words a question may wrap around an expression and still be only a calculation.
_QUESTION_FILLER = frozenset({
    "what", "whats", "is", "are", "the", "result", "value", "answer", "of", "calculate", "compute",
    "evaluate", "work", "out", "how", "much", "does", "do", "make", "makes", "equal", "equals",
    "please", "tell", "me", "can", "you", "could", "would", "give", "sum", "product", "quotient",
    "difference", "exactly",
})

_BINARY: dict[type, Callable[[Fraction, Fraction], Fraction]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}


@dataclasses.dataclass(frozen=True)
class Expression:
    """An arithmetic expression found in text, and its exact value or the reason it has none.

    ``start`` and ``end`` are character offsets into the searched text, and
    ``text`` is the expression as written there.
    """

    text: str
    start: int
    end: int
    value: Fraction | None
    error: str | None = None


@dataclasses.dataclass(frozen=True)
class Equation:
    """A stated result of an expression ("3 + 13 = 23"): the expression and the value the text gives."""

    expression: Expression
    stated_text: str
    stated: Fraction
    stated_places: int
    start: int
    end: int


def evaluate(expression: str) -> Fraction:
    """Evaluate ``expression`` exactly.

    Raises:
        InvalidExpression: the text is not arithmetic of the accepted form, it
            divides by zero, or a number or the result is beyond the size limits.
    """
    source = _to_python(expression)
    if len(source) > MAX_EXPRESSION_CHARS:
        raise InvalidExpression(f"The expression has {len(source)} characters; the limit is "
                                f"{MAX_EXPRESSION_CHARS}. Split it into smaller steps.")

    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        raise InvalidExpression(f"{expression!r} is not a valid arithmetic expression. Use numbers, "
                                "parentheses and + - * / // % ** only.") from error
    operators = sum(isinstance(node, ast.BinOp | ast.UnaryOp) for node in ast.walk(tree))
    if operators > MAX_OPERATORS:
        raise InvalidExpression(f"{expression!r} has {operators} operators; the limit is "
                                f"{MAX_OPERATORS}. Split it into smaller steps.")

    try:
        return _evaluate_node(tree.body, source)
    except ZeroDivisionError as error:
        raise InvalidExpression(f"{expression!r} divides by zero, so it has no value.") from error


def find_expressions(text: str) -> list[Expression]:
    """Find the arithmetic expressions in ``text``, each with its value or its evaluation error.

    Dates (``1961-04-02``, ``2/4/1961``) and year ranges (``1998-2001``) are
    not arithmetic and are skipped.
    """
    found = []
    for match in _EXPRESSION_RE.finditer(text):
        start, end = _trim_parentheses(text, match.start(), match.end())
        written = text[start:end]
        if any(pattern.match(written.replace(" ", "")) for pattern in _NOT_ARITHMETIC):
            continue
        try:
            found.append(Expression(written, start, end, evaluate(written)))
        except InvalidExpression as error:
            found.append(Expression(written, start, end, None, error.message))
    return found


def find_equations(text: str) -> list[Equation]:
    """Find stated results of arithmetic ("3 + 13 = 23", "12 times 4 is 48") in ``text``."""
    equations = []
    for expression in find_expressions(text):
        match = _RESULT_RE.match(text, expression.end)
        if match is None:
            continue
        stated_text = match.group("value")
        cleaned = stated_text.replace(",", "").replace(" ", "")
        places = len(cleaned.split(".")[1]) if "." in cleaned else 0
        equations.append(Equation(expression, stated_text, Fraction(Decimal(cleaned)), places,
                                  expression.start, match.end()))
    return equations


def question_expression(question: str) -> Expression | None:
    """Return the expression that a question requests to calculate ("What is 3 + 13?"), or None.

    The question must be only the expression wrapped in question words, so a
    question that merely contains numbers ("Who led Google 2001 - 2011?") is
    not taken for a calculation.
    """
    expressions = find_expressions(question)
    if len(expressions) != 1:
        return None

    expression = expressions[0]
    rest = question[:expression.start] + " " + question[expression.end:]
    words = re.findall(r"[^\W\d_]+", rest.casefold().replace("'", ""))
    if any(word not in _QUESTION_FILLER for word in words):
        return None
    return expression


def format_exact(value: Fraction) -> str:
    """Write ``value`` exactly: an integer, a terminating decimal, or ``p/q (about x)``."""
    if value.denominator == 1:
        return str(value.numerator)

    places = _decimal_places(value.denominator)
    if places is not None:
        scaled = abs(value.numerator) * 10**places // value.denominator
        digits = str(scaled).rjust(places + 1, "0")
        sign = "-" if value < 0 else ""
        return f"{sign}{digits[:-places]}.{digits[-places:]}"

    approximate = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{value.numerator}/{value.denominator} (about {approximate:.6g})"


def agrees(stated: Fraction, places: int, exact: Fraction) -> bool:
    """Return whether a stated value equals ``exact``, or rounds it correctly to its ``places`` decimals.

    ``10 / 3 = 3.33`` agrees (the exact value has no finite decimal form and
    3.33 is it rounded to two places); ``10 / 4 = 2.3`` does not.
    """
    if stated == exact:
        return True
    if places == 0 or _decimal_places(exact.denominator) is not None:
        return False
    return abs(exact - stated) <= Fraction(1, 2 * 10**places)


def _to_python(expression: str) -> str:
    source = expression.replace("\u00d7", "*").replace("\u00f7", "/").replace("^", "**")
    for pattern, symbol in _WORD_OPERATORS:
        source = pattern.sub(f" {symbol} ", source)
    source = re.sub(r"(?<=\d),(?=\d{3})", "", source)
    # Python rejects leading zeros ("08"), which written numbers may have.
    source = re.sub(r"(?<![\d.])0+(?=\d)", "", source)
    return " ".join(source.split())


def _trim_parentheses(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop unbalanced parentheses and spaces at the edges of a match ("(3 + 4" -> "3 + 4")."""
    while start < end and text[start] in "( " and \
            text.count("(", start, end) > text.count(")", start, end):
        start += 1
    while end > start and text[end - 1] in ") " and \
            text.count(")", start, end) > text.count("(", start, end):
        end -= 1
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    return start, end


def _evaluate_node(node: ast.AST, source: str) -> Fraction:
    if isinstance(node, ast.Constant):
        return _number(node, source)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _evaluate_node(node.operand, source)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        return _power(_evaluate_node(node.left, source), _evaluate_node(node.right, source))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left = _evaluate_node(node.left, source)
        right = _evaluate_node(node.right, source)
        return _checked_size(_BINARY[type(node.op)](left, right))

    written = ast.get_source_segment(source, node) or source
    raise InvalidExpression(f"{written!r} is not allowed in arithmetic. Use numbers, parentheses "
                            "and + - * / // % ** only.")


def _number(node: ast.Constant, source: str) -> Fraction:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidExpression(f"{value!r} is not a number. Use numbers and + - * / // % ** only.")

    # The written digits, not the float, so 0.1 stays exactly one tenth.
    written = ast.get_source_segment(source, node) or repr(value)
    digits = sum(char.isdigit() for char in written)
    if digits > MAX_NUMBER_DIGITS:
        raise InvalidExpression(f"The number {written[:20]}... has {digits} digits; the limit is "
                                f"{MAX_NUMBER_DIGITS}.")
    return Fraction(Decimal(written))


def _power(base: Fraction, exponent: Fraction) -> Fraction:
    """Raise ``base`` to an integer ``exponent``, refusing results beyond ``MAX_RESULT_BITS``."""
    if exponent.denominator != 1:
        raise InvalidExpression(f"The exponent {format_exact(exponent)} is not an integer; only "
                                "integer powers are exact.")

    power = abs(exponent.numerator)
    size_bits = max(base.numerator.bit_length(), base.denominator.bit_length())
    if base not in (0, 1, -1) and (size_bits - 1) * power > MAX_RESULT_BITS:
        raise InvalidExpression(f"The power with exponent {exponent.numerator} is too large to "
                                f"compute exactly (more than {MAX_RESULT_BITS} bits).")
    return _checked_size(base ** exponent.numerator)


def _checked_size(value: Fraction) -> Fraction:
    if max(value.numerator.bit_length(), value.denominator.bit_length()) > MAX_RESULT_BITS:
        raise InvalidExpression(f"The result is too large to compute exactly (more than "
                                f"{MAX_RESULT_BITS} bits).")
    return value


def _decimal_places(denominator: int) -> int | None:
    """Return how many decimals 1/denominator needs, or None when its decimal form never ends."""
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    return max(twos, fives) if denominator == 1 else None
