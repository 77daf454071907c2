"""Answer questions: ``POST /ask`` in one mode, ``POST /compare`` in all four, ``POST /verify`` a draft.

The response bodies are the CLI's ``--json`` output for the same command,
so a script can move between the two without changes.
"""

from __future__ import annotations

from flask import Blueprint, Response, g

from kgqa.errors import InvalidInput
from kgqa.service.bodies import optional_int, optional_str, read_json_object, required_str
from kgqa.service.context import current_service
from kgqa.service.errors import json_response

__all__ = ["MAX_TOP_K", "MODES", "blueprint"]

blueprint = Blueprint("answers", __name__)

MODES = ("graph", "ungrounded", "grounded", "corrected")
MAX_TOP_K = 1000
_EXAMPLE_QUESTION = "What is the capital of France?"


def _json_payload() -> dict:
    settings = current_service().settings
    return read_json_object(settings.max_json_kb * 1024, "KGQA_MAX_JSON_KB")


@blueprint.post("/ask")
def ask() -> Response:
    payload = _json_payload()
    question = required_str(payload, "question", _EXAMPLE_QUESTION)
    graph = optional_str(payload, "graph")
    mode = optional_str(payload, "mode", MODES) or "graph"
    top_k = optional_int(payload, "top_k", 1, MAX_TOP_K)
    draft = optional_str(payload, "draft")
    if draft is not None and mode != "corrected":
        raise InvalidInput("Field 'draft' needs \"mode\": \"corrected\"; remove it or set the mode.",
                           details={"field": "draft", "mode": mode})
    g.metrics_mode = mode

    service = current_service()
    if mode == "graph":
        return json_response(service.engine.ask(question, graph=graph, top_k=top_k).to_dict())
    result = service.modes.run(mode, question, graph=graph, top_k=top_k, draft=draft)
    return json_response(result.to_dict())


@blueprint.post("/compare")
def compare() -> Response:
    payload = _json_payload()
    question = required_str(payload, "question", _EXAMPLE_QUESTION)
    graph = optional_str(payload, "graph")
    top_k = optional_int(payload, "top_k", 1, MAX_TOP_K)
    g.metrics_mode = "compare"

    comparison = current_service().modes.compare(question, graph=graph, top_k=top_k)
    return json_response(comparison.to_dict())


@blueprint.post("/verify")
def verify() -> Response:
    payload = _json_payload()
    question = required_str(payload, "question", _EXAMPLE_QUESTION)
    answer = required_str(payload, "answer", "The capital of France is Paris.")
    graph = optional_str(payload, "graph")
    g.metrics_mode = "verify"

    modes = current_service().modes
    verification = modes.verify(question, answer, graph=graph)
    corrected = modes.corrected(question, graph=graph, draft=answer)
    return json_response({"verification": verification.to_dict(),
                          "corrected": corrected.to_dict()})
