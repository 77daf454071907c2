"""The derived-data cache: build once, pickles and numpy arrays, unreadable entries, pruning."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from kgqa.errors import InvalidInput
from kgqa.graph.cache import DerivedCache

HASH_A = "a" * 64
HASH_B = "b" * 64


@pytest.fixture
def cache(tmp_path):
    return DerivedCache(tmp_path / "cache")


def test_build_runs_once(cache):
    calls = []

    def build():
        calls.append(1)
        return {"labels": ["Mira Okafor"]}

    first = cache.get_or_build(HASH_A, "labels", build)
    second = cache.get_or_build(HASH_A, "labels", build)
    assert first == second == {"labels": ["Mira Okafor"]}
    assert len(calls) == 1


def test_new_instance_reads_entry(cache, tmp_path):
    cache.get_or_build(HASH_A, "labels", lambda: [1, 2, 3])
    again = DerivedCache(tmp_path / "cache").get_or_build(HASH_A, "labels", lambda: None)
    assert again == [1, 2, 3]


def test_numpy_array_saved_without_pickle(cache):
    matrix = np.arange(12, dtype=np.float32).reshape(3, 4)
    cache.get_or_build(HASH_A, "embeddings", lambda: matrix)
    loaded = cache.get_or_build(HASH_A, "embeddings", lambda: None)
    assert (cache.root / HASH_A / "embeddings.npy").is_file()
    assert not (cache.root / HASH_A / "embeddings.pickle").exists()
    assert loaded.dtype == np.float32
    assert np.array_equal(loaded, matrix)


def test_numpy_array_memory_mapped(cache):
    cache.put(HASH_A, "embeddings", np.ones((2, 3), dtype=np.float32))
    loaded = cache.get_or_build(HASH_A, "embeddings", lambda: None, mmap=True)
    assert isinstance(loaded, np.memmap)
    assert not loaded.flags.writeable


def test_put_replaces_other_kind(cache):
    cache.put(HASH_A, "vectors", [1.0, 2.0])
    cache.put(HASH_A, "vectors", np.array([1.0, 2.0]))
    assert (cache.root / HASH_A / "vectors.npy").is_file()
    assert not (cache.root / HASH_A / "vectors.pickle").exists()


def test_unreadable_entry_is_rebuilt(cache):
    cache.put(HASH_A, "labels", ["old"])
    (cache.root / HASH_A / "labels.pickle").write_bytes(b"not a pickle")
    assert cache.get_or_build(HASH_A, "labels", lambda: ["rebuilt"]) == ["rebuilt"]
    assert cache.get_or_build(HASH_A, "labels", lambda: ["again"]) == ["rebuilt"]


def test_no_temporary_files_left(cache):
    cache.put(HASH_A, "labels", list(range(1000)))
    assert sorted(path.name for path in (cache.root / HASH_A).iterdir()) == ["labels.pickle"]


def test_contains_and_remove(cache):
    cache.put(HASH_A, "labels", [1])
    assert cache.contains(HASH_A, "labels")
    cache.remove(HASH_A)
    assert not cache.contains(HASH_A, "labels")


def test_prune_keeps_listed_hashes(cache):
    cache.put(HASH_A, "labels", [1])
    cache.put(HASH_B, "labels", [2])
    removed = cache.prune([HASH_A])
    assert removed == [HASH_B]
    assert cache.contains(HASH_A, "labels")
    assert not cache.contains(HASH_B, "labels")


def test_prune_spares_recent_entries(cache):
    cache.put(HASH_B, "labels", [2])
    assert cache.prune([], min_age_s=3600) == []
    old = time.time() - 7200
    os.utime(cache.root / HASH_B, (old, old))
    assert cache.prune([], min_age_s=3600) == [HASH_B]


@pytest.mark.parametrize("key", ["", "../labels", "a/b", ".hidden", "x" * 129])
def test_invalid_key_rejected(cache, key):
    with pytest.raises(InvalidInput, match="Invalid cache key"):
        cache.put(HASH_A, key, [1])


@pytest.mark.parametrize("content_hash", ["", "../x", "ABCDEF0123456789", "abc"])
def test_invalid_hash_rejected(cache, content_hash):
    with pytest.raises(InvalidInput, match="Invalid content hash"):
        cache.get_or_build(content_hash, "labels", lambda: [1])
