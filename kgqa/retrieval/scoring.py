"""Rank relation paths against a question, zero-shot or with learned examples.

The zero-shot score of a path is

    similarity + 0.25 * lexical - penalties - 0.05 * (hops - 1)

- ``similarity``: cosine of the masked question and the path verbalization
  (sentence embeddings, so roughly 0 to 0.9). Each alias of a step's
  relation (``skos:altLabel "CEO"``) gives another verbalization, and the
  best one counts.
- ``lexical``: the share of the path's relation-label words that the
  question also contains, compared as crude stems ("members" ~ "member",
  "headquartered" ~ "headquarters").
- The hop term prefers the shorter of two otherwise equal paths.

Penalties:

- ``QUALIFIER_PENALTY`` when a relation label carries a qualifier such as
  "former" or "current" that the question lacks, because embeddings barely
  separate "member of" from "former member of".
- ``COVERAGE_PENALTY`` times the share of the question's relation words
  (``kgqa.retrieval.words.relation_words``) that no step explains
  (``kgqa.retrieval.coverage``). ``ScoredPath.unexplained`` lists them.
- ``REPEAT_PENALTY`` and ``UNASKED_STEP_PENALTY`` for steps the question
  does not ask for (``_structure_penalty``): a relation used twice that is
  named once and asked for with no sharing word such as "same", and a step
  of a longer path that explains no question word.
- ``INTERMEDIATE_PENALTY`` for one structural rule: in "Which actors have
  worked with the director of NE?" the phrase "director of NE" describes a
  node on the way, while the question asks for actors, so such paths should
  only win when nothing else fits. When a question asks "which/what <noun>"
  and also says "<other noun> of NE" (or "NE's <other noun>"), paths that
  end with a relation named like the other noun lose this penalty.

With an ``ExampleIndex``, the k nearest example questions vote for the
relation sequences they were answered by, weighted by similarity, and the
share of votes (0 to 1) is added to the zero-shot score. A sequence that the
topic entity does not have gets no votes, because only enumerated paths are
scored.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
from collections import Counter, OrderedDict
from collections.abc import Iterable

import numpy as np
from rdflib import Literal, URIRef
from rdflib.term import Node

from kgqa.embedding import Embedder
from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.graph.labels import LOCAL_NAME_PRIORITY
from kgqa.normalize import fold, has_cjk
from kgqa.retrieval.coverage import VALUE_SAMPLE, explained_by_values, explained_words
from kgqa.retrieval.examples import ExampleIndex
from kgqa.retrieval.paths import CandidatePath, StepKey, enumerate_paths
from kgqa.retrieval.relation_path import PathStep, RelationPath
from kgqa.retrieval.verbalize import TOPIC_PLACEHOLDER, verbalize_path
from kgqa.retrieval.words import (
    SHARING_WORDS,
    STOPWORDS,
    STRONG_SHARING_WORDS,
    WORD_RE,
    content_stems,
    focus_word,
    relation_words,
    stem,
    stems_match,
)
from kgqa.settings import Settings

__all__ = [
    "QUALIFIERS",
    "PathRetriever",
    "ScoredPath",
    "content_stems",
    "described_intermediate",
    "lexical_overlap",
    "missing_qualifiers",
    "stem",
]

# ``content_stems`` and ``stem`` moved to ``kgqa.retrieval.words``; they stay importable here.

log = logging.getLogger(__name__)

LEXICAL_WEIGHT = 0.25
QUALIFIER_PENALTY = 0.3
HOP_PENALTY = 0.05
INTERMEDIATE_PENALTY = 0.5
EXAMPLE_WEIGHT = 1.0
EXAMPLE_NEIGHBOURS = 10
# Subtracted in full when no relation word of the question is explained, in part when some are.
COVERAGE_PENALTY = 0.2
# A one-step path with more values than this is no attribute, so its values are not compared
# with the question's words (which also keeps hubs cheap).
MAX_VALUES_COMPARED = 20
# A relation used twice without being asked for twice (``_structure_penalty``).
REPEAT_PENALTY = 0.3
# A step of a multi-step path that explains no word of the question.
UNASKED_STEP_PENALTY = 0.15
# Aliases tried per step (``LabelIndex.relation_labels`` beyond the main label).
MAX_ALIASES = 4
_PATH_CACHE_ENTRIES = 512
# Relation sequences whose label variants and label terms a retriever keeps.
# They depend on the graph's labels alone, and a graph has far fewer distinct
# sequences than paths: MetaQA's 9 relations give a few thousand.
_SEQUENCE_CACHE_ENTRIES = 16384

# Words that restrict a relation in time or rank. A relation label with one of
# them only fits a question that says it too.
QUALIFIERS = frozenset({
    "former", "current", "previous", "past", "ex", "late", "future", "original", "first",
    "last", "latest", "honorary", "acting", "interim", "deputy", "vice", "assistant",
    "alternate", "unofficial", "retired",
})

def lexical_overlap(label_words: Iterable[str], question_stems: set[str]) -> float:
    """Return the share of the relation-label words whose stems occur in the question (0 to 1)."""
    label_stems = content_stems(" ".join(label_words))
    if not label_stems:
        return 0.0
    return len(label_stems & question_stems) / len(label_stems)


def missing_qualifiers(label: str, question_words: set[str]) -> set[str]:
    """Return the qualifiers in a relation label that the question does not contain."""
    label_words = set(WORD_RE.findall(fold(label)))
    return (label_words & QUALIFIERS) - question_words


_FOCUS_RE = re.compile(r"^\s*(?:which|what)\s+([^\W\d_]+)", re.IGNORECASE)
_DESCRIBED_RES = (
    re.compile(rf"([^\W\d_]+) of {TOPIC_PLACEHOLDER}\b"),
    re.compile(rf"\b{TOPIC_PLACEHOLDER}'s ([^\W\d_]+)"),
)
# Focus words too general to contrast with a relation noun ("which person is the director of NE").
_GENERIC_FOCUS = frozenset({"person", "people", "one", "ones", "thing", "things", "kind", "type",
                            "sort", "entity", "entities", "item", "items", "name", "names"})


def described_intermediate(masked_question: str) -> set[str]:
    """Return the stems of a relation noun that describes a node on the way, not the answer.

    Non-empty only when the question asks "which/what <focus>" and also says
    "<noun> of NE" or "NE's <noun>" with a noun other than the focus.
    """
    focus = _FOCUS_RE.search(masked_question)
    if focus is None:
        return set()
    focus_noun = focus.group(1).lower()
    if focus_noun in STOPWORDS or focus_noun in _GENERIC_FOCUS:
        return set()

    described: set[str] = set()
    for pattern in _DESCRIBED_RES:
        for match in pattern.finditer(masked_question):
            described |= content_stems(match.group(1))
    return described - content_stems(focus_noun)


@dataclasses.dataclass(frozen=True)
class _StepSupport:
    """What the question says about one relation: the words it explains, how often it is named."""

    explained: frozenset[str]
    """The question's relation words that the relation explains (the focus noun left out)."""
    names_focus: bool
    """Whether the relation explains the focus noun, which names the answers' type."""
    mentions: int


@dataclasses.dataclass(frozen=True)
class _LabelVariant:
    """One labelling of a path's steps and the label terms that scoring compares with a question."""

    steps: tuple[PathStep, ...]
    verbalization: str
    stems: frozenset[str]
    """Content stems of every step label (``lexical_overlap``)."""
    qualifiers: frozenset[str]
    """``QUALIFIERS`` words in the step labels (``missing_qualifiers``)."""
    last_stems: frozenset[str]
    """Content stems of the last step label (``INTERMEDIATE_PENALTY``)."""

    @classmethod
    def of(cls, steps: tuple[PathStep, ...]) -> _LabelVariant:
        labels = [step.label for step in steps]
        qualifiers = set().union(*(set(WORD_RE.findall(fold(label))) & QUALIFIERS
                                   for label in labels))
        return cls(steps=steps, verbalization=verbalize_path(steps, TOPIC_PLACEHOLDER),
                   stems=frozenset(content_stems(" ".join(labels))),
                   qualifiers=frozenset(qualifiers),
                   last_stems=frozenset(content_stems(labels[-1])))


@dataclasses.dataclass(frozen=True)
class _QuestionTerms:
    """The parts of a masked question that path scoring compares with relation labels."""

    stems: set[str]
    words: set[str]
    described: set[str]
    relation_words: list[str]
    focus: str | None
    tokens: list[str]
    cjk: bool
    sharing: bool
    strong_sharing: bool
    token_stems: tuple[str, ...]
    """``stem`` of each of ``tokens``, in the same order."""

    @classmethod
    def read(cls, masked_question: str, excluded_words: Iterable[str]) -> _QuestionTerms:
        # NOTE: word similarity needs the English embedding model, so Chinese,
        # Japanese and Korean questions are not checked for unexplained words.
        words = [] if has_cjk(masked_question) else relation_words(masked_question,
                                                                   excluded_words)
        tokens = WORD_RE.findall(fold(masked_question))
        content = [token for token in tokens if token not in STOPWORDS and not token.isdigit()]
        return cls(stems=content_stems(masked_question), words=set(tokens),
                   described=described_intermediate(masked_question),
                   relation_words=words, focus=focus_word(masked_question), tokens=content,
                   cjk=has_cjk(masked_question),
                   sharing=any(token in SHARING_WORDS for token in tokens),
                   strong_sharing=any(token in STRONG_SHARING_WORDS for token in tokens),
                   token_stems=tuple(stem(token) for token in content))


@dataclasses.dataclass(frozen=True)
class ScoredPath:
    """A candidate path with its total score and the terms that make it up."""

    path: CandidatePath
    verbalization: str
    score: float
    similarity: float
    lexical: float
    penalty: float
    vote: float
    unexplained: tuple[str, ...] = ()
    """The question's relation words (``relation_words``) that no step of the path explains."""

    def to_relation_path(self) -> RelationPath:
        """Return the public form used in ``Answer.path`` and ``Answer.alternative_paths``."""
        return RelationPath(steps=self.path.steps, verbalization=self.verbalization,
                            score=self.score, source=self.path.source)


def _structure_penalty(path: CandidatePath, question: _QuestionTerms,
                       support: dict[URIRef, _StepSupport]) -> float:
    """Return the penalty for steps that the question does not ask for.

    A relation used twice ("directed by", then "directed": the other films of
    NE's director) must be named twice ("films directed by the director of
    NE") or asked for with a sharing word ("the *same* director"), and a
    strong sharing word ("same", "together", "co-star") asks for such a
    path. In a path of several steps, each step should explain a word of the
    question or be named in it; only the last step may rest on the focus
    noun, because that noun names the answers.
    """
    if question.cjk:
        return 0.0
    penalty = 0.0
    counts = Counter(predicate for predicate, _inverse in path.keys)
    for predicate, count in counts.items():
        if count > 1 and not question.sharing and support[predicate].mentions < count:
            penalty += REPEAT_PENALTY
    if question.strong_sharing and max(counts.values()) == 1:
        penalty += REPEAT_PENALTY
    if path.hops > 1:
        last = path.keys[-1][0]
        penalty += UNASKED_STEP_PENALTY * sum(
            1 for predicate in counts
            if not (support[predicate].explained or support[predicate].mentions
                    or (predicate == last and support[predicate].names_focus)))
    return penalty


class PathRetriever:
    """Enumerate paths from linked entities and rank them for a masked question.

    ``masked_question`` is the question with each linked mention replaced by
    ``NE``. Enumerated paths are cached per entity, so a linker that calls
    ``relation_fit`` for several candidates and the answerer share the work.
    """

    def __init__(self, kg: KnowledgeGraph, embedder: Embedder, settings: Settings,
                 examples: ExampleIndex | None = None) -> None:
        self.kg = kg
        self.embedder = embedder
        self.settings = settings
        self.examples = examples
        self._paths: OrderedDict[Node, list[CandidatePath]] = OrderedDict()
        # Label variants and label stems come from the graph alone but were derived
        # again for every path of every question, about a third of the CPU time of
        # a MetaQA question, so they are kept per relation sequence and relation.
        self._cached_variants = functools.lru_cache(maxsize=_SEQUENCE_CACHE_ENTRIES)(
            self._label_variants)
        self._cached_relation_stems = functools.lru_cache(maxsize=_SEQUENCE_CACHE_ENTRIES)(
            self._relation_stems)

    def paths(self, entity: Node) -> list[CandidatePath]:
        """Return every path from ``entity`` up to ``settings.max_hops`` steps, shortest first."""
        cached = self._paths.get(entity)
        if cached is not None:
            self._paths.move_to_end(entity)
            return cached

        paths = enumerate_paths(self.kg, entity, self.settings.max_hops,
                                self.settings.frontier_limit)
        self._paths[entity] = paths
        if len(self._paths) > _PATH_CACHE_ENTRIES:
            self._paths.popitem(last=False)
        return paths

    def rank(self, entity: Node, masked_question: str,
             excluded_words: Iterable[str] = ()) -> list[ScoredPath]:
        """Return the paths from ``entity`` scored for ``masked_question``, best first.

        ``excluded_words`` (class mentions, for example) need no relation to explain them.
        """
        return self.score_paths(masked_question, self.paths(entity), excluded_words)

    def relation_fit(self, entity: Node, masked_question: str) -> float:
        """Return how well the best path from ``entity`` fits the question, in [0, 1].

        The linker uses it to choose between namesakes: "Where is Jaguar
        headquartered?" fits the company, which has a headquarters relation,
        better than the animal.
        """
        ranked = self.rank(entity, masked_question)
        if not ranked:
            return 0.0
        return float(min(1.0, max(0.0, ranked[0].score)))

    def score_paths(self, masked_question: str, paths: list[CandidatePath],
                    excluded_words: Iterable[str] = ()) -> list[ScoredPath]:
        """Score ``paths`` for ``masked_question`` and return them best first."""
        if not paths:
            return []

        variants = [self._cached_variants(path.keys, path.steps) for path in paths]
        flat = [variant.verbalization for path_variants in variants for variant in path_variants]
        flat_similarities = self._similarities(masked_question, flat)
        votes = self._votes(masked_question, paths)
        question = _QuestionTerms.read(masked_question, excluded_words)
        support = self._step_support(question, paths)
        unexplained = self._unexplained(question, paths, support)
        structure = {path.keys: _structure_penalty(path, question, support) for path in paths}

        scored = []
        position = 0
        for path, path_variants in zip(paths, variants, strict=True):
            similarities = flat_similarities[position: position + len(path_variants)]
            position += len(path_variants)
            options = [
                self._score_one(path, variant, float(similarity), votes.get(path.keys, 0.0),
                                question, unexplained[path.keys], structure[path.keys])
                for variant, similarity in zip(path_variants, similarities, strict=True)
            ]
            scored.append(max(options, key=lambda option: option.score))
        scored.sort(key=lambda item: (-item.score, item.path.hops, item.verbalization))
        return scored

    def _label_variants(self, keys: tuple[StepKey, ...],
                        steps: tuple[PathStep, ...]) -> tuple[_LabelVariant, ...]:
        """Return the path's steps as labelled, then once per alias with that one step renamed.

        Renaming one step at a time keeps the count linear in the number of
        aliases, where every combination would multiply them.
        """
        variants = [steps]
        for index, (predicate, _inverse) in enumerate(keys):
            step = steps[index]
            for alias in self.kg.labels.relation_labels(predicate)[1:MAX_ALIASES + 1]:
                renamed = dataclasses.replace(step, label=alias)
                variants.append(steps[:index] + (renamed,) + steps[index + 1:])
        return tuple(_LabelVariant.of(variant) for variant in variants)

    def _relation_stems(self, predicate: URIRef) -> frozenset[str]:
        """Return the content stems of every label and alias of ``predicate``."""
        return frozenset().union(*(content_stems(label)
                                   for label in self.kg.labels.relation_labels(predicate)))

    def _step_support(self, question: _QuestionTerms,
                      paths: list[CandidatePath]) -> dict[URIRef, _StepSupport]:
        """Return, per relation, which question words it explains and how often the question names it."""
        words = list(question.relation_words)
        focus = question.focus if question.focus not in words and not question.cjk else None
        predicates = {predicate for path in paths for predicate, _inverse in path.keys}
        explained = explained_words(words + ([focus] if focus else []), predicates, self.kg.labels,
                                    self.embedder, question.focus)

        support = {}
        for predicate in predicates:
            label_stems = self._cached_relation_stems(predicate)
            mentions = sum(1 for token_stem in question.token_stems
                           if any(stems_match(token_stem, label_stem) for label_stem in label_stems))
            support[predicate] = _StepSupport(explained=explained[predicate] - {focus},
                                              names_focus=focus in explained[predicate],
                                              mentions=mentions)
        return support

    def _unexplained(self, question: _QuestionTerms, paths: list[CandidatePath],
                     support: dict[URIRef, _StepSupport]) -> dict[tuple, tuple[str, ...]]:
        """Return, per relation sequence, the relation words that none of its steps explains."""
        words = question.relation_words
        explained = {predicate: found.explained for predicate, found in support.items()}

        result: dict[tuple, tuple[str, ...]] = {}
        for path in paths:
            covered = set().union(*(explained[predicate] for predicate, _inverse in path.keys))
            missing = [word for word in words if word not in covered]
            if missing and path.hops == 1 and len(path.reached) <= MAX_VALUES_COMPARED:
                missing = [word for word in missing
                           if word not in explained_by_values(missing, self._value_texts(path),
                                                              self.embedder)]
            result[path.keys] = tuple(missing)
        return result

    def _value_texts(self, path: CandidatePath) -> list[str]:
        """Return the display texts of a few of the path's values that have no label of their own."""
        unlabelled = [node for node in path.reached
                      if isinstance(node, Literal) or all(label.priority >= LOCAL_NAME_PRIORITY
                                                          for label in self.kg.labels.labels(node))]
        return [self.kg.labels.display(node)
                for node in sorted(unlabelled, key=str)[:VALUE_SAMPLE]]

    def _score_one(self, path: CandidatePath, variant: _LabelVariant, similarity: float,
                   vote: float, question: _QuestionTerms, unexplained: tuple[str, ...],
                   structure: float) -> ScoredPath:
        # The same terms as lexical_overlap and missing_qualifiers, from the variant's kept stems.
        lexical = len(variant.stems & question.stems) / len(variant.stems) if variant.stems else 0.0
        penalty = QUALIFIER_PENALTY if variant.qualifiers - question.words else 0.0
        if question.described and variant.last_stems & question.described:
            penalty += INTERMEDIATE_PENALTY
        if question.relation_words:
            penalty += COVERAGE_PENALTY * len(unexplained) / len(question.relation_words)
        penalty += structure

        score = (similarity + LEXICAL_WEIGHT * lexical - penalty - HOP_PENALTY * (path.hops - 1)
                 + EXAMPLE_WEIGHT * vote)
        return ScoredPath(path=path, verbalization=variant.verbalization, score=score,
                          similarity=similarity, lexical=lexical, penalty=penalty, vote=vote,
                          unexplained=unexplained)

    def _similarities(self, masked_question: str, verbalizations: list[str]) -> np.ndarray:
        # NOTE: all-MiniLM-L6-v2 is trained on English only, so for a question
        # in Chinese or Japanese the cosine is noise. It is left out, and
        # ranking falls back to the lexical term, the hop prior, examples and
        # the answerer's answer-type filter.
        if has_cjk(masked_question):
            return np.zeros(len(verbalizations), dtype=np.float32)
        vectors = self.embedder.encode([masked_question, *verbalizations])
        return vectors[1:] @ vectors[0]

    def _votes(self, masked_question: str, paths: list[CandidatePath]) -> dict[tuple, float]:
        if self.examples is None or len(self.examples) == 0:
            return {}
        available = {path.keys for path in paths}
        query = self.embedder.encode([masked_question])[0]
        return self.examples.votes(query, available, EXAMPLE_NEIGHBOURS)
