"""Answer a question in four modes and check every answer against the graph.

- graph: the graph-only pipeline (``Engine.ask``).
- ungrounded: the generative model alone.
- grounded: the model given the graph's evidence as quoted facts. Its
  answer is kept only when verification supports it. Otherwise a sentence
  built from the evidence replaces it.
- corrected: a draft (the ungrounded answer by default) is verified, then
  rewritten by the model with the graph's values and the list of wrong or
  unsupported claims. The rewrite is verified again and replaced by the
  fact sentence when it still contradicts the graph, drops the graph's
  answer or keeps an unsupported detail. A supported draft stays as it is.

When the graph has no answer (status ``no_entity`` or ``not_in_graph``) and
the question is not arithmetic, grounded and corrected modes answer "Not in
the graph." without asking the model: the model could only add claims that
verification would mark unverifiable, so asking it costs time and can only
mislead. A question that is only arithmetic ("What is 3 + 13?") has its
exact result as the expected answer instead of the graph's.

Model output of any shape goes through ``parse_answer``. An empty reply, a
repetition loop or a failed generation is flagged in ``problems``, and
grounded and corrected modes then fall back to the fact sentence.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from rdflib import BNode, URIRef

from kgqa.answering.engine import Engine
from kgqa.answering.question import is_numeric_literal
from kgqa.answering.result import Answer, EvidenceTriple
from kgqa.errors import GraphNotFound, InvalidInput, ModelUnavailable, PromptTooLong
from kgqa.generation.backends import build_generator
from kgqa.generation.base import Generator
from kgqa.generation.output import PROBLEMS, parse_answer
from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.linking.linker import EntityLinker
from kgqa.normalize import prepare_text
from kgqa.verification.arithmetic import Expression, format_exact, question_expression
from kgqa.verification.checking import ClaimChecker, build_verification
from kgqa.verification.claims import ClaimContext, extract_claims, find_label
from kgqa.verification.facts import fact_line, fact_sentence, not_in_graph_text
from kgqa.verification.prompts import grounded_messages, rewrite_messages, ungrounded_messages
from kgqa.verification.results import MODES, Comparison, ModelOutput, ModeResult
from kgqa.verification.verdicts import Claim, Verification

__all__ = ["ANSWER_TOKENS", "AnswerModes"]

log = logging.getLogger(__name__)

# Longest model reply, in tokens: a one-sentence answer needs far fewer, and a
# short cap keeps a repetition loop cheap.
ANSWER_TOKENS = 96
GENERATION_FAILED = "generation_failed"
# Replies with these problems hold no usable answer.
_UNUSABLE = frozenset({"empty", "repetition", GENERATION_FAILED})
_ECHOED_FACTS_RE = re.compile(r"<facts>.*?(?:</facts>|$)", re.DOTALL | re.IGNORECASE)


@dataclasses.dataclass
class _Prepared:
    """One question with everything the modes share: the graph's answer, the arithmetic, the graph."""

    question: str
    graph_answer: Answer
    expression: Expression | None
    kg: KnowledgeGraph | None
    linker: EntityLinker | None
    graph_ms: float

    @property
    def has_answer(self) -> bool:
        if self.expression is not None:
            return self.expression.value is not None
        return self.graph_answer.status == "answered"


class AnswerModes:
    """Run the graph-only, ungrounded, grounded and corrected modes over one ``Engine``.

    ``generator_factory`` builds the generative model. It is called once, by
    the first mode that needs the model, and defaults to
    ``build_generator(engine.settings)``. Thread-safe as far as the engine
    and the generator are.
    """

    def __init__(self, engine: Engine, generator_factory: Callable[[], Generator] | None = None, *,
                 answer_tokens: int = ANSWER_TOKENS) -> None:
        self.engine = engine
        self.answer_tokens = answer_tokens
        self._generator_factory = generator_factory or (lambda: build_generator(engine.settings))
        self._generator: Generator | None = None
        self._lock = threading.Lock()

    @property
    def generator(self) -> Generator:
        """The generative model, built on first use."""
        with self._lock:
            if self._generator is None:
                self._generator = self._generator_factory()
            return self._generator

    @property
    def generator_loaded(self) -> bool:
        """Whether the generative model has been built in this process."""
        return self._generator is not None

    # Public modes.

    # ``topics`` in every mode: topic entity labels, which ``Engine.ask`` links in place of
    # the linker's entities.

    def graph_only(self, question: str, graph: str | None = None, top_k: int | None = None, *,
                   topics: Sequence[str] | None = None) -> ModeResult:
        """Answer from the graph alone, in the same result shape as the other modes."""
        return self._graph_result(self._prepare(question, graph, top_k, topics))

    def ungrounded(self, question: str, graph: str | None = None, *,
                   topics: Sequence[str] | None = None) -> ModeResult:
        """Answer with the model alone, then check the answer against the graph.

        Raises:
            ModelUnavailable: the model cannot be loaded or reached.
        """
        return self._ungrounded(self._prepare(question, graph, None, topics))

    def grounded(self, question: str, graph: str | None = None, top_k: int | None = None, *,
                 topics: Sequence[str] | None = None) -> ModeResult:
        """Answer with the model given the graph's evidence; keep the answer only if the graph supports it."""
        return self._grounded(self._prepare(question, graph, top_k, topics))

    def run(self, mode: str, question: str, graph: str | None = None, top_k: int | None = None,
            draft: str | None = None) -> ModeResult:
        """Run one model mode (ungrounded, grounded or corrected) on ``question``.

        ``draft`` applies to corrected mode only; graph mode needs no model and
        is ``Engine.ask``.

        Raises:
            InvalidInput: ``mode`` is not a model mode.
        """
        if mode == "ungrounded":
            return self.ungrounded(question, graph=graph)
        if mode == "grounded":
            return self.grounded(question, graph=graph, top_k=top_k)
        if mode == "corrected":
            return self.corrected(question, graph=graph, draft=draft, top_k=top_k)
        raise InvalidInput(f"Invalid model mode {mode!r}: choose ungrounded, grounded or corrected.")

    def verify(self, question: str, draft: str, graph: str | None = None) -> Verification:
        """Check the claims of ``draft``, an answer to ``question``, against the graph.

        Raises:
            InvalidInput: the question or the draft is not a non-empty string,
                or the draft is longer than ``max_question_chars``.
        """
        prepared = self._prepare(question, graph, None)
        return self._verify(prepared, _checked_draft(draft), from_model=False)

    def corrected(self, question: str, graph: str | None = None, draft: str | None = None,
                  top_k: int | None = None, *, topics: Sequence[str] | None = None) -> ModeResult:
        """Verify a draft (the ungrounded answer when None) and correct it with the graph's facts.

        Raises:
            InvalidInput: ``draft`` is given but is not a non-empty string.
            ModelUnavailable: no draft is given and the model cannot produce one.
        """
        if draft is not None:
            draft = _checked_draft(draft)
        prepared = self._prepare(question, graph, top_k, topics)
        if draft is not None:
            return self._corrected(prepared, draft, from_model=False)

        ungrounded = self._ungrounded(prepared)
        return self._corrected(prepared, ungrounded.text, from_model=True, draft_result=ungrounded)

    def compare(self, question: str, graph: str | None = None, top_k: int | None = None, *,
                topics: Sequence[str] | None = None, modes: Sequence[str] = MODES) -> Comparison:
        """Run ``modes`` (all four by default) on ``question``, sharing one graph answer and one draft.

        Corrected mode drafts with the ungrounded answer, so it runs ungrounded
        mode even when ``modes`` leaves it out (and then leaves it out of the result).

        Raises:
            InvalidInput: ``modes`` is empty or names an unknown mode.
        """
        if isinstance(modes, str) or not modes or any(mode not in MODES for mode in modes):
            raise InvalidInput(f"Invalid modes {modes!r}: choose one or more of {', '.join(MODES)}.")
        prepared = self._prepare(question, graph, top_k, topics)
        results: dict[str, ModeResult] = {}
        if "graph" in modes:
            results["graph"] = self._graph_result(prepared)
        ungrounded = None
        if "ungrounded" in modes or "corrected" in modes:
            ungrounded = self._ungrounded(prepared)
        if "ungrounded" in modes:
            results["ungrounded"] = ungrounded
        if "grounded" in modes:
            results["grounded"] = self._grounded(prepared)
        if "corrected" in modes:
            results["corrected"] = self._corrected(prepared, ungrounded.text, from_model=True,
                                                   draft_result=ungrounded)

        timings = {name: result.timings_ms.get("total", 0.0) for name, result in results.items()}
        log.info("compared modes for %r: %s", question,
                 ", ".join(f"{name} {result.verdict}" for name, result in results.items()))
        return Comparison(question=prepared.question, graph=prepared.graph_answer.graph, modes=results,
                          differences=_differences(results), timings_ms=timings)

    # Shared steps.

    def _prepare(self, question: str, graph: str | None, top_k: int | None,
                 topics: Sequence[str] | None = None) -> _Prepared:
        started = time.perf_counter()
        expression = question_expression(question) if isinstance(question, str) else None
        try:
            graph_answer = self.engine.ask(question, graph, top_k, topics=topics)
        except GraphNotFound:
            # An arithmetic question needs no graph, so it is answered with none loaded.
            if expression is None or graph:
                raise
            stripped = question.strip()
            graph_answer = Answer(question=stripped, normalized_question=prepare_text(stripped),
                                  graph=None, text="No graph is loaded.")

        kg, linker = self._graph_parts(graph_answer.graph)
        return _Prepared(question=graph_answer.question, graph_answer=graph_answer, expression=expression,
                         kg=kg, linker=linker, graph_ms=(time.perf_counter() - started) * 1000)

    def _graph_parts(self, name: str | None) -> tuple[KnowledgeGraph | None, EntityLinker | None]:
        if name is None:
            return None, None
        return self.engine.graph_parts(name)

    def _verify(self, prepared: _Prepared, text: str, *, from_model: bool) -> Verification:
        """Extract the claims of ``text`` and check them against the prepared question's answer."""
        notes = []
        limit = self.engine.settings.max_question_chars
        if len(text) > limit:
            if not from_model:
                raise InvalidInput(f"The draft has {len(text)} characters, more than the limit of "
                                   f"{limit}. Shorten it or raise KGQA_MAX_QUESTION_CHARS.")
            text = text[:limit].rsplit(" ", 1)[0]
            notes.append(f"Only the first {len(text)} characters of the model's reply were checked.")

        if not text.strip():
            normalized, link = "", None
        elif prepared.linker is None:
            normalized, link = prepare_text(text), None
        else:
            link = prepared.linker.link(text)
            normalized = link.normalized_question

        graph_answer = prepared.graph_answer
        labels = prepared.kg.labels if prepared.kg is not None else None
        topics = [entity.entity for entity in graph_answer.linked_entities]
        if graph_answer.path is not None and graph_answer.path.source is not None:
            topics.append(graph_answer.path.source)
        context = ClaimContext(prepared.question, topics, graph_answer.answers, labels, graph_answer.kind)
        claims = extract_claims(normalized, link, context)
        ClaimChecker(prepared.kg).check(claims, graph_answer, prepared.expression)

        verification = build_verification(prepared.question, text, normalized, graph_answer, claims,
                                          prepared.expression)
        verification.notes = notes + verification.notes
        return verification

    def _generate(self, messages: list[dict[str, str]], *, fallible: bool) -> ModelOutput:
        """Ask the model and parse its reply.

        With ``fallible``, a failed generation becomes an output flagged
        ``generation_failed`` instead of raising.
        """
        try:
            generator = self.generator
            generation = generator.chat(messages, max_tokens=self.answer_tokens)
        except (ModelUnavailable, PromptTooLong) as error:
            if not fallible:
                raise
            log.warning("generation failed, falling back to the graph's facts: %s", error.message)
            name = getattr(self._generator, "name", "unknown")
            return ModelOutput(model=name, raw_text="", answer_text="", problems=[GENERATION_FAILED],
                               error=error.message)
        output = ModelOutput.from_generation(generation, parse_answer(generation))
        # Small models often copy the prompt's facts block before answering. The copy is not
        # the answer, and checking it would count every fact as the model's own claim.
        output.answer_text = _ECHOED_FACTS_RE.sub(" ", output.answer_text).strip()
        return output

    def _fact_lines(self, prepared: _Prepared) -> list[str]:
        lines = [fact_line(triple) for triple in prepared.graph_answer.evidence]
        expression = prepared.expression
        if expression is not None and expression.value is not None:
            lines.insert(0, json.dumps(f"{expression.text} = {format_exact(expression.value)}"))
        return lines

    # The modes.

    def _graph_result(self, prepared: _Prepared) -> ModeResult:
        graph_answer = prepared.graph_answer
        answered = graph_answer.status == "answered"
        return ModeResult(
            mode="graph", question=prepared.question, graph=graph_answer.graph, text=graph_answer.text,
            verdict="supported" if answered else "abstained", source="graph",
            claims=_graph_claims(graph_answer, None, graph_answer.text), graph_answer=graph_answer,
            evidence=list(graph_answer.evidence), notes=list(graph_answer.notes),
            timings_ms={"graph": prepared.graph_ms, "total": prepared.graph_ms},
        )

    def _ungrounded(self, prepared: _Prepared) -> ModeResult:
        started = time.perf_counter()
        output = self._generate(ungrounded_messages(prepared.question), fallible=False)
        generated = time.perf_counter()
        verification = self._verify(prepared, output.answer_text, from_model=True)
        finished = time.perf_counter()

        return ModeResult(
            mode="ungrounded", question=prepared.question, graph=prepared.graph_answer.graph,
            text=output.answer_text, verdict=verification.verdict, source="model",
            claims=verification.claims, graph_answer=prepared.graph_answer,
            evidence=_claim_evidence(verification.claims), verification=verification,
            model_outputs=[output], problems=list(output.problems),
            notes=_problem_notes(output) + verification.notes,
            timings_ms=_timings(started, generated, finished),
        )

    def _grounded(self, prepared: _Prepared) -> ModeResult:
        started = time.perf_counter()
        if not prepared.has_answer:
            result = self._without_answer("grounded", prepared)
            result.notes.insert(0, "The graph has no answer, so the model was not asked.")
            result.timings_ms = _timings(started, started, time.perf_counter())
            return result

        facts = self._fact_lines(prepared)
        output = self._generate(grounded_messages(prepared.question, facts), fallible=True)
        generated = time.perf_counter()
        verification = None
        if not _UNUSABLE & set(output.problems):
            verification = self._verify(prepared, output.answer_text, from_model=True)
        finished = time.perf_counter()

        result = self._accept_or_fall_back("grounded", prepared, output, verification)
        result.facts = facts
        result.timings_ms = _timings(started, generated, finished)
        return result

    def _corrected(self, prepared: _Prepared, draft: str, *, from_model: bool,
                   draft_result: ModeResult | None = None) -> ModeResult:
        started = time.perf_counter()
        draft_check = draft_result.verification if draft_result and draft_result.verification \
            else self._verify(prepared, draft, from_model=from_model)
        prior_outputs = list(draft_result.model_outputs) if draft_result else []

        if draft_check.verdict == "supported":
            result = self._model_text_result("corrected", prepared, draft, draft_check, source="draft")
        elif not prepared.has_answer:
            result = self._without_answer("corrected", prepared)
            result.notes += _draft_notes(draft_check)
        else:
            facts = self._fact_lines(prepared)
            output = self._generate(rewrite_messages(prepared.question, draft, facts, draft_check),
                                    fallible=True)
            rewrite_check = None
            if not _UNUSABLE & set(output.problems):
                rewrite_check = self._verify(prepared, output.answer_text, from_model=True)
            result = self._accept_or_fall_back("corrected", prepared, output, rewrite_check,
                                               accepted_source="model_rewrite")
            result.facts = facts
            result.notes = _draft_notes(draft_check) + result.notes

        result.draft = draft
        result.draft_verification = draft_check
        result.model_outputs = prior_outputs + result.model_outputs
        result.timings_ms = {"total": (time.perf_counter() - started) * 1000}
        if draft_result is not None:
            result.timings_ms["draft"] = draft_result.timings_ms.get("total", 0.0)
            result.timings_ms["total"] += result.timings_ms["draft"]
        return result

    # Building results.

    def _accept_or_fall_back(self, mode: str, prepared: _Prepared, output: ModelOutput,
                             verification: Verification | None,
                             accepted_source: str = "model") -> ModeResult:
        """Keep the model's text when verification supports it, else state the facts instead.

        In corrected mode that text is the model's rewrite of the draft, and
        the notes name it so, because the draft may come from the user.
        """
        if verification is not None and verification.verdict == "supported":
            result = self._model_text_result(mode, prepared, output.answer_text, verification,
                                             source=accepted_source)
            result.model_outputs = [output]
            result.problems = list(output.problems)
            result.notes = _problem_notes(output) + result.notes
            return result

        text = fact_sentence(prepared.graph_answer, prepared.expression)
        result = ModeResult(
            mode=mode, question=prepared.question, graph=prepared.graph_answer.graph, text=text,
            verdict="supported", source="fact_sentence",
            claims=_graph_claims(prepared.graph_answer, prepared.expression, text),
            graph_answer=prepared.graph_answer, evidence=list(prepared.graph_answer.evidence),
            verification=verification, model_outputs=[output], problems=list(output.problems),
        )
        if verification is None:
            reason = "it has no usable answer"
        else:
            reason = f"verification found it {verification.verdict.replace('_', ' ')}"
        replaced = "The model's rewrite of the draft" if accepted_source == "model_rewrite" \
            else "The model's text"
        result.notes = _problem_notes(output) + [
            f"{replaced} was replaced by the graph's facts because {reason}."]
        log.info("%s mode fell back to the fact sentence for %r: %s", mode, prepared.question, reason)
        return result

    def _model_text_result(self, mode: str, prepared: _Prepared, text: str, verification: Verification,
                           *, source: str) -> ModeResult:
        evidence = _merge_evidence(prepared.graph_answer.evidence, _claim_evidence(verification.claims))
        return ModeResult(
            mode=mode, question=prepared.question, graph=prepared.graph_answer.graph, text=text,
            verdict=verification.verdict, source=source, claims=verification.claims,
            graph_answer=prepared.graph_answer, evidence=evidence, verification=verification,
            notes=list(verification.notes),
        )

    def _without_answer(self, mode: str, prepared: _Prepared) -> ModeResult:
        """State that the graph (or the arithmetic) has no answer; no model is asked."""
        expression = prepared.expression
        if expression is not None:
            text, verdict, source = fact_sentence(prepared.graph_answer, expression), "unverifiable", \
                "fact_sentence"
        else:
            text, verdict, source = not_in_graph_text(prepared.graph_answer), "abstained", "not_in_graph"
        return ModeResult(mode=mode, question=prepared.question, graph=prepared.graph_answer.graph,
                          text=text, verdict=verdict, source=source, claims=[],
                          graph_answer=prepared.graph_answer)


def _checked_draft(draft: Any) -> str:
    if not isinstance(draft, str) or not draft.strip():
        raise InvalidInput(f"The draft must be a non-empty string, got {draft!r}. Pass the answer "
                           "text to check, such as 'The CEO of Google is Tim Cook.'.")
    return draft


def _graph_claims(graph_answer: Answer, expression: Expression | None, text: str) -> list[Claim]:
    """Return the answers of a text built from the graph (or the arithmetic) as supported claims."""
    if expression is not None and expression.value is not None:
        value = format_exact(expression.value)
        return [_located_claim("number", value, value, text, None, [])]
    if graph_answer.status != "answered":
        return []

    claims = []
    for item in graph_answer.answers:
        term = item.term
        kind = "entity" if isinstance(term, URIRef | BNode) else "literal"
        value = _number_key(str(term)) if is_numeric_literal(term) else str(term)
        evidence = [triple for triple in graph_answer.evidence if term in (triple.subject, triple.object)]
        claims.append(_located_claim(kind, item.label, value, text, term if kind == "entity" else None,
                                     evidence))
    return claims


def _located_claim(kind: str, label: str, value: str, text: str, entity: Any,
                   evidence: list[EvidenceTriple]) -> Claim:
    start, end = find_label(text, label) or (0, 0)
    return Claim(kind, label, start, end, value, entity=entity, scope="answer", verdict="supported",
                 evidence=evidence, reason="The graph states this value.")


def _number_key(lexical: str) -> str:
    try:
        return format(Decimal(lexical.strip()).normalize(), "f")
    except InvalidOperation:
        return lexical


def _claim_evidence(claims: list[Claim]) -> list[EvidenceTriple]:
    return _merge_evidence([], [triple for claim in claims for triple in claim.evidence])


def _merge_evidence(first: list[EvidenceTriple], second: list[EvidenceTriple]) -> list[EvidenceTriple]:
    merged: list[EvidenceTriple] = []
    seen = set()
    for triple in [*first, *second]:
        key = (triple.subject, triple.predicate, triple.object, triple.graph)
        if key not in seen:
            seen.add(key)
            merged.append(triple)
    return merged


def _problem_notes(output: ModelOutput) -> list[str]:
    notes = [f"Model output problem '{code}': {PROBLEMS[code]}." for code in output.problems
             if code in PROBLEMS]
    if output.error:
        notes.append(f"Generation failed: {output.error}")
    return notes


def _draft_notes(draft_check: Verification) -> list[str]:
    notes = []
    for claim in draft_check.claims:
        if claim.verdict in ("contradicted", "not_in_graph", "unverifiable"):
            notes.append(f"Draft claim {claim.text!r}: {claim.verdict.replace('_', ' ')}. {claim.reason}")
    return notes


def _timings(started: float, generated: float, finished: float) -> dict[str, float]:
    return {"generation": (generated - started) * 1000, "verification": (finished - generated) * 1000,
            "total": (finished - started) * 1000}


def _differences(modes: dict[str, ModeResult]) -> list[dict[str, Any]]:
    """List each claimed value that the modes do not all assert with the same verdict."""
    table: dict[str, dict[str, Any]] = {}
    for name, result in modes.items():
        for claim in result.claims:
            entry = table.setdefault(claim.value, {"value": claim.value, "text": claim.text, "verdicts": {}})
            entry["verdicts"].setdefault(name, claim.verdict)

    differences = []
    for entry in table.values():
        verdicts = {name: entry["verdicts"].get(name) for name in modes}
        if len(set(verdicts.values())) > 1:
            differences.append({**entry, "verdicts": verdicts})
    return differences
