"""Find the graph's entities in a question: the public entry point of the linking layer.

Steps of ``EntityLinker.link``:

1. Normalize the question (``prepare_text``) and run the spaCy pipeline.
2. Find exact matches with the gazetteer and apply two guards. Everyday
   words ("up", "what", "In") link only when bracketed, or when spelled with
   the label's capitals where capitals mark a name. Capitals mark no name at
   the start of a sentence, in a question in title case or in capitals, or
   in the pronoun "I". A match that is only part of a longer capitalized
   name ("Paris" in "Paris Hilton") is dropped. Among overlapping matches the
   longest wins, then the earliest. A match of a class label ("currency",
   "countries") is a type constraint: it goes to ``LinkResult.classes``,
   stays unmasked, and never becomes an entity.
   Capitalized words that no label covers are unknown names
   (``pipeline.name_runs``), unless they spell a relation label ("Chief
   Executive").
3. Search labels with typo tolerance (rapidfuzz) on the remaining tokens,
   then with the embedding fallback on the remaining capitalized names and
   bracketed spans. Both link only when the closest label is clearly ahead of
   the next different one.
4. Disambiguate mentions that name several entities.

Nothing is guessed: a question with no match has no linked entities.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

import numpy as np
from rdflib import URIRef
from rdflib.term import Node
from spacy.language import Language
from spacy.tokens import Doc, Span

from kgqa.embedding import Embedder
from kgqa.errors import InvalidInput
from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.graph.labels import derived_label
from kgqa.linking.disambiguation import Disambiguator, RelationFit, Sense
from kgqa.linking.fuzzy import EmbeddingIndex, FuzzyIndex, LabelHit, candidate_spans, pick_closest
from kgqa.linking.gazetteer import Gazetteer, GazetteerEntry, GazetteerMatch, same_case
from kgqa.linking.mentions import Candidate, LinkedEntity
from kgqa.linking.pipeline import (
    QUESTION_WORDS,
    bracket_spans,
    is_cjk_char,
    is_name_like,
    is_ordinary_token,
    is_sentence_start,
    is_title_case,
    name_runs,
)
from kgqa.normalize import fold, has_cjk, prepare_text
from kgqa.settings import Settings

__all__ = ["AmbiguousMention", "EMBEDDING_MIN_SIMILARITY", "EntityLinker", "LinkResult"]

log = logging.getLogger(__name__)

MASK = "NE"

# Cosine similarity of all-MiniLM-L6-v2 embeddings above which a name links
# to a label it does not spell: names with a shared first word ("Paris
# Hilton", "Paris") still stay below it.
EMBEDDING_MIN_SIMILARITY = 0.85
EMBEDDING_MARGIN = 0.03
# Rapidfuzz ratio points (0-1 scale) by which the closest label must beat the
# next different label: "Marlow Vance" is 0.96 from "Marlowe Vance" and 0.957
# from "Marlow Vane", too close to choose.
FUZZY_MARGIN = 0.03

_FUZZY_CACHE_KEY = "linking.fuzzy_index"


@dataclasses.dataclass
class AmbiguousMention:
    """A span about equally close to several different labels, so nothing is linked for it."""

    mention: str
    start: int
    end: int
    method: str
    candidates: list[Candidate]

    def to_dict(self) -> dict[str, Any]:
        return {
            "mention": self.mention,
            "start": self.start,
            "end": self.end,
            "method": self.method,
            "candidates": [candidate.to_dict() for candidate in self.candidates],
        }


@dataclasses.dataclass
class LinkResult:
    """Entities found in one question.

    Character offsets index into ``normalized_question``. ``masked_question``
    is ``normalized_question`` with each linked entity mention (and its
    brackets) replaced by ``NE``. ``unlinked_names`` are capitalized or
    bracketed names that matched nothing; ``ambiguous`` are spans with several
    equally close labels. ``classes`` are the class mentions ("Which
    *countries* ..."), each with its most populated class first and other
    classes of the same label as alternatives.
    """

    question: str
    normalized_question: str
    doc: Doc
    entities: list[LinkedEntity]
    masked_question: str
    unlinked_names: list[str]
    ambiguous: list[AmbiguousMention] = dataclasses.field(default_factory=list)
    classes: list[LinkedEntity] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class _Mention:
    start: int
    end: int
    method: str
    senses: list[Sense]
    others: list[Candidate] = dataclasses.field(default_factory=list)
    is_class: bool = False


class EntityLinker:
    """Link questions to the entities of one graph.

    Parameters:
        kg: the graph; its gazetteer and fuzzy index are built on first use
            and kept in ``kg.cache``.
        nlp: a pipeline from ``kgqa.linking.pipeline.build_nlp``.
        embedder: enables the embedding fallback and context similarity.
        settings: read for ``fuzzy_min_score`` and ``max_question_chars``.
        relation_fit: ``(entity, masked_question) -> [0, 1]``, how well the
            entity's relations fit the question; used to disambiguate.
        gazetteer: a prebuilt (for example unpickled) gazetteer of ``kg``.
        label_embeddings: a precomputed matrix for ``embedding_texts``.

    NOTE: without ``label_embeddings``, the first embedding search encodes every
    label: about 70 s for 43,000 labels (measured at 1.6 ms per label with
    all-MiniLM-L6-v2 on a 2-core CPU). Pass a cached matrix, or call
    ``label_embeddings()`` while loading the graph.
    """

    def __init__(self, kg: KnowledgeGraph, nlp: Language, embedder: Embedder | None = None,
                 settings: Settings | None = None, relation_fit: RelationFit | None = None, *,
                 gazetteer: Gazetteer | None = None,
                 label_embeddings: np.ndarray | None = None) -> None:
        self.kg = kg
        self.nlp = nlp
        self.embedder = embedder
        self.settings = settings or Settings()
        self.gazetteer = gazetteer or Gazetteer.for_graph(kg, nlp)
        self.gazetteer.prepare(nlp.vocab)
        self.fuzzy_index = self._fuzzy_index_for(kg, nlp)
        self.disambiguator = Disambiguator(kg, embedder, relation_fit)
        self._relation_keys = frozenset(
            fold(text) for predicate in kg.labels.relations()
            for text in kg.labels.relation_labels(predicate))
        self._embedding_index = None
        if embedder is not None:
            self._embedding_index = EmbeddingIndex(self._entity_entries(), embedder,
                                                   label_embeddings)

    def _entity_entries(self) -> list[GazetteerEntry]:
        # Class labels match exactly or not at all: a typo-tolerant match of a
        # common noun ("county" for "country") is more often another word.
        return [entry for entry in self.gazetteer.entries() if not entry.is_class]

    def _fuzzy_index_for(self, kg: KnowledgeGraph, nlp: Language) -> FuzzyIndex:
        cache_key = (_FUZZY_CACHE_KEY, nlp.lang)
        index = kg.cache.get(cache_key)
        if not isinstance(index, FuzzyIndex):
            index = FuzzyIndex(self._entity_entries(), frozenset(nlp.Defaults.stop_words),
                               nlp.lang)
            kg.cache[cache_key] = index
        return index

    @property
    def embedding_texts(self) -> list[str]:
        """Label texts in the row order of ``label_embeddings()`` (empty without an embedder)."""
        return self._embedding_index.texts if self._embedding_index else []

    def label_embeddings(self) -> np.ndarray | None:
        """Return the label embedding matrix, computing it now if needed (for a disk cache)."""
        return self._embedding_index.matrix if self._embedding_index else None

    def namesakes(self) -> list[Node]:
        """Return the entities that share a label with another entity, in a stable order.

        A mention of such a label has several senses, and ranking them compares
        the question with each sense's context text (``Disambiguator``).
        """
        found: set[Node] = set()
        for entries in self.gazetteer.patterns.values():
            entities = {entry.entity for entry in entries if not entry.is_class}
            if len(entities) > 1:
                found |= entities
        return sorted(found, key=str)

    def link(self, question: str) -> LinkResult:
        """Find the entities of the graph mentioned in ``question``.

        Raises:
            InvalidInput: the question is not a string, is empty or is longer
                than ``max_question_chars``.
        """
        normalized = self._checked_question(question)
        started = time.perf_counter()
        doc = self.nlp(normalized)
        brackets = bracket_spans(doc)
        title_case = is_title_case(doc)

        exact, runs = self._exact_mentions(doc, brackets, title_case)
        free = [True] * len(doc)
        _occupy(free, exact)
        units = [unit for unit in _name_units(doc, free, brackets, runs)
                 if not self._names_relation(doc[unit[0]:unit[1]])]

        fuzzy, ambiguous = self._fuzzy_mentions(doc, free, units)
        _occupy(free, fuzzy)
        _occupy(free, ambiguous)
        embedded, more_ambiguous = self._embedding_mentions(doc, free, units)
        _occupy(free, embedded)
        _occupy(free, more_ambiguous)

        class_mentions = [mention for mention in exact if mention.is_class]
        mentions = sorted([mention for mention in exact if not mention.is_class] + fuzzy + embedded,
                          key=lambda mention: mention.start)
        masked = _masked_question(doc, mentions, brackets)
        entities = [self._linked_entity(doc, mention, masked) for mention in mentions]
        classes = [self._linked_class(doc, mention) for mention in class_mentions]
        unlinked = [doc[start:end].text for start, end in units if all(free[start:end])]

        log.debug("linked %d entities in %.1f ms: %s", len(entities),
                  (time.perf_counter() - started) * 1000, [entity.mention for entity in entities])
        return LinkResult(
            question=question,
            normalized_question=normalized,
            doc=doc,
            entities=entities,
            masked_question=masked,
            unlinked_names=unlinked,
            ambiguous=[self._ambiguous(doc, mention) for mention in ambiguous + more_ambiguous],
            classes=classes,
        )

    def candidates(self, text: str, limit: int = 10) -> list[Candidate]:
        """Return the entities a partial name may refer to, best first (autocomplete, link preview).

        Raises:
            InvalidInput: ``text`` is not a string or ``limit`` is not a positive integer.
        """
        if not isinstance(text, str):
            raise InvalidInput(f"The name to complete must be a string, got {type(text).__name__}.")
        if not isinstance(limit, int) or limit < 1:
            raise InvalidInput(f"Invalid limit {limit!r}: use a positive whole number such as 10.")

        hits = self.fuzzy_index.complete(prepare_text(text), limit)
        return [Candidate(hit.entry.entity, hit.entry.label, hit.score) for hit in hits]

    def _names_relation(self, span: Span) -> bool:
        """Return whether a capitalized run spells a relation label ("Chief Executive"), not a name."""
        return fold(span.text) in self._relation_keys

    def _checked_question(self, question: str) -> str:
        if not isinstance(question, str):
            raise InvalidInput(f"The question must be a string, got {type(question).__name__}.")
        normalized = prepare_text(question)
        if not normalized.strip():
            raise InvalidInput("The question is empty. Ask about an entity of the graph, "
                               "for example 'Who directed Up?'.")
        limit = self.settings.max_question_chars
        if len(normalized) > limit:
            raise InvalidInput(f"The question has {len(normalized)} characters, more than the "
                               f"limit of {limit}. Shorten it or raise KGQA_MAX_QUESTION_CHARS.")
        return normalized

    def _exact_mentions(self, doc: Doc, brackets: list[tuple[int, int]],
                        title_case: bool) -> tuple[list[_Mention], list[tuple[int, int]]]:
        """Return the exact mentions and the runs of capitalized words.

        In a title-case question (``is_title_case``, which includes questions
        in capitals) capitals mark no names, so there are no runs.
        """
        admitted: list[tuple[GazetteerMatch, list[Sense]]] = []
        for match in self.gazetteer.match(doc):
            bracketed = (match.start, match.end) in brackets
            if not bracketed and _breaks_bracket(match.start, match.end, brackets):
                continue
            senses = _admissible_senses(doc, match, bracketed, title_case)
            if senses:
                admitted.append((match, senses))

        runs = [] if title_case else name_runs(doc, {match.start for match, _ in admitted},
                                            self.gazetteer.title_heads())
        admitted = _drop_partial_names(doc, admitted, brackets, runs)
        mentions = [_exact_mention(match, senses) for match, senses in _longest_first(admitted)]
        return mentions, runs

    def _fuzzy_mentions(self, doc: Doc, free: list[bool],
                        units: list[tuple[int, int]]) -> tuple[list[_Mention], list[_Mention]]:
        min_score = self.settings.fuzzy_min_score / 100
        found = []
        for start, end in candidate_spans(doc, free, units):
            hits = self.fuzzy_index.search(doc[start:end].text, min_score)
            if hits:
                found.append((start, end, hits))

        return _choose_spans(found, "fuzzy", FUZZY_MARGIN)

    def _embedding_mentions(self, doc: Doc, free: list[bool],
                            units: list[tuple[int, int]]) -> tuple[list[_Mention], list[_Mention]]:
        if self._embedding_index is None:
            return [], []

        found = []
        for start, end in units:
            if not all(free[start:end]):
                continue
            hits = self._embedding_index.search(doc[start:end].text, EMBEDDING_MIN_SIMILARITY)
            if hits:
                found.append((start, end, hits))
        return _choose_spans(found, "embedding", EMBEDDING_MARGIN)

    def _linked_entity(self, doc: Doc, mention: _Mention, masked_question: str) -> LinkedEntity:
        ranked = self.disambiguator.rank(mention.senses, masked_question) + mention.others
        best = ranked[0]
        span = doc[mention.start:mention.end]
        return LinkedEntity(
            mention=span.text,
            start=span.start_char,
            end=span.end_char,
            entity=best.entity,
            label=best.label,
            score=best.score,
            method=mention.method,
            alternatives=ranked[1:],
        )

    def _linked_class(self, doc: Doc, mention: _Mention) -> LinkedEntity:
        """Build the result of a class mention: the class with most instances, then its namesakes."""
        classes = self.kg.classes
        terms = sorted({sense.entity for sense in mention.senses},
                       key=lambda term: (-len(classes.instances(term)), str(term)))
        candidates = [Candidate(term, self._class_label(term), 1.0) for term in terms]

        span = doc[mention.start:mention.end]
        return LinkedEntity(
            mention=span.text,
            start=span.start_char,
            end=span.end_char,
            entity=candidates[0].entity,
            label=candidates[0].label,
            score=1.0,
            method=mention.method,
            alternatives=candidates[1:],
        )

    def _class_label(self, term: Node) -> str:
        # A class known only from a property's domain (foaf:Person) is in no
        # triple, so it has no label of its own.
        if self.kg.labels.labels(term) or not isinstance(term, URIRef):
            return self.kg.labels.display(term)
        return derived_label(str(term))

    def _ambiguous(self, doc: Doc, mention: _Mention) -> AmbiguousMention:
        span = doc[mention.start:mention.end]
        candidates = [Candidate(sense.entity, sense.label, sense.match_score)
                      for sense in mention.senses] + mention.others
        return AmbiguousMention(span.text, span.start_char, span.end_char, mention.method,
                                candidates)


def _breaks_bracket(start: int, end: int, brackets: list[tuple[int, int]]) -> bool:
    # A match inside brackets must be the whole bracketed text, and no match may cross a bracket.
    return any(_overlaps((start, end), bracket) for bracket in brackets)


def _admissible_senses(doc: Doc, match: GazetteerMatch, bracketed: bool,
                       title_case: bool) -> list[Sense]:
    """Return one sense per entity whose label may link this span under the everyday-word guard.

    When the span matches a class label, only the classes are returned: a
    class word is a type constraint even where an entity has the same label.
    """
    span = doc[match.start:match.end]
    classes = [entry for entry in match.entries
               if entry.is_class and (bracketed or _may_link_class(span))]
    allowed = classes or [entry for entry in match.entries if not entry.is_class
                          and (bracketed or _may_link(doc, span, entry, title_case))]

    senses: dict[Any, Sense] = {}
    for entry in sorted(allowed, key=lambda entry: (not same_case(span.text, entry.label),
                                                    entry.priority)):
        if entry.entity not in senses:
            senses[entry.entity] = Sense(entry.entity, entry.label, 1.0,
                                         same_case(span.text, entry.label))
    return list(senses.values())


def _exact_mention(match: GazetteerMatch, senses: list[Sense]) -> _Mention:
    # A term is either a class or an entity in the gazetteer, and the senses
    # of one match are all classes or all entities (see _admissible_senses).
    class_terms = {entry.entity for entry in match.entries if entry.is_class}
    return _Mention(match.start, match.end, "exact", senses,
                    is_class=senses[0].entity in class_terms)


def _may_link_class(span: Span) -> bool:
    """Apply the guard of class labels, which are common nouns, in any case.

    The span needs a word other than a stop word or question word. A lone
    CJK character never links, as for entities.
    """
    if is_cjk_char(span.text):
        return False
    return any(token.is_alpha and not token.is_stop and token.norm_ not in QUESTION_WORDS
               for token in span)


def _may_link(doc: Doc, span: Span, entry: GazetteerEntry, title_case: bool) -> bool:
    """Apply the everyday-word guard to one label matched by an unbracketed span.

    The guard concerns spans made only of ordinary tokens: stop words,
    question words, single characters and very common words. Such a span
    links when it spells the label with the same capitals where capitals mark
    a name ("Who directed Up?", see ``_capitals_mark_name``). It also links
    when the label is itself lowercase and the span has only common content
    words. A lone question word or a lone CJK character never links.
    """
    if not any(char.isalnum() for char in span.text):
        return False
    if has_cjk(span.text):
        return not is_cjk_char(span.text)
    if not all(is_ordinary_token(token) for token in span):
        return True
    if len(span) == 1 and span[0].norm_ in QUESTION_WORDS:
        return False

    if same_case(span.text, entry.label) and _capitals_mark_name(doc, span, title_case):
        return True
    content_words = all(not token.is_stop and len(token.text) > 1 for token in span)
    return entry.label == entry.label.lower() and content_words


def _capitals_mark_name(doc: Doc, span: Span, title_case: bool) -> bool:
    """Return whether the capitals of an everyday word in ``span`` are evidence of a name.

    They are not in a title-case question (including one written in
    capitals), at the start of a sentence ("In which year ..."), or for the
    pronoun "I", which is always capitalized. A word after "I" marks the
    pronoun ("Can I see ..."), while the symbol of iodine ends its clause
    ("the symbol I?").
    """
    if title_case or is_sentence_start(doc, span.start):
        return False
    if span.text == "I" and span.end < len(doc):
        return doc[span.end].is_punct
    return True


def _drop_partial_names(doc: Doc, admitted: list[tuple[GazetteerMatch, list[Sense]]],
                        brackets: list[tuple[int, int]],
                        runs: list[tuple[int, int]]) -> list[tuple[GazetteerMatch, list[Sense]]]:
    """Drop matches that are part of a longer capitalized name that no label covers.

    "Paris" in "What does Paris Hilton do?" is such a match.
    """
    covered = {index for match, _ in admitted for index in range(match.start, match.end)}

    remaining = []
    for match, senses in admitted:
        bracketed = (match.start, match.end) in brackets
        if bracketed or not _inside_unknown_name(doc, match, runs, covered):
            remaining.append((match, senses))
    return remaining


def _inside_unknown_name(doc: Doc, match: GazetteerMatch, runs: list[tuple[int, int]],
                         covered: set[int]) -> bool:
    for run_start, run_end in runs:
        if run_end <= match.start or match.end <= run_start:
            continue
        outside = [index for index in range(run_start, run_end)
                   if not match.start <= index < match.end and is_name_like(doc[index])]
        if any(index not in covered for index in outside):
            return True
    return False


def _longest_first(
        admitted: list[tuple[GazetteerMatch, list[Sense]]],
) -> list[tuple[GazetteerMatch, list[Sense]]]:
    """Keep non-overlapping matches, preferring more tokens, then the earlier start."""
    ordered = sorted(admitted, key=lambda pair: (-(pair[0].end - pair[0].start), pair[0].start))
    occupied: set[int] = set()
    chosen = []
    for match, senses in ordered:
        tokens = set(range(match.start, match.end))
        if tokens & occupied:
            continue
        occupied |= tokens
        chosen.append((match, senses))
    return sorted(chosen, key=lambda pair: pair[0].start)


def _name_units(doc: Doc, free: list[bool], brackets: list[tuple[int, int]],
                runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the spans to link whole or not at all: free parts of name runs, and bracketed text."""
    units = [bracket for bracket in brackets if all(free[bracket[0]:bracket[1]])]
    for run_start, run_end in runs:
        start = run_start
        while start < run_end:
            if not free[start]:
                start += 1
                continue
            end = start
            while end < run_end and free[end]:
                end += 1
            piece = (start, end)
            if any(is_name_like(doc[index]) for index in range(start, end)) and not any(
                    _overlaps(piece, bracket) for bracket in brackets):
                units.append(piece)
            start = end
    return sorted(set(units))


def _overlaps(first: tuple[int, int], second: tuple[int, int]) -> bool:
    return first[0] < second[1] and second[0] < first[1]


def _choose_spans(found: list[tuple[int, int, list[LabelHit]]], method: str,
                  margin: float) -> tuple[list[_Mention], list[_Mention]]:
    """Pick non-overlapping spans, closest labels first, then longer spans.

    Returns the linked mentions and, separately, the ambiguous ones.
    """
    ordered = sorted(found, key=lambda item: (-item[2][0].score, -(item[1] - item[0]), item[0]))
    occupied: set[int] = set()
    linked: list[_Mention] = []
    ambiguous: list[_Mention] = []
    for start, end, hits in ordered:
        tokens = set(range(start, end))
        if tokens & occupied:
            continue
        occupied |= tokens

        closest, clear = pick_closest(hits, margin)
        senses = [Sense(hit.entry.entity, hit.entry.label, hit.score) for hit in closest]
        closest_entities = {hit.entry.entity for hit in closest}
        others = [Candidate(hit.entry.entity, hit.entry.label, hit.score)
                  for hit in hits if hit.entry.entity not in closest_entities]
        mention = _Mention(start, end, method, senses, others)
        (linked if clear else ambiguous).append(mention)
    return linked, ambiguous


def _occupy(free: list[bool], mentions: list[_Mention]) -> None:
    for mention in mentions:
        for index in range(mention.start, mention.end):
            free[index] = False


def _masked_question(doc: Doc, mentions: list[_Mention], brackets: list[tuple[int, int]]) -> str:
    """Replace each linked mention, with its brackets if it has them, by ``NE``."""
    text = doc.text
    pieces = []
    position = 0
    for mention in mentions:
        start_token, end_token = mention.start, mention.end
        if (start_token, end_token) in brackets:
            start_token, end_token = start_token - 1, end_token + 1
        start_char = doc[start_token].idx
        end_char = doc[end_token - 1].idx + len(doc[end_token - 1].text)
        pieces.append(text[position:start_char])
        pieces.append(MASK)
        position = end_char
    pieces.append(text[position:])
    return "".join(pieces)
