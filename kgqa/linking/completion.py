"""Suggest entities whose label or alias starts with what a user has typed so far.

Each label is indexed under its folded form (case, accents and spacing
ignored, as the linker matches) and under every later word start, so
"york" suggests "New York". Lookups are a binary search, so they stay fast
on graphs with hundreds of thousands of labels.
"""

from __future__ import annotations

import bisect
import dataclasses

from rdflib.term import Node

from kgqa.graph.labels import LabelIndex
from kgqa.graph.terms import term_to_dict
from kgqa.normalize import fold

__all__ = ["Completion", "LabelCompleter"]


@dataclasses.dataclass(frozen=True)
class Completion:
    """One suggested entity: the label that matched, the entity's display label and the entity."""

    matched: str
    label: str
    entity: Node

    def to_dict(self) -> dict:
        return {**term_to_dict(self.entity, self.label), "matched": self.matched}


class LabelCompleter:
    """Prefix search over every label and alias of one graph."""

    def __init__(self, labels: LabelIndex) -> None:
        self._labels = labels
        keyed: list[tuple[str, int, str, Node]] = []
        for text, entity, _ in labels.surface_forms():
            folded = fold(text)
            if not folded:
                continue
            # Rank 0 for a match at the label's start, 1 for a later word start.
            keyed.append((folded, 0, text, entity))
            for offset in _word_starts(folded):
                keyed.append((folded[offset:], 1, text, entity))
        keyed.sort(key=lambda row: row[0])
        self._keys = [row[0] for row in keyed]
        self._rows = keyed

    def complete(self, prefix: str, limit: int = 10) -> list[Completion]:
        """Return up to ``limit`` entities with a label starting with ``prefix``, shortest labels first."""
        key = fold(prefix)
        if not key:
            return []

        start = bisect.bisect_left(self._keys, key)
        matches = []
        for index in range(start, len(self._rows)):
            folded, rank, text, entity = self._rows[index]
            if not folded.startswith(key):
                break
            matches.append((rank, len(text), text, entity))
            if len(matches) >= limit * 20:
                break  # enough to rank; a one-letter prefix can match most of a big graph

        matches.sort(key=lambda match: (match[0], match[1], match[2]))
        seen: set[Node] = set()
        completions = []
        for _, _, text, entity in matches:
            if entity in seen:
                continue
            seen.add(entity)
            completions.append(Completion(matched=text, label=self._labels.display(entity), entity=entity))
            if len(completions) == limit:
                break
        return completions


def _word_starts(folded: str) -> list[int]:
    return [index + 1 for index, char in enumerate(folded[:-1]) if char == " "]
