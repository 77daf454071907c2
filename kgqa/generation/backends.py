"""Choose the generative model backend that the settings name."""

from __future__ import annotations

from typing import Any

from kgqa.errors import InvalidSetting
from kgqa.generation.base import Generator
from kgqa.generation.embedded import EmbeddedGenerator
from kgqa.generation.openai_compat import OpenAICompatGenerator

__all__ = ["BACKENDS", "build_generator"]

BACKENDS = {
    "embedded": EmbeddedGenerator,
    "openai": OpenAICompatGenerator,
}


def build_generator(settings: Any) -> Generator:
    """Build the generator ``settings.llm_backend`` names, configured by the other ``llm_*`` settings.

    Nothing is loaded or contacted yet: the embedded model loads on its first
    ``chat`` call (or on ``load()``), and the endpoint is first called then too.

    Raises:
        InvalidSetting: an unknown backend name, or an invalid endpoint URL for ``openai``.
        ModelUnavailable: ``embedded`` without a model file.
    """
    backend = str(settings.llm_backend).strip().lower()
    if backend not in BACKENDS:
        raise InvalidSetting(f"Unknown KGQA_LLM_BACKEND {settings.llm_backend!r}; "
                             f"use one of {', '.join(sorted(BACKENDS))}.")

    return BACKENDS[backend].from_settings(settings)
