"""Check claims against the graph's answer to a question and give each claim, and the text, a verdict.

The question's relation comes from retrieval: the graph-only answer's path
and its answer set are what the text's answer is compared with. The rules:

- A claim that names one of the graph's answers is **supported**.
- A claim that competes with the answer but names something else is
  **contradicted**, and carries the graph's values and evidence. An entity
  competes when the relation takes it as a value elsewhere in the graph or
  it shares an ``rdf:type`` with an answer (a person for a person). When
  the text also names one of the answers, a competing entity that the
  graph links to the question's entities is a detail instead ("Pichai
  succeeded Page"). An unknown name or a value of the answers' kind (a date
  for a date, a URL for a web address) competes only when the text names
  none of the answers. For a count, only a number competes, and the
  counted members are details.
- Anything else is a detail beyond the question. It is **supported** when a
  triple links the value to the question's topic or answer entities (the
  triple is cited, but how the text words the relation is not checked),
  and **not in the graph** otherwise. Such details never pass as grounded.
- A stated result of arithmetic is evaluated exactly. An expression that
  cannot be evaluated (division by zero, too large) is **unverifiable**.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from fractions import Fraction

from rdflib import RDF, URIRef
from rdflib.term import Node

from kgqa.answering.question import is_boolean_literal, is_numeric_literal, is_temporal_literal
from kgqa.answering.result import Answer, AnswerItem, EvidenceTriple
from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.normalize import fold
from kgqa.retrieval.paths import is_answer_relation, relation_range
from kgqa.verification.arithmetic import Equation, Expression, agrees, format_exact
from kgqa.verification.values import ValueMention, agrees_coarsely, compare_with_term
from kgqa.verification.verdicts import Claim, Verification, is_abstention

__all__ = ["ClaimChecker", "build_verification", "text_verdict"]

log = logging.getLogger(__name__)

# Evidence triples attached to one contradicted claim.
CLAIM_EVIDENCE = 5
# Triples of one anchor entity searched for a detail's value.
NEIGHBOURHOOD_LIMIT = 2000


class ClaimChecker:
    """Give verdicts to the claims of a text about one question, using one graph."""

    def __init__(self, kg: KnowledgeGraph | None) -> None:
        self.kg = kg

    def check(self, claims: list[Claim], graph_answer: Answer,
              expression: Expression | None) -> None:
        """Set ``verdict``, ``scope``, ``graph_values``, ``evidence`` and ``reason`` of every claim.

        ``expression`` is the arithmetic that the question requests. When it
        is given, its exact value is the expected answer instead of the graph's.
        """
        names_answer = False
        for claim in claims:
            if claim.kind == "arithmetic":
                _check_equation(claim)
            elif expression is not None and expression.value is not None:
                names_answer |= self._check_against_result(claim, expression)
            elif graph_answer.status == "answered":
                names_answer |= self._check_answer_match(claim, graph_answer)

        for claim in claims:
            if claim.reason:
                continue
            if graph_answer.status == "answered" and expression is None \
                    and self._in_answer_slot(claim, graph_answer, names_answer):
                self._contradict(claim, graph_answer)
            else:
                self._check_detail(claim, graph_answer)

    # Claims about the question's answer.

    def _check_answer_match(self, claim: Claim, graph_answer: Answer) -> bool:
        """Mark the claim supported when it names one of the graph's answers; return whether it did."""
        for item in graph_answer.answers:
            if self._matches(claim, item):
                claim.scope, claim.verdict = "answer", "supported"
                claim.evidence = _evidence_for(graph_answer.evidence, item.term)
                claim.reason = f"The graph gives {item.label!r} for this question."
                return True
        return False

    def _matches(self, claim: Claim, item: AnswerItem) -> bool:
        if claim.kind in ("entity", "literal"):
            return claim.value == str(item.term)
        if claim.kind == "name":
            return claim.value in {fold(label) for label in self._labels_of(item)}
        if claim.kind == "yes_no":
            return claim.value == fold(item.label)
        if isinstance(claim.parsed, ValueMention):
            return compare_with_term(claim.parsed, item.term, item.label) is True
        return False

    def _in_answer_slot(self, claim: Claim, graph_answer: Answer, names_answer: bool) -> bool:
        """Return whether the claim competes with the graph's answer (see the module docstring)."""
        if claim.kind == "yes_no":
            return True
        if graph_answer.kind == "count" and claim.kind in ("entity", "name"):
            # The answer is the number: the counted members are details, checked as such.
            return False
        if claim.kind == "entity":
            competes = self._in_relation_range(claim.entity, graph_answer) \
                or self._shares_type(claim.entity, graph_answer)
            if not names_answer:
                return competes
            return competes and not self._neighbourhood_evidence(claim, graph_answer)
        if names_answer:
            return False
        if claim.kind == "name":
            return any(not _is_scalar_item(item) for item in graph_answer.answers)
        if isinstance(claim.parsed, ValueMention):
            return any(compare_with_term(claim.parsed, item.term, item.label) is False
                       for item in graph_answer.answers)
        return False

    def _in_relation_range(self, entity: Node | None, graph_answer: Answer) -> bool:
        if entity is None or self.kg is None or graph_answer.path is None:
            return False
        last = graph_answer.path.steps[-1]
        return entity in relation_range(self.kg, (URIRef(last.predicate), last.inverse))

    def _shares_type(self, entity: Node | None, graph_answer: Answer) -> bool:
        """Return whether the entity has an ``rdf:type`` that one of the answers has."""
        if entity is None or self.kg is None:
            return False
        answer_types = set()
        for item in graph_answer.answers:
            answer_types |= self._types(item.term)
        return bool(answer_types & self._types(entity))

    def _types(self, node: Node) -> set[Node]:
        if node not in self.kg.nx_graph:
            return set()
        return {obj for _, obj, (predicate, _) in self.kg.nx_graph.out_edges(node, keys=True)
                if predicate == RDF.type}

    def _contradict(self, claim: Claim, graph_answer: Answer) -> None:
        values = [item.label for item in graph_answer.answers]
        claim.scope, claim.verdict = "answer", "contradicted"
        claim.graph_values = values
        claim.evidence = list(graph_answer.evidence[:CLAIM_EVIDENCE])
        relation = graph_answer.path.verbalization if graph_answer.path else "this question"
        claim.reason = (f"The graph gives {_join(values)} for {relation}, not {claim.text!r}.")

    # Arithmetic.

    def _check_against_result(self, claim: Claim, expression: Expression) -> bool:
        """Compare a number with the exact result of the question's arithmetic; return whether it agrees."""
        exact = expression.value
        mention = claim.parsed
        if exact is None or not isinstance(mention, ValueMention) or mention.kind not in ("number", "year"):
            return False

        stated, places = _fraction(mention)
        claim.scope = "answer"
        claim.graph_values = [format_exact(exact)]
        if agrees(stated, places, exact):
            claim.verdict = "supported"
            claim.reason = f"{expression.text} is exactly {format_exact(exact)}."
            return True
        claim.verdict = "contradicted"
        claim.reason = f"{expression.text} is exactly {format_exact(exact)}, not {claim.text}."
        return False

    # Details beyond the question.

    def _check_detail(self, claim: Claim, graph_answer: Answer) -> None:
        claim.scope = "detail"
        evidence = self._neighbourhood_evidence(claim, graph_answer)
        if evidence:
            claim.verdict = "supported"
            claim.evidence = evidence[:1]
            claim.reason = (f"The graph states {evidence[0].verbalize()}; the text adds this detail "
                            "beyond the question, and its wording of the relation is not checked.")
            return
        claim.verdict = "not_in_graph"
        coarse = [item for item in graph_answer.answers
                  if isinstance(claim.parsed, ValueMention) and agrees_coarsely(claim.parsed, item.term)]
        if coarse:
            claim.scope = "answer"
            claim.graph_values = [item.label for item in coarse]
            claim.evidence = _evidence_for(graph_answer.evidence, coarse[0].term)
            claim.reason = (f"The graph gives only {coarse[0].label!r}, which agrees as far as it "
                            f"goes; the rest of {claim.text!r} is not in the graph.")
            return
        claim.reason = (f"The graph holds no value {claim.text!r} for the question's entities; "
                        "the detail is unsupported.")

    def _neighbourhood_evidence(self, claim: Claim, graph_answer: Answer) -> list[EvidenceTriple]:
        """Return triples linking the claim's value to a topic or answer entity of the question."""
        if self.kg is None:
            return []
        anchors = _anchors(graph_answer)
        found = []
        for anchor in anchors:
            for subject, predicate, obj, graph in self._triples_of(anchor):
                other = obj if subject == anchor else subject
                if self._value_matches(claim, other):
                    found.append(self._evidence_triple(subject, predicate, obj, graph))
        return found

    def _triples_of(self, node: Node) -> Iterable[tuple[Node, Node, Node, Node | None]]:
        nx_graph = self.kg.nx_graph
        if node not in nx_graph:
            return []
        edges = list(nx_graph.out_edges(node, keys=True))[:NEIGHBOURHOOD_LIMIT]
        edges += list(nx_graph.in_edges(node, keys=True))[:NEIGHBOURHOOD_LIMIT]
        return [(subject, predicate, obj, graph) for subject, obj, (predicate, graph) in edges
                if is_answer_relation(predicate)]

    def _value_matches(self, claim: Claim, node: Node) -> bool:
        if claim.kind == "entity":
            return node == claim.entity
        if claim.kind in ("name", "literal"):
            return claim.value in {fold(label) for label in self._node_labels(node)} \
                or fold(claim.text) in {fold(label) for label in self._node_labels(node)}
        if isinstance(claim.parsed, ValueMention):
            return compare_with_term(claim.parsed, node, self.kg.labels.display(node)) is True
        return False

    def _labels_of(self, item: AnswerItem) -> list[str]:
        return [item.label, *self._node_labels(item.term)]

    def _node_labels(self, node: Node) -> list[str]:
        if self.kg is None:
            return []
        return [self.kg.labels.display(node), *(label.text for label in self.kg.labels.labels(node))]

    def _evidence_triple(self, subject: Node, predicate: Node, obj: Node,
                         graph: Node | None) -> EvidenceTriple:
        labels = self.kg.labels
        return EvidenceTriple(subject=subject, predicate=predicate, object=obj, graph=graph,
                              subject_label=labels.display(subject),
                              predicate_label=labels.relation_label(predicate),
                              object_label=labels.display(obj))


def text_verdict(text: str, claims: list[Claim]) -> tuple[str, bool]:
    """Return the verdict of a whole text from its claims, and whether the text abstains.

    A contradiction outweighs everything. An abstention counts only when the
    text asserts no answer of its own. ``supported`` needs a supported answer
    (or arithmetic result) and no unsupported detail.
    """
    abstains = is_abstention(text)
    answering = [claim for claim in claims if claim.scope in ("answer", "arithmetic")]

    if any(claim.verdict == "contradicted" for claim in claims):
        return "contradicted", abstains
    if abstains and not any(claim.verdict == "supported" for claim in answering):
        return "abstained", abstains
    if any(claim.verdict == "supported" for claim in answering):
        unsupported = any(claim.verdict in ("not_in_graph", "unverifiable") for claim in claims)
        return ("partly_supported" if unsupported else "supported"), abstains
    return "unverifiable", abstains


def build_verification(question: str, text: str, normalized_text: str, graph_answer: Answer,
                       claims: list[Claim], expression: Expression | None) -> Verification:
    """Assemble the ``Verification`` of a text whose claims are checked."""
    verdict, abstains = text_verdict(normalized_text, claims)
    if expression is not None and expression.value is not None:
        expected, source = [format_exact(expression.value)], "arithmetic"
    elif graph_answer.status == "answered":
        expected, source = [item.label for item in graph_answer.answers], "graph"
    else:
        expected, source = [], None

    notes = []
    if expression is not None and expression.value is None:
        notes.append(f"The question's arithmetic cannot be evaluated: {expression.error}")
    if not claims and not abstains:
        notes.append("The text asserts no entity, value or arithmetic result that could be checked.")
    return Verification(question=question, text=text, normalized_text=normalized_text,
                        graph=graph_answer.graph, verdict=verdict, claims=claims, abstains=abstains,
                        expected=expected, expected_source=source, graph_status=graph_answer.status,
                        evidence=list(graph_answer.evidence), notes=notes)


def _check_equation(claim: Claim) -> None:
    equation = claim.parsed
    assert isinstance(equation, Equation)
    expression = equation.expression
    claim.scope = "arithmetic"
    if expression.value is None:
        claim.verdict = "unverifiable"
        claim.reason = expression.error or f"{expression.text} cannot be evaluated."
        return

    exact = format_exact(expression.value)
    claim.graph_values = [exact]
    if agrees(equation.stated, equation.stated_places, expression.value):
        claim.verdict = "supported"
        claim.reason = f"{expression.text} is exactly {exact}."
    else:
        claim.verdict = "contradicted"
        claim.reason = f"{expression.text} is exactly {exact}, not {equation.stated_text}."


def _fraction(mention: ValueMention) -> tuple[Fraction, int]:
    text = mention.display()
    places = len(text.split(".")[1]) if "." in text else 0
    return Fraction(text), places


def _anchors(graph_answer: Answer) -> list[Node]:
    nodes = [entity.entity for entity in graph_answer.linked_entities]
    if graph_answer.path is not None and graph_answer.path.source is not None:
        nodes.append(graph_answer.path.source)
    nodes += [item.term for item in graph_answer.answers]
    return list(dict.fromkeys(nodes))


def _evidence_for(evidence: list[EvidenceTriple], term: Node) -> list[EvidenceTriple]:
    matching = [triple for triple in evidence if term in (triple.subject, triple.object)]
    return matching or list(evidence[:1])


def _is_scalar_item(item: AnswerItem) -> bool:
    term = item.term
    return is_numeric_literal(term) or is_temporal_literal(term) or is_boolean_literal(term)


def _join(values: list[str]) -> str:
    quoted = [repr(value) for value in values[:5]]
    if len(values) > 5:
        quoted.append(f"{len(values) - 5} more")
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
