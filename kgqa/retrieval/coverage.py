"""Check which relation words of a question each relation explains.

A question names the relation it asks for with a few content words
("melting point", "CEO", "born"; see ``relation_words``). A relation
explains a word when one of its labels or aliases

- contains the word up to inflection (``stems_match``: "headquartered" and
  "headquarters", "discovered" and "year of discovery"), or
- is close to it in meaning: the cosine of the word's embedding and the
  embedding of the whole label, or of one label word, is at least
  ``WORD_MIN_SIMILARITY``. A light verb is compared together with the
  question's focus noun, because the two name the relation together: "people
  live" is close to "population", "live" alone is not.

A path explains the words that any of its steps explains. A one-step path
also explains the words its values name, which helps relations with opaque
labels: "email" is close to the value "mailto:alice@example.org" of
``foaf:mbox`` (0.60), not to "mbox" (0.21). Only values without a label of
their own (literals, unlabelled IRIs) are compared. The answerer treats a
path that leaves a word unexplained as a near miss ("atomic weight" for
"melting point").
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import numpy as np
from rdflib import URIRef

from kgqa.embedding import Embedder
from kgqa.graph.labels import LabelIndex
from kgqa.retrieval.words import WORD_RE, content_stems, stem, stems_match

__all__ = ["VALUE_SAMPLE", "WORD_MIN_SIMILARITY", "explained_by_values", "explained_words"]

# Cosines of all-MiniLM-L6-v2, measured on single words against relation
# labels. Paraphrases score 0.49 to 0.85: "mass" / "atomic weight" 0.49, "born"
# / "birth place" 0.60, "eat" / "diet" 0.75, "CEO" / "chief executive" 0.81.
# Near misses mostly score 0.20 to 0.37: "melting point" / "atomic weight" 0.32,
# "revenue" / "chief executive" 0.31, "president" / "capital" 0.29. The highest
# near miss below the threshold is "employees" / "chief executive" at 0.46.
# NOTE: some near misses score above the threshold and pass as paraphrases,
# for example "GDP" / "currency" (0.55) and "GDP" / "population" (0.48).
WORD_MIN_SIMILARITY = 0.47
# Values of a one-step path compared with the words its labels leave unexplained.
VALUE_SAMPLE = 3
# Distinct alias lists whose texts and stems are kept: a graph has one per relation.
_ALIAS_CACHE_ENTRIES = 4096


def explained_words(words: list[str], relations: Iterable[URIRef], labels: LabelIndex,
                    embedder: Embedder | None,
                    focus: str | None = None) -> dict[URIRef, frozenset[str]]:
    """Return, for each relation, the subset of ``words`` that its labels explain.

    ``focus`` is the noun the question word restricts ("how many *people*"),
    see ``kgqa.retrieval.words.focus_word``. Without an embedder only stems
    are compared.
    """
    relations = list(dict.fromkeys(relations))
    if not words:
        return {relation: frozenset() for relation in relations}

    texts_by_relation = {relation: _label_texts(tuple(labels.relation_labels(relation)))
                         for relation in relations}
    phrases = {word: f"{focus} {word}" if focus and focus != word else word for word in words}
    similarity = _similarities([*words, *phrases.values()], texts_by_relation, embedder)

    explained: dict[URIRef, frozenset[str]] = {}
    for relation, texts in texts_by_relation.items():
        label_stems = _texts_stems(texts)
        explained[relation] = frozenset(
            word for word in words
            if any(stems_match(stem(word), label_stem) for label_stem in label_stems)
            or (similarity and max(max(similarity[(word, text)], similarity[(phrases[word], text)])
                                   for text in texts) >= WORD_MIN_SIMILARITY)
        )
    return explained


# The two helpers below are cached because scoring calls them for every
# question with the same few relations, and their results are immutable.
@functools.lru_cache(maxsize=_ALIAS_CACHE_ENTRIES)
def _label_texts(aliases: tuple[str, ...]) -> tuple[str, ...]:
    """Return each alias and each of its words, so "atomic weight" also offers "weight"."""
    texts = list(aliases)
    for alias in aliases:
        words = WORD_RE.findall(alias)
        if len(words) > 1:
            texts.extend(word for word in words if content_stems(word))
    return tuple(dict.fromkeys(texts))


@functools.lru_cache(maxsize=_ALIAS_CACHE_ENTRIES)
def _texts_stems(texts: tuple[str, ...]) -> frozenset[str]:
    return frozenset().union(*(content_stems(text) for text in texts))


def _similarities(words: list[str], texts_by_relation: dict[URIRef, tuple[str, ...]],
                  embedder: Embedder | None) -> dict[tuple[str, str], float]:
    """Return the cosine of every (question word, label text) pair; empty without an embedder."""
    if embedder is None:
        return {}
    words = list(dict.fromkeys(words))
    texts = list(dict.fromkeys(text for texts in texts_by_relation.values() for text in texts))
    vectors = embedder.encode([*words, *texts])
    word_vectors, text_vectors = vectors[: len(words)], vectors[len(words):]
    matrix = np.asarray(word_vectors @ text_vectors.T)
    return {(word, text): float(matrix[i, j])
            for i, word in enumerate(words) for j, text in enumerate(texts)}


def explained_by_values(words: list[str], values: list[str],
                        embedder: Embedder | None) -> frozenset[str]:
    """Return the subset of ``words`` that one of the value texts names (cosine threshold)."""
    if not words or not values or embedder is None:
        return frozenset()
    vectors = embedder.encode([*words, *values])
    matrix = np.asarray(vectors[: len(words)] @ vectors[len(words):].T)
    return frozenset(word for word, row in zip(words, matrix, strict=True)
                     if float(row.max()) >= WORD_MIN_SIMILARITY)
