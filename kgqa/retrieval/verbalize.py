"""Turn relation paths into short English phrases for comparison with a question.

A path reads ``NE <step 1> ... <step N>``, where ``NE`` stands for the topic
entity exactly as the masked question writes it. A forward step reads as its
relation label ("directed by"); an inverse step reads the label the other way
round ("directed by" -> "directed", "member of" -> "has member",
"has genre" -> "genre of", "director" -> "director of").
"""

from __future__ import annotations

from collections.abc import Iterable

from kgqa.retrieval.relation_path import PathStep

__all__ = ["TOPIC_PLACEHOLDER", "inverse_phrase", "step_phrase", "verbalize_path"]

TOPIC_PLACEHOLDER = "NE"
"""The token that stands for a linked entity in masked questions and in path verbalizations."""

# Leading words that turn a noun into a relation ("has genre", "in language"). The
# inverse drops them and reads "<noun> of".
_LEADING_VERBS = ("has ", "have ", "is ", "in ", "with ")


def inverse_phrase(label: str) -> str:
    """Return the phrase for following a relation labelled ``label`` from object to subject."""
    words = label.strip()
    lowered = words.lower()

    if lowered.endswith(" by"):
        return words[: -len(" by")]
    if lowered.endswith(" of"):
        return "has " + words[: -len(" of")]
    for prefix in _LEADING_VERBS:
        if lowered.startswith(prefix) and len(lowered) > len(prefix):
            return words[len(prefix):] + " of"
    return words + " of"


def step_phrase(step: PathStep) -> str:
    """Return a step's relation label, read backwards when the step is inverse."""
    return inverse_phrase(step.label) if step.inverse else step.label


def verbalize_path(steps: Iterable[PathStep], topic: str = TOPIC_PLACEHOLDER) -> str:
    """Return ``"<topic> <step 1> ... <step N>"`` with each step read in its direction."""
    phrases = [step_phrase(step) for step in steps]
    return " ".join([topic, *phrases])
