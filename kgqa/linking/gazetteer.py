"""Match every label and alias of a graph's entities in a question with a spaCy PhraseMatcher.

The graph is the gazetteer: each label (all languages, given or derived from
the IRI) is tokenized with the linker's pipeline and added as a pattern on the
``NORM`` attribute, which ``kgqa_norms`` sets to the folded token. So "Bjork"
matches "Björk", "HARLOW’S" matches "Harlow's", and 鲁迅 matches inside
unsegmented Chinese. Relations (terms used as predicates) and literals are
not entities and are left out.

Classes are in the gazetteer too, with ``is_class`` set on their entries,
because a class word in a question ("Which *currency* ...") is a type
constraint that the linker reports apart from the entities. A class label
also matches in the singular and the plural ("countries", "people" for
"person"), and so does the local name of the class IRI ("element" for
``onto:Element`` labelled "chemical element"). The terms of the RDF, RDFS,
OWL and XSD vocabularies (``rdf:Property``, ``rdfs:Class``) describe the
schema, not the domain, and are left out.

A ``Gazetteer`` pickles as its pattern table only; the PhraseMatcher is rebuilt
from that table against the vocabulary of the first document it matches.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from kgqa.graph.classes import ClassIndex
from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.graph.labels import LOCAL_NAME_PRIORITY, LabelIndex, derived_label
from kgqa.linking.inflection import inflections
from kgqa.linking.pipeline import TITLE_CONNECTORS, token_norm
from kgqa.normalize import fold, prepare_text

__all__ = ["Gazetteer", "GazetteerEntry", "GazetteerMatch", "same_case"]

log = logging.getLogger(__name__)

_CACHE_KEY = "linking.gazetteer"
_MATCH_KEY = "KGQA_ENTITY"
_BUILD_BATCH = 2000

_SCHEMA_NAMESPACES = tuple(str(namespace) for namespace in (RDF, RDFS, OWL, XSD))


@dataclasses.dataclass(frozen=True)
class GazetteerEntry:
    """One label of one entity; ``priority`` and ``lang`` come from ``kgqa.graph.labels.Label``.

    For a class (``is_class``), ``label`` may be an inflected form of the
    class label ("countries"), or the local name of its IRI.
    """

    entity: Node
    label: str
    lang: str | None
    priority: int
    is_class: bool = False


@dataclasses.dataclass(frozen=True)
class GazetteerMatch:
    """A token span ``[start, end)`` of the question whose folded tokens equal a label."""

    start: int
    end: int
    entries: tuple[GazetteerEntry, ...]


class Gazetteer:
    """Label patterns of one graph and the PhraseMatcher built from them.

    ``patterns`` maps the folded tokens of a label to every entry that has
    that label; homographs ("Jaguar" the company, "jaguar" the species) share
    one key.
    """

    def __init__(self, patterns: dict[tuple[str, ...], tuple[GazetteerEntry, ...]]) -> None:
        self.patterns = patterns
        self._matcher: PhraseMatcher | None = None
        self._vocab: Vocab | None = None
        self._title_heads: frozenset[str] | None = None
        self._lock = threading.Lock()

    @classmethod
    def for_graph(cls, kg: KnowledgeGraph, nlp: Language) -> Gazetteer:
        """Return the gazetteer of ``kg``, building it once and keeping it in ``kg.cache``."""
        gazetteer = kg.cache.get(_CACHE_KEY)
        if not isinstance(gazetteer, cls):
            started = time.perf_counter()
            gazetteer = cls.build(kg.labels, nlp, kg.classes)
            log.info("built gazetteer of graph %s: %d patterns, %d entities in %.2f s",
                     kg.name, len(gazetteer.patterns), gazetteer.entity_count(),
                     time.perf_counter() - started)
            kg.cache[_CACHE_KEY] = gazetteer
        return gazetteer

    @classmethod
    def build(cls, labels: LabelIndex, nlp: Language,
              classes: ClassIndex | None = None) -> Gazetteer:
        """Tokenize every entity label with ``nlp.tokenizer`` and index it by its folded tokens.

        ``classes`` marks the class terms; without it every term is an entity.
        """
        entries_by_text: dict[str, list[GazetteerEntry]] = defaultdict(list)
        for entry in _entries(labels, classes or ClassIndex()):
            cleaned = " ".join(prepare_text(entry.label).split())
            if cleaned:
                entries_by_text[cleaned].append(entry)

        patterns: dict[tuple[str, ...], list[GazetteerEntry]] = defaultdict(list)
        texts = list(entries_by_text)
        docs = nlp.tokenizer.pipe(texts, batch_size=_BUILD_BATCH)
        for text, doc in zip(texts, docs, strict=True):
            key = tuple(token_norm(token.text) for token in doc if not token.is_space)
            if key:
                patterns[key].extend(entries_by_text[text])

        return cls({key: tuple(dict.fromkeys(entries)) for key, entries in patterns.items()})

    def entries(self) -> Iterator[GazetteerEntry]:
        """Yield every entry of every pattern."""
        for entries in self.patterns.values():
            yield from entries

    def entity_count(self) -> int:
        """Return the number of distinct entities that have at least one pattern."""
        return len({entry.entity for entry in self.entries() if not entry.is_class})

    def title_heads(self) -> frozenset[str]:
        """Return the folded words that precede "of" or "the" between capitalized label words.

        "Isle of Man" gives "isle" and "Republic of the Congo" gives
        "republic". A question's capitalized words joined by "of" or "the"
        form one name only after such a word, so "Isle of Skye" is one
        unknown name but "CEO of Google" is not.
        """
        if self._title_heads is None:
            self._title_heads = frozenset(
                head for entry in self.entries() for head in _title_heads(entry.label))
        return self._title_heads

    def match(self, doc: Doc) -> list[GazetteerMatch]:
        """Return every span of ``doc`` that equals a label, overlapping spans included.

        ``doc`` must have gone through the ``kgqa_norms`` component.
        """
        matcher = self._matcher_for(doc.vocab)
        spans = sorted({(start, end) for _, start, end in matcher(doc)})

        matches = []
        for start, end in spans:
            key = tuple(token.norm_ for token in doc[start:end])
            entries = self.patterns.get(key)
            if entries:
                matches.append(GazetteerMatch(start, end, entries))
        return matches

    def prepare(self, vocab: Vocab) -> None:
        """Build the PhraseMatcher for ``vocab`` and the title heads now, not on the first question."""
        self._matcher_for(vocab)
        self.title_heads()

    def _matcher_for(self, vocab: Vocab) -> PhraseMatcher:
        with self._lock:
            if self._matcher is None or self._vocab is not vocab:
                self._matcher = _build_matcher(vocab, self.patterns)
                self._vocab = vocab
            return self._matcher

    def __len__(self) -> int:
        return len(self.patterns)

    def __getstate__(self) -> dict[str, Any]:
        return {"patterns": self.patterns}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.patterns = state["patterns"]
        self._matcher = None
        self._vocab = None
        self._title_heads = None
        self._lock = threading.Lock()


def _entries(labels: LabelIndex, classes: ClassIndex) -> Iterator[GazetteerEntry]:
    """Yield an entry per entity label, and per inflected form of each class label."""
    for text, term, label in labels.surface_forms():
        if isinstance(term, Literal) or labels.is_relation(term) or _is_schema_term(term):
            continue
        if not classes.is_class(term):
            yield GazetteerEntry(term, text, label.lang, label.priority)
            continue
        for form in sorted(inflections(text)):
            yield GazetteerEntry(term, form, label.lang, label.priority, is_class=True)

    # A class inferred only from a property's domain (foaf:Person from
    # foaf:mbox) has no label at all. So every class also matches by its local name.
    for term in sorted(classes.classes(), key=str):
        if isinstance(term, URIRef) and not _is_schema_term(term):
            name = derived_label(str(term))
            if name.replace(" ", "").isalpha():
                for form in sorted(inflections(name)):
                    yield GazetteerEntry(term, form, None, LOCAL_NAME_PRIORITY, is_class=True)


def _is_schema_term(term: Node) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(_SCHEMA_NAMESPACES)


def _title_heads(label: str) -> Iterator[str]:
    """Yield the folded word before each "of" or "the" that joins two capitalized words."""
    words = prepare_text(label).split()
    for index in range(1, len(words) - 1):
        head = words[index - 1]
        if fold(words[index]) not in TITLE_CONNECTORS or fold(head) in TITLE_CONNECTORS:
            continue

        after = index + 1
        while after < len(words) and fold(words[after]) in TITLE_CONNECTORS:
            after += 1
        # "Aguirre, the Wrath of God": a comma ends the name before "the".
        capitalized_head = head[:1].isupper() and head[-1:].isalnum()
        if capitalized_head and after < len(words) and words[after][:1].isupper():
            yield fold(head)


def _build_matcher(vocab: Vocab, keys: Iterable[tuple[str, ...]]) -> PhraseMatcher:
    started = time.perf_counter()
    matcher = PhraseMatcher(vocab, attr="NORM")
    docs = []
    for key in keys:
        doc = Doc(vocab, words=list(key), spaces=[False] * len(key))
        for token, norm in zip(doc, key, strict=True):
            token.norm_ = norm
        docs.append(doc)
    matcher.add(_MATCH_KEY, docs)
    log.debug("built PhraseMatcher of %d patterns in %.2f s", len(docs),
              time.perf_counter() - started)
    return matcher


def same_case(mention: str, label: str) -> bool:
    """Return whether a mention spells a label with the same capitals, accents and spaces aside."""
    return _accents_removed(mention) == _accents_removed(label)


def _accents_removed(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", prepare_text(text))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.split())
