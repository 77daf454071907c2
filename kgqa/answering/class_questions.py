"""Answer questions about a class that name no entity: "How many countries are there?".

Three readings, tried in order:

1. The question names only the class ("How many people are in the graph?",
   "Which companies are there?"): the answers are the class's instances, and
   the evidence is the triple that makes each one an instance (an
   ``rdf:type`` statement, or a property whose domain is the class).
2. The question also names a value that is not an entity of the graph
   ("Which elements were discovered in 1898?"): the answers are the
   instances with a relation to that literal, through the relation that best
   explains the question's relation words. Words left over name a relation
   of those instances whose values are the answers ("When was the element
   with atomic number 10 discovered?").
3. The question names a relation ("Which companies have a parent company?"):
   the answers are the instances that have it, or, negated, those that
   do not.

A relation word that no relation of the class's instances explains makes the
answer ``not_in_graph``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from rdflib import Literal
from rdflib.term import Node

from kgqa.answering.assembly import evidence_triples, fill_values, sorted_nodes
from kgqa.answering.question import (
    QuestionAnalysis,
    is_boolean_literal,
    is_numeric_literal,
    is_temporal_literal,
    is_temporal_relation,
)
from kgqa.answering.result import Answer
from kgqa.embedding import Embedder
from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.linking.mentions import LinkedEntity
from kgqa.retrieval.coverage import explained_words
from kgqa.retrieval.paths import Quad, StepKey, relation_adjacency
from kgqa.retrieval.verbalize import inverse_phrase
from kgqa.retrieval.words import relation_words

__all__ = ["SCOPE_WORDS", "answer_class_question"]

# Words that point at the graph itself, not at a relation ("... in the graph?", "Are there ...").
SCOPE_WORDS = ("graph", "graphs", "there", "total", "exist", "exists", "database", "dataset",
               "data", "knowledge", "base", "listed", "known", "recorded", "stored", "overall")
_NUMBER_RE = re.compile(r"(?<![\w.,])[-+]?\d+(?:\.\d+)?(?![\w])")


def answer_class_question(kg: KnowledgeGraph, embedder: Embedder | None, answer: Answer,
                          analysis: QuestionAnalysis, mention: LinkedEntity,
                          classes: Sequence[LinkedEntity], masked_question: str,
                          lang: str | None, top_k: int) -> None:
    """Fill ``answer`` for a question about the class of ``mention``, with no topic entity."""
    class_ = mention.entity
    class_label = kg.labels.display(class_, lang)
    instances = kg.classes.instances(class_)
    if not instances:
        _not_in_graph(answer, f"The graph has no instances of the class '{class_label}'.")
        return

    excluded = [*(other.mention for other in classes), *SCOPE_WORDS]
    words = relation_words(masked_question, excluded)
    values = _NUMBER_RE.findall(masked_question)
    if not words and not values:
        _answer_instances(kg, answer, analysis, class_, instances, lang, top_k)
        return

    keys = _instance_relations(kg, instances)
    if values:
        _answer_by_value(kg, embedder, answer, analysis, class_label, instances, keys, words,
                         values, lang, top_k)
        return

    chosen = _choose_relation(kg, embedder, words, keys, analysis.answer_type)
    if chosen is None:
        _not_in_graph(answer, f"No relation of the class '{class_label}' in the graph matches "
                              f"'{' '.join(words)}'.")
        return
    nodes, quads = _having_relation(kg, instances, chosen, analysis.negated)
    description = _relation_description(kg, class_label, chosen, [], analysis.negated)
    _fill(kg, answer, analysis, nodes, quads, lang, top_k, description)


def _answer_by_value(kg: KnowledgeGraph, embedder: Embedder | None, answer: Answer,
                     analysis: QuestionAnalysis, class_label: str, instances: set[Node],
                     keys: list[StepKey], words: list[str], values: list[str],
                     lang: str | None, top_k: int) -> None:
    """Answer "Which elements were discovered in 1898?" from the instances with that value.

    The instances whose value equals a number of the question are found
    through the relation that explains most relation words. Words that
    relation leaves over name a relation of those instances, whose values
    are then the answers.
    """
    matches = _value_matches(kg, instances, keys, values)
    if not matches:
        _not_in_graph(answer, f"No instance of the class '{class_label}' in the graph has the "
                              f"value {', '.join(values)}.")
        return

    explained = explained_words(words, [predicate for predicate, _ in matches], kg.labels,
                                embedder)
    chosen = max(sorted(matches, key=lambda key: str(key[0])),
                 key=lambda key: (len(explained[key[0]]), len(matches[key][0])))
    nodes, quads = matches[chosen]
    description = _relation_description(kg, class_label, chosen, values, False)
    leftover = [word for word in words if word not in explained[chosen[0]]]
    if leftover:
        projection = _choose_relation(kg, embedder, leftover, _instance_relations(kg, set(nodes)),
                                      analysis.answer_type)
        if projection is None:
            _not_in_graph(answer, f"No relation of {description} in the graph matches "
                                  f"'{' '.join(leftover)}'.")
            return
        nodes, projected = _values_of(kg, nodes, projection)
        quads = [*quads, *projected]
        description = f"{_step_phrase(kg, projection)} of {description}"
    _fill(kg, answer, analysis, nodes, quads, lang, top_k, description)


def _values_of(kg: KnowledgeGraph, nodes: list[Node],
               key: StepKey) -> tuple[list[Node], list[Quad]]:
    adjacency = relation_adjacency(kg)
    predicate, inverse = key
    values: list[Node] = []
    quads: list[Quad] = []
    for node in nodes:
        for value in sorted(adjacency.neighbours(node).get(key, set()), key=str):
            if value not in values:
                values.append(value)
            subject, obj = (value, node) if inverse else (node, value)
            quads.append((subject, predicate, obj, None))
    return values, quads


def _answer_instances(kg: KnowledgeGraph, answer: Answer, analysis: QuestionAnalysis,
                      class_: Node, instances: set[Node], lang: str | None, top_k: int) -> None:
    nodes = sorted_nodes(kg, instances, lang)
    quads: list[Quad] = []
    for node in nodes[:top_k]:
        reason = kg.classes.reason(node, class_)
        if reason is not None:
            quads.append((*reason, None))
    label = kg.labels.display(class_, lang)
    _fill(kg, answer, analysis, nodes, quads, lang, top_k, f"instances of '{label}'")
    answer.notes.append(f"No entity was linked; answered from the instances of the class "
                        f"'{label}'.")


def _instance_relations(kg: KnowledgeGraph, instances: set[Node]) -> list[StepKey]:
    """Return every step key that leaves at least one instance, in a stable order."""
    adjacency = relation_adjacency(kg)
    keys: set[StepKey] = set()
    for node in instances:
        keys.update(adjacency.neighbours(node))
    return sorted(keys, key=lambda key: (str(key[0]), key[1]))


def _value_matches(kg: KnowledgeGraph, instances: set[Node], keys: list[StepKey],
                   values: list[str]) -> dict[StepKey, tuple[list[Node], list[Quad]]]:
    """Return, per step key, the instances whose value equals a number of the question."""
    adjacency = relation_adjacency(kg)
    found: dict[StepKey, tuple[list[Node], list[Quad]]] = defaultdict(lambda: ([], []))
    for node in sorted(instances, key=str):
        neighbours = adjacency.neighbours(node)
        for key in keys:
            predicate, inverse = key
            hits = [] if inverse else [value for value in neighbours.get(key, ())
                                       if _equals_any(value, values)]
            if not hits:
                continue
            nodes, quads = found[key]
            nodes.append(node)
            quads.extend((node, predicate, value, None) for value in hits)
    return dict(found)


def _equals_any(node: Node, values: list[str]) -> bool:
    if not isinstance(node, Literal):
        return False
    if str(node) in values:
        return True
    if is_numeric_literal(node):
        return any(_same_number(node, value) for value in values)
    return False


def _same_number(node: Literal, value: str) -> bool:
    try:
        return float(node.toPython()) == float(value)
    except (TypeError, ValueError):
        return False


def _choose_relation(kg: KnowledgeGraph, embedder: Embedder | None, words: list[str],
                     keys: list[StepKey], answer_type: str) -> StepKey | None:
    """Return the key whose relation explains every relation word; the first key if there are none.

    Several fitting keys are ordered by whether their values can be of the
    expected answer type (dates for "when"), then by how many words they
    explain, then forward before inverse.
    """
    if not keys:
        return None
    if not words:
        return keys[0]

    explained = explained_words(words, [predicate for predicate, _ in keys], kg.labels, embedder)
    fitting = [key for key in keys if explained[key[0]] >= set(words)]
    if not fitting:
        return None
    return max(fitting, key=lambda key: (_fits_type(kg, key, answer_type),
                                         len(explained[key[0]]), not key[1]))


def _fits_type(kg: KnowledgeGraph, key: StepKey, answer_type: str) -> bool:
    """Return whether the step reaches values of the answer type; "when" needs dates or years."""
    if answer_type != "time":
        return True
    return key[1] is False and (is_temporal_relation(kg.labels.relation_label(key[0]))
                                or any(is_temporal_literal(node)
                                       for node in relation_adjacency(kg).step_range(key)))


def _having_relation(kg: KnowledgeGraph, instances: set[Node], key: StepKey,
                     negated: bool) -> tuple[list[Node], list[Quad]]:
    """Return the instances with a value for ``key`` other than ``false`` (or, negated, the rest)."""
    adjacency = relation_adjacency(kg)
    predicate, inverse = key
    having: list[Node] = []
    quads: list[Quad] = []
    for node in sorted(instances, key=str):
        values = adjacency.neighbours(node).get(key, set())
        positive = [value for value in values
                    if not (is_boolean_literal(value) and value.toPython() is False)]
        if bool(positive) != negated:
            having.append(node)
            for value in sorted(values if negated else positive, key=str):
                subject, obj = (value, node) if inverse else (node, value)
                quads.append((subject, predicate, obj, None))
    return having, quads


def _step_phrase(kg: KnowledgeGraph, key: StepKey) -> str:
    predicate, inverse = key
    label = kg.labels.relation_label(predicate)
    return inverse_phrase(label) if inverse else label


def _relation_description(kg: KnowledgeGraph, class_label: str, key: StepKey,
                          values: list[str], negated: bool) -> str:
    phrase = _step_phrase(kg, key)
    if values:
        return f"{class_label} with {phrase} {', '.join(values)}"
    return f"{class_label} {'without' if negated else 'with'} {phrase}"


def _fill(kg: KnowledgeGraph, answer: Answer, analysis: QuestionAnalysis, nodes: list[Node],
          quads: list[Quad], lang: str | None, top_k: int, description: str) -> None:
    if not nodes:
        _not_in_graph(answer, f"The graph has no fact that answers this question: no "
                              f"{description}.")
        return
    answer.status = "answered"
    answer.confidence = 0.6
    answer.evidence = evidence_triples(kg, _with_graphs(kg, quads), lang, top_k)
    fill_values(kg, answer, analysis.form, sorted_nodes(kg, nodes, lang), lang, description)


def _with_graphs(kg: KnowledgeGraph, quads: list[Quad]) -> list[Quad]:
    """Fill in the named graph of each triple from ``nx_graph`` (None when it is not an edge there)."""
    result = []
    for subject, predicate, obj, _graph in quads:
        graphs = [key[1] for key in kg.nx_graph.get_edge_data(subject, obj, default={})
                  if key[0] == predicate]
        result.append((subject, predicate, obj, graphs[0] if graphs else None))
    return result


def _not_in_graph(answer: Answer, text: str) -> None:
    answer.status, answer.kind, answer.answers = "not_in_graph", "none", []
    answer.text = text
