"""A generator with one fixed reply, for scoring generated answers of known content."""

from __future__ import annotations

from kgqa.generation.base import Generation


class FixedReply:
    """A ``Generator`` that always replies with one text, to score a generated answer of known content."""

    name = "fixed"

    def __init__(self, text: str) -> None:
        self.text = text

    def chat(self, messages, *, max_tokens=None, temperature=None, stop=None) -> Generation:
        return Generation(text=self.text, finish_reason="stop", prompt_tokens=1, completion_tokens=1,
                          elapsed_s=0.001, model=self.name)
