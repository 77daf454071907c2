"""Link a question by exact label lookup, so answering tests do not depend on the linker."""

from __future__ import annotations

from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.linking.mentions import LinkedEntity
from kgqa.normalize import prepare_text

__all__ = ["link_labels"]


def link_labels(kg: KnowledgeGraph, question: str,
                only: tuple[str, ...] = ()) -> tuple[str, str, list[LinkedEntity]]:
    """Return the normalized question, the masked question and exact-label links, longest first.

    ``only``, when given, restricts the links to those label texts.
    """
    normalized = prepare_text(question)
    forms = sorted(((text, entity) for text, entity, _ in kg.labels.surface_forms()
                    if not kg.labels.is_relation(entity)), key=lambda form: -len(form[0]))
    linked: list[LinkedEntity] = []
    for text, entity in forms:
        if only and text not in only:
            continue
        start = normalized.find(text)
        overlaps = any(start < other.end and other.start < start + len(text) for other in linked)
        if start >= 0 and not overlaps:
            linked.append(LinkedEntity(text, start, start + len(text), entity, text, 1.0))
    linked.sort(key=lambda entity: entity.start)

    masked = normalized
    for entity in reversed(linked):
        masked = masked[:entity.start] + "NE" + masked[entity.end:]
    return normalized, masked, linked
