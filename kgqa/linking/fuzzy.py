"""Find entities whose labels are close to, but not equal to, a span of the question.

Two fallbacks for spans that match no label exactly:

- ``FuzzyIndex``: rapidfuzz ``ratio`` (normalized Indel similarity) between the
  folded span and every folded label, plus the *head* of labels such as
  "Alzheimer's disease" (the leading capitalized words, when the rest are
  lowercase descriptor words), so "alzeimer's" reaches that label.
- ``EmbeddingIndex``: cosine similarity between sentence embeddings of the span
  and of every label, computed once on first use.

Both return every label above a threshold. ``FuzzyIndex.search`` also drops a
label when the span differs from it by a frequent word more than one edit
away, because a typo seldom spells a frequent word: "South America" is no
misspelling of "South Africa".
``pick_closest`` then keeps the
closest label only when it is clearly ahead of the next different label, so
"Marlow Vance" links to "Marlowe Vance" when that is the only close name, but
to nothing when "Marlow Vane" is about as close.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from rdflib.term import Node
from spacy.tokens import Doc, Span

from kgqa.embedding import Embedder
from kgqa.linking.gazetteer import GazetteerEntry
from kgqa.linking.pipeline import is_ordinary_token, is_rare_word
from kgqa.normalize import fold, has_cjk, prepare_text

__all__ = [
    "EmbeddingIndex",
    "FuzzyIndex",
    "LabelHit",
    "MAX_SPAN_TOKENS",
    "MIN_SPAN_CHARS",
    "candidate_spans",
    "differs_by_typos",
    "label_head",
    "pick_closest",
]

log = logging.getLogger(__name__)

# Spans shorter than this (folded, spaces included) are never fuzzy-matched:
# one edit in a short word already reaches another real word.
MIN_SPAN_CHARS = 5
MAX_SPAN_TOKENS = 4

# A head ("Alzheimer's" of "Alzheimer's disease") is a shortened label, so a
# hit on it scores a little below the same hit on a full label.
HEAD_PENALTY = 0.02
_MIN_HEAD_CHARS = 5

_PREFIX_SCAN_LIMIT = 500

# Folded spans whose search results each index keeps. The spans a question
# leaves to the fuzzy search are mostly its ordinary words ("movies",
# "directed"): 900 MetaQA test questions made 3,597 searches over only 211
# distinct spans. The index never changes after it is built, so a kept
# result stays valid.
_SEARCH_CACHE_ENTRIES = 4096

# A possessive may end a fuzzy span because labels such as "Alzheimer's disease" contain one.
_POSSESSIVE_CLITICS = frozenset({"'s", "'"})


@dataclasses.dataclass(frozen=True)
class LabelHit:
    """A label close to a span: its entry, the folded text compared and the similarity in [0, 1]."""

    entry: GazetteerEntry
    key: str
    score: float


class FuzzyIndex:
    """Folded labels and label heads of one graph, searchable by edit similarity and by prefix."""

    def __init__(self, entries: Iterable[GazetteerEntry], stop_words: frozenset[str],
                 lang: str = "en") -> None:
        started = time.perf_counter()
        self.lang = lang
        owners: dict[str, list[tuple[GazetteerEntry, bool]]] = defaultdict(list)
        for entry in entries:
            key = fold(entry.label)
            if key:
                owners[key].append((entry, False))
            head = label_head(entry.label, stop_words)
            if head:
                owners[fold(head)].append((entry, True))

        # Keys sorted by length: a ratio of at least c needs the lengths to be
        # within a factor (2 - c) / c, so each search scans only a slice.
        self._keys = sorted(owners, key=len)
        self._lengths = [len(key) for key in self._keys]
        self._owners = [tuple(owners[key]) for key in self._keys]
        self._position = {key: position for position, key in enumerate(self._keys)}

        full_keys = sorted(key for key in owners if any(not is_head for _, is_head in owners[key]))
        self._sorted_full = full_keys
        self._words = sorted({(word, key) for key in full_keys for word in key.split()})
        self._cached_search = functools.lru_cache(maxsize=_SEARCH_CACHE_ENTRIES)(self._search)
        log.debug("built fuzzy index of %d keys in %.2f s", len(self._keys),
                  time.perf_counter() - started)

    def __len__(self) -> int:
        return len(self._keys)

    def search(self, text: str, min_score: float) -> list[LabelHit]:
        """Return the labels whose folded ``ratio`` to ``text`` is at least ``min_score`` (0-1).

        Labels that ``text`` differs from by other words than typos are left out
        (``differs_by_typos``).
        """
        query = fold(text)
        if not query:
            return []
        return list(self._cached_search(query, min_score))

    def _search(self, query: str, min_score: float) -> tuple[LabelHit, ...]:
        low, high = _length_window(len(query), min_score)
        first = bisect.bisect_left(self._lengths, low)
        last = bisect.bisect_right(self._lengths, high)
        found = process.extract(query, self._keys[first:last], scorer=fuzz.ratio,
                                score_cutoff=min_score * 100, limit=None)

        hits = []
        for key, score, offset in found:
            if not differs_by_typos(query, key, self.lang):
                continue
            for entry, is_head in self._owners[first + offset]:
                penalty = HEAD_PENALTY if is_head else 0.0
                if score / 100 - penalty >= min_score:
                    hits.append(LabelHit(entry, key, score / 100 - penalty))
        return tuple(_best_per_entity(hits))

    def complete(self, text: str, limit: int) -> list[LabelHit]:
        """Return labels for a partial name: exact, label-prefix, word-prefix, then fuzzy hits.

        An exact label scores 1.0 and a label that starts with ``text`` 0.9-1.0.
        A label with a word that starts with ``text`` scores 0.8-0.9, and any
        other label 0.8 times its rapidfuzz ``WRatio``. Within a band, shorter
        labels score higher. The fuzzy search runs only when the prefix hits
        do not fill ``limit``, because prefixes always rank above it.
        """
        query = fold(text)
        if not query:
            return []

        hits = _best_per_entity([*self._prefix_hits(query), *self._word_prefix_hits(query)])
        if len(hits) >= limit:
            return hits[:limit]

        found = process.extract(query, self._sorted_full, scorer=fuzz.WRatio, score_cutoff=70,
                                limit=limit * 3)
        for key, score, _ in found:
            for entry in self._full_entries(key):
                hits.append(LabelHit(entry, key, 0.8 * score / 100))
        return _best_per_entity(hits)[:limit]

    def _prefix_hits(self, query: str) -> Iterator[LabelHit]:
        start = bisect.bisect_left(self._sorted_full, query)
        for key in self._sorted_full[start:start + _PREFIX_SCAN_LIMIT]:
            if not key.startswith(query):
                break
            score = 1.0 if key == query else 0.9 + 0.1 * len(query) / len(key)
            for entry in self._full_entries(key):
                yield LabelHit(entry, key, score)

    def _word_prefix_hits(self, query: str) -> Iterator[LabelHit]:
        start = bisect.bisect_left(self._words, (query, ""))
        for word, key in self._words[start:start + _PREFIX_SCAN_LIMIT]:
            if not word.startswith(query):
                break
            for entry in self._full_entries(key):
                yield LabelHit(entry, key, 0.8 + 0.1 * len(query) / len(key))

    def _full_entries(self, key: str) -> list[GazetteerEntry]:
        return [entry for entry, is_head in self._owners[self._position[key]] if not is_head]


def differs_by_typos(text: str, key: str, lang: str = "en") -> bool:
    """Return whether folded ``text`` differs from the label ``key`` only by misspelled words.

    A word of ``text`` that ``key`` lacks counts as misspelled when it is a
    rare word of ``lang``, or one edit away from a word of ``key`` ("Spike
    Le"), because a typo seldom spells a frequent word. So "south america"
    is no misspelling of "south africa", nor "vatican city use" of "vatican
    city state". A differing word with digits is never a misspelling: "group
    19" is not "group 18".
    """
    key_words = key.split()
    for word in text.split():
        if word in key_words:
            continue
        if any(char.isdigit() for char in word):
            return False
        nearest = min(Levenshtein.distance(word, other) for other in key_words)
        if nearest > 1 and not is_rare_word(word, lang):
            return False
    return True


def _length_window(length: int, min_score: float) -> tuple[int, int]:
    # ratio = 2 * matches / (len_a + len_b) <= 2 * min(len) / (len_a + len_b).
    if min_score <= 0:
        return 0, 10**9
    factor = (2 - min_score) / min_score
    return int(length / factor), int(length * factor) + 1


def label_head(label: str, stop_words: frozenset[str]) -> str:
    """Return the distinctive head of a label such as "Alzheimer's disease", or "" when it has none.

    The head is the run of leading capitalized words, kept when every later
    word is a lowercase descriptor that is not a stop word.
    """
    words = prepare_text(label).split()
    capitalized = 0
    while capitalized < len(words) and words[capitalized][:1].isupper():
        capitalized += 1
    rest = words[capitalized:]
    if not capitalized or not rest:
        return ""

    if not all(word.isalpha() and word.islower() and word not in stop_words for word in rest):
        return ""
    head = " ".join(words[:capitalized])
    if len(fold(head)) < _MIN_HEAD_CHARS or fold(head) in stop_words:
        return ""
    return head


def _best_per_entity(hits: list[LabelHit]) -> list[LabelHit]:
    best: dict[Node, LabelHit] = {}
    for hit in hits:
        current = best.get(hit.entry.entity)
        if current is None or _rank_key(hit) > _rank_key(current):
            best[hit.entry.entity] = hit
    return sorted(best.values(),
                  key=lambda hit: (-hit.score, hit.entry.priority, str(hit.entry.entity)))


def _rank_key(hit: LabelHit) -> tuple[float, int]:
    return hit.score, -hit.entry.priority


def pick_closest(hits: list[LabelHit], margin: float) -> tuple[list[LabelHit], bool]:
    """Split hits into the closest label's entities and a flag saying whether the choice is clear.

    Entities that share the closest label are homographs, which the
    disambiguator ranks. Any other label scoring within ``margin`` of the
    closest makes the choice unclear, and the caller then links nothing.
    """
    if not hits:
        return [], False

    best_key = hits[0].key
    best_score = hits[0].score
    closest = [hit for hit in hits if hit.key == best_key]
    rivals = [hit for hit in hits if hit.key != best_key and fold(hit.entry.label) != best_key]
    clear = not rivals or best_score - rivals[0].score >= margin
    return closest, clear


def candidate_spans(doc: Doc, free: list[bool],
                    units: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Yield token spans ``[start, end)`` worth a fuzzy search, longest first.

    A span has 1-4 free tokens (tokens not part of an exact link) and at least
    ``MIN_SPAN_CHARS`` characters. It has no CJK text, and at least one of its
    tokens is not an ordinary word. It neither starts nor ends with punctuation
    or a stop word, except a final possessive. A span never cuts a unit (a run
    of capitalized words or a bracketed mention) in two.
    """
    cut_points = _unit_cut_points(units)
    for length in range(MAX_SPAN_TOKENS, 0, -1):
        for start in range(0, len(doc) - length + 1):
            end = start + length
            if not all(free[start:end]) or start in cut_points or end in cut_points:
                continue
            if _is_fuzzy_candidate(doc[start:end]):
                yield start, end


def _unit_cut_points(units: list[tuple[int, int]]) -> set[int]:
    return {index for start, end in units for index in range(start + 1, end)}


def _is_fuzzy_candidate(span: Span) -> bool:
    first, last = span[0], span[-1]
    if first.is_punct or last.is_punct or first.is_stop:
        return False
    if last.is_stop and last.norm_ not in _POSSESSIVE_CLITICS:
        return False
    if has_cjk(span.text) or len(fold(span.text)) < MIN_SPAN_CHARS:
        return False
    return not all(is_ordinary_token(token) for token in span)


class EmbeddingIndex:
    """Sentence embeddings of every distinct label, computed on first search unless given.

    ``texts`` fixes the row order of ``matrix``; a cache of the matrix is valid
    for as long as the graph content (and so ``texts``) is unchanged.
    """

    def __init__(self, entries: Iterable[GazetteerEntry], embedder: Embedder,
                 matrix: np.ndarray | None = None) -> None:
        owners: dict[str, list[GazetteerEntry]] = defaultdict(list)
        for entry in entries:
            owners[" ".join(prepare_text(entry.label).split())].append(entry)
        self.texts = sorted(owners)
        self._owners = [owners[text] for text in self.texts]
        self._embedder = embedder
        self._matrix = self._checked(matrix)
        self._lock = threading.Lock()

    def _checked(self, matrix: np.ndarray | None) -> np.ndarray | None:
        if matrix is None:
            return None
        expected = (len(self.texts), self._embedder.dimension)
        if matrix.shape != expected:
            log.warning("ignoring precomputed label embeddings of shape %s; expected %s for this "
                        "graph, so they will be recomputed", matrix.shape, expected)
            return None
        return matrix.astype(np.float32, copy=False)

    @property
    def matrix(self) -> np.ndarray:
        """Unit-length label embeddings, one row per entry of ``texts``."""
        with self._lock:
            if self._matrix is None:
                started = time.perf_counter()
                self._matrix = self._embedder.encode_many(self.texts)
                log.info("embedded %d labels in %.1f s", len(self.texts),
                         time.perf_counter() - started)
            return self._matrix

    def search(self, text: str, min_similarity: float, limit: int = 10) -> list[LabelHit]:
        """Return the labels whose cosine similarity to ``text`` is at least ``min_similarity``."""
        if not self.texts or not text.strip():
            return []

        query = self._embedder.encode([text])[0]
        similarities = self.matrix @ query
        order = np.argsort(-similarities)[:limit]

        hits = []
        for index in order:
            similarity = float(similarities[index])
            if similarity < min_similarity:
                break
            hits.extend(LabelHit(entry, fold(self.texts[index]), similarity)
                        for entry in self._owners[index])
        return _best_per_entity(hits)

