"""Normalize text for matching: Unicode forms, case, accents, quotes and apostrophes.

Two functions with different contracts:

- ``prepare_text`` keeps the length of already-NFKC text, so character offsets
  into its output stay valid for the tokenizer and for reported mention spans.
- ``fold`` is lossy (case and accents removed) and is only ever compared with
  another folded string.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "has_cjk", "prepare_text", "split_local_name"]

# Quote-like characters mapped one to one onto ASCII, so offsets do not move.
_QUOTE_MAP = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
    "\u0060": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u3000": " ",
})

# Letters that NFKD does not decompose into base letter plus combining mark.
_EXTRA_FOLDS = str.maketrans({
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "ss", "æ": "ae",
    "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "ı": "i", "ħ": "h",
})

_CJK_RE = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0002fa1f]"
)
_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def prepare_text(text: str) -> str:
    """Apply NFKC and map typographic quotes, dashes and spaces to ASCII.

    Full-width forms (``？``, ``Ａ``) become their ASCII equivalents through NFKC.
    """
    return unicodedata.normalize("NFKC", text).translate(_QUOTE_MAP)


def fold(text: str) -> str:
    """Return a matching key: prepared, case-folded, accents removed, spaces collapsed."""
    prepared = prepare_text(text).translate(_EXTRA_FOLDS)
    decomposed = unicodedata.normalize("NFKD", prepared)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.casefold().split())


def has_cjk(text: str) -> bool:
    """Return whether ``text`` contains a Chinese, Japanese or Korean character."""
    return _CJK_RE.search(text) is not None


def split_local_name(local_name: str) -> str:
    """Turn an IRI local name into words: ``birthPlace`` -> ``birth Place``, ``has_genre`` -> ``has genre``.
    """
    spaced = re.sub(r"[_\-.]+", " ", local_name)
    spaced = _CAMEL_RE.sub(" ", spaced)
    return " ".join(spaced.split())
