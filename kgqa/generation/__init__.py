"""Run generative models behind one chat interface and parse what they return.

Rule of this layer: no graph code. It imports only settings, errors,
the standard library, httpx and llama-cpp-python, never ``kgqa.graph``, ``kgqa.linking``,
``kgqa.retrieval`` or ``kgqa.answering``, so the verification layer can
compare a model's answer with the graph without the model side depending on it.

- ``base``: the ``Generator`` protocol and the ``Generation`` result.
- ``embedded``: SmolLM2-135M-Instruct (or another GGUF file) run in process by llama.cpp.
- ``openai_compat``: any OpenAI-compatible ``/chat/completions`` endpoint over HTTP.
- ``backends``: ``build_generator(settings)`` picks one of the two.
- ``output``: ``parse_answer`` turns output of any shape into an answer text and flags problems.
"""

from __future__ import annotations

from kgqa.generation.backends import build_generator
from kgqa.generation.base import Generation, Generator
from kgqa.generation.embedded import EmbeddedGenerator, default_model_path
from kgqa.generation.openai_compat import OpenAICompatGenerator
from kgqa.generation.output import ParsedOutput, parse_answer

__all__ = [
    "EmbeddedGenerator",
    "Generation",
    "Generator",
    "OpenAICompatGenerator",
    "ParsedOutput",
    "build_generator",
    "default_model_path",
    "parse_answer",
]
