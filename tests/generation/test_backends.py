"""Choosing the backend from settings, and the generation layer's import rule."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kgqa.errors import InvalidSetting
from kgqa.generation import build_generator
from kgqa.generation.embedded import EmbeddedGenerator
from kgqa.generation.openai_compat import OpenAICompatGenerator
from kgqa.settings import Settings


def test_default_backend_is_embedded():
    generator = build_generator(Settings(environ={}))
    assert isinstance(generator, EmbeddedGenerator)
    assert generator.name.startswith("embedded:SmolLM2-135M-Instruct")


@pytest.mark.parametrize("backend", ["openai", "OpenAI", " openai "])
def test_openai_backend_chosen(backend):
    settings = Settings(environ={"KGQA_LLM_BACKEND": backend,
                                 "KGQA_LLM_BASE_URL": "http://127.0.0.1:8080/v1",
                                 "KGQA_LLM_MODEL": "smollm2"})
    generator = build_generator(settings)
    assert isinstance(generator, OpenAICompatGenerator)
    assert generator.name == "openai:http://127.0.0.1:8080/v1 model=smollm2"


def test_unknown_backend_rejected():
    with pytest.raises(InvalidSetting, match="Unknown KGQA_LLM_BACKEND 'gpt'") as raised:
        build_generator(Settings(environ={"KGQA_LLM_BACKEND": "gpt"}))
    assert "embedded, openai" in raised.value.message


def test_openai_without_url_rejected():
    with pytest.raises(InvalidSetting, match="KGQA_LLM_BASE_URL"):
        build_generator(Settings(environ={"KGQA_LLM_BACKEND": "openai"}))


def test_layer_imports_no_graph_code():
    probe = ("import sys, kgqa.generation; "
             "print(sorted(name for name in sys.modules if name.startswith('kgqa.')))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = result.stdout.strip()
    for layer in ("kgqa.graph", "kgqa.linking", "kgqa.retrieval", "kgqa.answering", "kgqa.service"):
        assert f"'{layer}" not in loaded, loaded
    assert "'kgqa.generation.output'" in loaded
