"""Cache data derived from a graph on disk, keyed by the graph's content hash.

Entries live at ``<root>/<content_hash>/<key>.npy`` (numpy arrays, saved
without pickle) or ``<key>.pickle`` (anything else). Every entry is written
atomically, so concurrent builders in several processes never leave a torn
file: the last rename wins and both wrote the same data.

Pickles run code when they are loaded. The data folder must therefore be
writable only by the user who runs kgqa.
"""

from __future__ import annotations

import io
import logging
import pickle
import re
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from kgqa.errors import InvalidInput
from kgqa.graph.diskio import write_atomically

__all__ = ["DerivedCache"]

log = logging.getLogger(__name__)

T = TypeVar("T")

_HASH_RE = re.compile(r"[0-9a-f]{16,128}")
_KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_MISSING = object()


class DerivedCache:
    """Derived data (label index, nx_graph, embedding matrices) per graph content hash.

    Keys are chosen by the module that builds the data, for example
    ``labels`` or ``relation-embeddings``. Change the key when the builder's
    output changes shape, because an entry is never rebuilt while it exists.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def get_or_build(self, content_hash: str, key: str, build: Callable[[], T], *,
                     mmap: bool = False) -> T:
        """Return the cached value, or call ``build``, store its result and return it.

        With ``mmap=True`` a cached numpy array is memory-mapped read-only, so
        several processes share its pages.
        """
        value = self._read(content_hash, key, mmap=mmap)
        if value is not _MISSING:
            return value  # type: ignore[return-value]

        started = time.perf_counter()
        value = build()
        self.put(content_hash, key, value)
        log.info("built derived data %s for %s in %.1f s",
                 key, content_hash[:12], time.perf_counter() - started)
        return value

    def _read(self, content_hash: str, key: str, *, mmap: bool) -> Any:
        """Return the cached value, or ``_MISSING`` if there is none or it cannot be read (logged)."""
        folder = self._folder(content_hash, key)
        array_path = folder / f"{key}.npy"
        pickle_path = folder / f"{key}.pickle"

        try:
            if array_path.is_file():
                return np.load(array_path, mmap_mode="r" if mmap else None, allow_pickle=False)
            if pickle_path.is_file():
                with open(pickle_path, "rb") as handle:
                    return pickle.load(handle)
        # Any failure here (a file truncated by a disk fault, a class renamed
        # since the entry was written) means "rebuild", never "fail the question".
        except Exception as error:
            log.warning("ignoring unreadable cache entry %s/%s: %s", content_hash[:12], key, error)
        return _MISSING

    def put(self, content_hash: str, key: str, value: Any) -> None:
        """Store ``value`` under ``key``, replacing any earlier entry of either kind."""
        folder = self._folder(content_hash, key)

        if isinstance(value, np.ndarray) and value.dtype != object:
            buffer = io.BytesIO()
            np.save(buffer, value, allow_pickle=False)
            path, other = folder / f"{key}.npy", folder / f"{key}.pickle"
            data = buffer.getvalue()
        else:
            path, other = folder / f"{key}.pickle", folder / f"{key}.npy"
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)

        write_atomically(path, data)
        other.unlink(missing_ok=True)

    def contains(self, content_hash: str, key: str) -> bool:
        """Return whether an entry exists (it may still turn out unreadable)."""
        folder = self._folder(content_hash, key)
        return (folder / f"{key}.npy").is_file() or (folder / f"{key}.pickle").is_file()

    def remove(self, content_hash: str) -> None:
        """Delete every entry of one content hash."""
        _check_hash(content_hash)
        shutil.rmtree(self.root / content_hash, ignore_errors=True)

    def prune(self, keep: Iterable[str], *, min_age_s: float = 0.0) -> list[str]:
        """Delete the entries of every content hash not in ``keep``; return the hashes deleted.

        Folders modified less than ``min_age_s`` ago are kept, because another
        process may be filling them for a graph it has not yet switched to.
        """
        if not self.root.is_dir():
            return []

        keep = set(keep)
        now = time.time()
        removed = []
        for folder in self.root.iterdir():
            if not folder.is_dir() or folder.name in keep or not _HASH_RE.fullmatch(folder.name):
                continue
            if now - folder.stat().st_mtime < min_age_s:
                continue
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)

        if removed:
            log.info("removed derived data of %d graph versions no longer stored", len(removed))
        return removed

    def _folder(self, content_hash: str, key: str) -> Path:
        _check_hash(content_hash)
        if not _KEY_RE.fullmatch(key):
            raise InvalidInput(
                f"Invalid cache key {key!r}: use 1-128 letters, digits, '_', '-' or '.', "
                "starting with a letter or digit."
            )
        return self.root / content_hash


def _check_hash(content_hash: str) -> None:
    if not _HASH_RE.fullmatch(content_hash):
        raise InvalidInput(
            f"Invalid content hash {content_hash!r}: expected a lowercase hex digest "
            "such as GraphInfo.content_hash."
        )
