"""Preview entity linking and complete entity names: ``GET /entities?q=...&graph=...``.

The response has what the linker finds in ``q`` read as a question
(``linked``, with scores and alternatives) and the entities whose label
starts with the text after the last separator (``suggestions``), which is
what a search box needs while the user types.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, request

from kgqa.errors import InvalidInput
from kgqa.graph.store import validate_graph_name
from kgqa.linking.completion import LabelCompleter
from kgqa.service.context import current_service
from kgqa.service.errors import json_response

__all__ = ["MAX_LIMIT", "blueprint"]

blueprint = Blueprint("entities", __name__)

_DEFAULT_LIMIT = 10
MAX_LIMIT = 100
# The completed part is what follows the last clause break, so "capital of fra" completes "fra"
# only if no entity label starts with the whole text.
_CLAUSE_BREAK_RE = re.compile(r"[,;:?!]\s*")


@blueprint.get("/entities")
def entities() -> Response:
    text, graphs, limit = _query_arguments()
    service = current_service()

    results = []
    for name in graphs:
        kg, linker = service.engine.graph_parts(name)
        linked = linker.link(text)
        completer = _completer(name, kg)
        results.append({
            "graph": name,
            "linked": [entity.to_dict() for entity in linked.entities],
            "ambiguous": [mention.to_dict() for mention in linked.ambiguous],
            "suggestions": [completion.to_dict() for completion in _suggest(completer, text, limit)],
        })
    return json_response({"q": text, "results": results})


def _query_arguments() -> tuple[str, list[str], int]:
    text = request.args.get("q", "")
    if not text.strip():
        raise InvalidInput("Query parameter 'q' is required, for example /entities?q=Fran.",
                           details={"parameter": "q"})
    limit_text = request.args.get("limit", str(_DEFAULT_LIMIT))
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
        raise InvalidInput(f"Query parameter 'limit' must be an integer from 1 to {MAX_LIMIT}, "
                           f"got {limit_text!r}.", details={"parameter": "limit"})

    settings = current_service().settings
    if len(text) > settings.max_question_chars:
        raise InvalidInput(f"Query parameter 'q' has {len(text)} characters; the limit is "
                           f"{settings.max_question_chars} (KGQA_MAX_QUESTION_CHARS).",
                           details={"parameter": "q"})
    graph = request.args.get("graph")
    engine = current_service().engine
    if graph:
        validate_graph_name(graph)
        engine.graph_info(graph)  # raises GraphNotFound listing the loaded graphs
        return text, [graph], int(limit_text)
    return text, engine.graph_names(), int(limit_text)


def _completer(name: str, kg) -> LabelCompleter:
    service = current_service()
    key = (name, kg.info.content_hash)
    with service.lock:
        completer = service.completers.get(key)
        if completer is None:
            service.completers = {k: v for k, v in service.completers.items() if k[0] != name}
            completer = LabelCompleter(kg.labels)
            service.completers[key] = completer
        return completer


def _suggest(completer: LabelCompleter, text: str, limit: int) -> list:
    whole = completer.complete(text, limit)
    if whole:
        return whole
    tail = _CLAUSE_BREAK_RE.split(text)[-1]
    words = tail.split()
    # Try the last three, two, then one words: "capital of fra" finds France through "fra".
    for size in (3, 2, 1):
        if len(words) >= size:
            found = completer.complete(" ".join(words[-size:]), limit)
            if found:
                return found
    return []
