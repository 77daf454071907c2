"""Define the chat interface every model backend implements and the result it returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from kgqa.errors import InvalidInput

__all__ = ["ROLES", "Generation", "Generator", "check_chat_arguments"]

ROLES = frozenset({"system", "user", "assistant"})


@dataclass(frozen=True)
class Generation:
    """One completed chat reply and what it cost.

    ``finish_reason`` is the backend's own value: ``"stop"`` (end of turn or a
    stop string), ``"length"`` (cut at ``max_tokens``) or another string an
    endpoint reports. It is ``"unknown"`` when the backend reports none.
    Token counts come from the backend's tokenizer, and are 0 when an endpoint
    omits them.
    """

    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    elapsed_s: float
    model: str


@runtime_checkable
class Generator(Protocol):
    """A chat model: takes OpenAI-style messages, returns one ``Generation``.

    ``name`` identifies the backend and model in logs and answer objects, for
    example ``"embedded:SmolLM2-135M-Instruct.Q4_1"`` or
    ``"openai:http://127.0.0.1:8080/v1 model=smollm2"``; it never contains a secret.
    ``None`` for an option means the backend's configured default.
    """

    name: str

    def chat(self, messages: list[dict[str, str]], *, max_tokens: int | None = None,
             temperature: float | None = None, stop: list[str] | None = None) -> Generation:
        """Generate the assistant's next message."""
        ...


def check_chat_arguments(messages: Any, max_tokens: Any, temperature: Any, stop: Any) -> None:
    """Raise ``InvalidInput`` unless the arguments of ``Generator.chat`` are well formed."""
    if not isinstance(messages, list) or not messages:
        raise InvalidInput(f"messages must be a non-empty list of {{'role', 'content'}} dicts, "
                           f"got {messages!r}.")
    for index, message in enumerate(messages):
        _check_message(index, message)

    if max_tokens is not None and (isinstance(max_tokens, bool) or not isinstance(max_tokens, int)
                                   or max_tokens < 1):
        raise InvalidInput(f"max_tokens must be a positive integer or None, got {max_tokens!r}.")
    if temperature is not None and (isinstance(temperature, bool) or not isinstance(temperature, int | float)
                                    or temperature < 0):
        raise InvalidInput(f"temperature must be a number >= 0 or None, got {temperature!r}.")
    if stop is not None and (not isinstance(stop, list)
                             or not all(isinstance(item, str) and item for item in stop)):
        raise InvalidInput(f"stop must be a list of non-empty strings or None, got {stop!r}.")


def _check_message(index: int, message: Any) -> None:
    if not isinstance(message, dict):
        raise InvalidInput(f"messages[{index}] must be a dict with 'role' and 'content', got {message!r}.")
    if message.get("role") not in ROLES:
        raise InvalidInput(f"messages[{index}] has role {message.get('role')!r}; "
                           f"use one of {', '.join(sorted(ROLES))}.")
    if not isinstance(message.get("content"), str):
        raise InvalidInput(f"messages[{index}] content must be a string, got {message.get('content')!r}.")
