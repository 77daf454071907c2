"""Keep graphs on disk in Oxigraph stores, switch versions atomically, open them as rdflib datasets.

Layout under ``settings.data_path``::

    graphs/<name>/manifest.json             current version and GraphInfo
    graphs/<name>/versions/<version>/       one Oxigraph (RocksDB) folder per version
    graphs/<name>/versions/<version>.lease  readers hold a shared lock on it
    locks/<name>.lock                       writers hold an exclusive lock on it
    cache/<content hash>/                   derived data (see ``kgqa.graph.cache``)

A load parses every file into memory first, then writes a new version
folder, then replaces the manifest (``os.replace`` after fsync), then deletes
the versions no longer referenced. A version folder is written once and
never changed, so any number of processes can open it read-only while
another process loads the next version. Readers notice a new version
through ``current_hash`` or their next ``open``.

A version is deleted only when no reader holds its lease. ``open`` takes the
lease and keeps it until the returned dataset's store is garbage-collected,
so a process that still answers from an old version keeps it on disk; the
next load or start-up removes it once released.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import logging
import os
import re
import secrets
import shutil
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
from oxrdflib.store import OxigraphStore
from rdflib import Dataset, Literal

from kgqa.errors import GraphNotFound, InvalidInput, StoreError
from kgqa.graph.cache import DerivedCache
from kgqa.graph.classes import ClassIndex
from kgqa.graph.diskio import FileLock, fsync_directory, write_atomically
from kgqa.graph.knowledge_graph import GraphInfo, KnowledgeGraph, dataset_quads
from kgqa.graph.labels import LabelIndex
from kgqa.graph.loading import (
    ParsedGraph,
    ProgressCallback,
    Quad,
    Source,
    content_hash,
    parse_sources,
    read_source,
    source_from_bytes,
)
from kgqa.graph.projection import build_nx_graph
from kgqa.settings import Settings

__all__ = ["CLASSES_KEY", "LABELS_KEY", "NX_GRAPH_KEY", "GraphStore", "LeasedVersion",
           "validate_graph_name"]

log = logging.getLogger(__name__)

LABELS_KEY = "label-index"
NX_GRAPH_KEY = "nx-graph"
CLASSES_KEY = "class-index"

_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_MANIFEST = "manifest.json"
_MANIFEST_FORMAT = 1
_WRITE_PROGRESS_EVERY = 50_000
_OPEN_ATTEMPTS = 3
# Derived data younger than this may belong to a load still in progress elsewhere.
_CACHE_PRUNE_MIN_AGE_S = 3600.0


def validate_graph_name(name: str) -> str:
    """Return ``name`` if it is a valid graph name, else raise InvalidInput saying what is allowed.

    Names become folder names and part of IRIs, hence the narrow alphabet.
    """
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise InvalidInput(
            f"Invalid graph name {name!r}: use 1 to 64 ASCII letters, digits, '-', '_' or '.', "
            "starting with a letter or digit.",
            details={"graph": name},
        )
    return name


@dataclasses.dataclass(frozen=True)
class LeasedVersion:
    """The current version folder of a graph, its lease file and its metadata."""

    path: Path
    lease_path: Path
    info: GraphInfo


class GraphStore:
    """Every loaded graph of one data folder; safe to use from several threads and processes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.data_path
        self.cache = DerivedCache(self.root / "cache")
        self._graphs_dir = self.root / "graphs"
        self._locks_dir = self.root / "locks"
        self._opened: dict[str, tuple[str, KnowledgeGraph]] = {}
        self._mutex = threading.Lock()

        try:
            self._graphs_dir.mkdir(parents=True, exist_ok=True)
            self._locks_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"Cannot create the data folder {self.root}: {error.strerror}. "
                "Set KGQA_DATA_DIR to a writable folder.", details={"path": str(self.root)},
            ) from error
        self._clean_up()

    # Reading

    def names(self) -> list[str]:
        """Return the names of the stored graphs, sorted."""
        return sorted(folder.name for folder in self._graphs_dir.iterdir()
                      if (folder / _MANIFEST).is_file())

    def info(self, name: str) -> GraphInfo:
        """Return the metadata of a stored graph; raise GraphNotFound listing the stored ones."""
        return GraphInfo(**self._read_manifest(name)["info"])

    def current_hash(self, name: str) -> str:
        """Return the stored version's content hash: a cheap way to notice a reload elsewhere."""
        return self._read_manifest(name)["info"]["content_hash"]

    def is_current(self, name: str, paths: Iterable[str | os.PathLike[str]],
                   fmt: str | None = None) -> bool:
        """Return whether graph ``name`` is stored from exactly these files (same content hash)."""
        validate_graph_name(name)
        if name not in self.names():
            return False
        sources = [read_source(path, fmt) for path in paths]
        namespace = f"{self.settings.table_base_iri}{name}/"
        return content_hash(sources, namespace) == self.current_hash(name)

    def open(self, name: str) -> KnowledgeGraph:
        """Return the current version of a graph, with labels and nx_graph from the cache.

        ``rdf_graph`` is an rdflib Dataset over the read-only Oxigraph store,
        with ``default_union=True`` so ``triples()`` also matches statements
        in named graphs. Calling ``open`` again returns the same object until the
        stored version changes.
        """
        for _ in range(_OPEN_ATTEMPTS):
            manifest = self._read_manifest(name)
            with self._mutex:
                opened = self._opened.get(name)
                if opened is not None and opened[0] == manifest["version"]:
                    return opened[1]

            kg = self._open_version(name, manifest)
            if kg is None:
                continue  # deleted by a concurrent load between reading the manifest and locking
            with self._mutex:
                self._opened[name] = (manifest["version"], kg)
            return kg

        raise StoreError(
            f"Graph {name!r} kept changing while it was being opened. Retry in a moment.",
            details={"graph": name},
        )

    @contextlib.contextmanager
    def lease_current(self, name: str) -> Iterator[LeasedVersion]:
        """Hold the lease of a graph's current version for the ``with`` block, and yield the version.

        While the block runs no load or delete, in any process, removes the
        folder, so another process can open it with ``pyoxigraph.Store.read_only``.
        """
        for _ in range(_OPEN_ATTEMPTS):
            manifest = self._read_manifest(name)
            path = self._versions_dir(name) / manifest["version"]
            lease = FileLock(_lease_path(path), shared=True)
            lease.acquire()
            if not path.is_dir():
                lease.release()
                continue  # deleted by a concurrent load between reading the manifest and locking
            try:
                yield LeasedVersion(path, lease.path, GraphInfo(**manifest["info"]))
            finally:
                lease.release()
            return

        raise StoreError(
            f"Graph {name!r} kept changing while it was being opened. Retry in a moment.",
            details={"graph": name},
        )

    # Writing

    def load(self, name: str, paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
             fmt: str | None = None, progress: ProgressCallback | None = None) -> GraphInfo:
        """Parse ``paths`` completely, then store them as graph ``name``, replacing any older one.

        ``fmt`` (a format name or alias) applies to every file and wins over
        the extensions. On any error the stored graphs stay as they were.
        """
        validate_graph_name(name)
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        sources = [read_source(path, fmt) for path in paths]
        return self._load_sources(name, sources, progress)

    def load_bytes(self, name: str, data: bytes, fmt: str | None,
                   filename: str | None = None,
                   progress: ProgressCallback | None = None) -> GraphInfo:
        """Store uploaded bytes as graph ``name``, with the same guarantees as ``load``.

        ``fmt`` may be a format name, an alias or a media type; when None,
        ``filename``'s extension decides.
        """
        validate_graph_name(name)
        return self._load_sources(name, [source_from_bytes(data, fmt, filename)], progress)

    def delete(self, name: str) -> None:
        """Remove a graph; raise GraphNotFound if it is not stored."""
        validate_graph_name(name)
        with self._writer_lock(name):
            content_hash = self.current_hash(name)
            manifest_path = self._graph_dir(name) / _MANIFEST
            manifest_path.unlink()
            fsync_directory(manifest_path.parent)

            with self._mutex:
                self._opened.pop(name, None)
            self._remove_unused_versions(name, current=None)
            self._remove_cache_unless_used(content_hash)
            if not any(self._versions_dir(name).glob("*")):
                shutil.rmtree(self._graph_dir(name), ignore_errors=True)
        log.info("deleted graph %s", name)

    def close(self) -> None:
        """Forget the opened graphs; versions stay on disk until their datasets are collected."""
        with self._mutex:
            self._opened.clear()

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Loading steps

    def _load_sources(self, name: str, sources: list[Source],
                      progress: ProgressCallback | None) -> GraphInfo:
        started = time.perf_counter()
        namespace = f"{self.settings.table_base_iri}{name}/"
        parsed = parse_sources(sources, namespace=namespace, progress=progress)
        labels, nx_graph = self._derive_at_load(parsed, progress)
        info = _graph_info(name, parsed, labels, nx_graph)

        with self._writer_lock(name):
            previous_hash = self._manifest_hash_or_none(name)
            version = self._write_version(name, parsed, progress)
            try:
                self._write_manifest(name, version, info)
            except BaseException:
                self._discard_unless_current(name, version)
                raise
            self._remove_unused_versions(name, current=version)
            if previous_hash is not None and previous_hash != info.content_hash:
                self._remove_cache_unless_used(previous_hash)

        log.info("loaded graph %s: %d triples from %d files in %.1f s",
                 name, info.triples, len(sources), time.perf_counter() - started)
        return info

    def _derive_at_load(self, parsed: ParsedGraph,
                        progress: ProgressCallback | None) -> tuple[LabelIndex, nx.MultiDiGraph]:
        """Build (or find) the label index and nx_graph from the parsed quads, before writing."""
        report = progress or (lambda stage, done, total: None)
        report("index", 0, 3)
        labels = self.cache.get_or_build(parsed.content_hash, LABELS_KEY,
                                         lambda: _build_labels(parsed.quads))
        report("index", 1, 3)
        nx_graph = self.cache.get_or_build(parsed.content_hash, NX_GRAPH_KEY,
                                           lambda: build_nx_graph(parsed.quads))
        report("index", 2, 3)
        self.cache.get_or_build(parsed.content_hash, CLASSES_KEY,
                                lambda: _build_classes(parsed.quads))
        report("index", 3, 3)
        return labels, nx_graph

    def _write_version(self, name: str, parsed: ParsedGraph,
                       progress: ProgressCallback | None) -> str:
        """Write the quads into a new version folder and return the version id."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        version = f"{stamp}-{parsed.content_hash[:12]}-{secrets.token_hex(3)}"
        path = self._versions_dir(name) / version

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            store = ox.Store(str(path))
            store.bulk_extend(_reporting(parsed.ox_quads, progress))
            store.flush()
            # Dropping the last reference closes RocksDB; readers then open the folder read-only.
            del store
            fsync_directory(path.parent)
        except BaseException as error:
            shutil.rmtree(path, ignore_errors=True)
            if isinstance(error, OSError):
                raise StoreError(
                    f"Cannot write graph {name!r} to {path}: {error}. Check free disk space "
                    "and the folder's permissions, then load it again.",
                    details={"graph": name, "path": str(path)},
                ) from error
            raise
        return version

    def _discard_unless_current(self, name: str, version: str) -> None:
        """Delete a new version after a failed switch, unless the manifest already points at it.

        The rename can succeed and the fsync after it fail; then the version is live.
        """
        try:
            manifest = self._manifest_or_none(name)
        except StoreError:
            manifest = None
        if manifest is None or manifest["version"] != version:
            shutil.rmtree(self._versions_dir(name) / version, ignore_errors=True)

    def _write_manifest(self, name: str, version: str, info: GraphInfo) -> None:
        manifest = {"format": _MANIFEST_FORMAT, "version": version, "info": info.to_dict()}
        data = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")
        write_atomically(self._graph_dir(name) / _MANIFEST, data)

    # Opening

    def _open_version(self, name: str, manifest: dict[str, Any]) -> KnowledgeGraph | None:
        """Lease and open one stored version; return None if it disappeared meanwhile."""
        path = self._versions_dir(name) / manifest["version"]
        lease = FileLock(_lease_path(path), shared=True)
        lease.acquire()
        if not path.is_dir():
            lease.release()
            return None

        try:
            backend = OxigraphStore(store=ox.Store.read_only(str(path)))
        except OSError as error:
            lease.release()
            raise StoreError(
                f"Cannot open the stored graph {name!r} at {path}: {error}. "
                "Load the graph again to rebuild it.", details={"graph": name, "path": str(path)},
            ) from error
        # The lease lives exactly as long as the store object behind the dataset.
        weakref.finalize(backend, lease.release)
        dataset = Dataset(store=backend, default_union=True)

        info = GraphInfo(**manifest["info"])
        stored_quads = _LazyQuads(dataset)
        labels = self.cache.get_or_build(info.content_hash, LABELS_KEY,
                                         lambda: _build_labels(stored_quads.get()))
        nx_graph = self.cache.get_or_build(info.content_hash, NX_GRAPH_KEY,
                                           lambda: build_nx_graph(stored_quads.get()))
        classes = self.cache.get_or_build(info.content_hash, CLASSES_KEY,
                                          lambda: _build_classes(stored_quads.get()))
        return KnowledgeGraph(info=info, rdf_graph=dataset, labels=labels, nx_graph=nx_graph,
                              classes=classes)

    # Housekeeping

    def _clean_up(self) -> None:
        """Remove what a crashed load left: unused versions, temporary manifests, stale cache."""
        for graph_dir in self._graphs_dir.iterdir():
            if not graph_dir.is_dir() or not _NAME_RE.fullmatch(graph_dir.name):
                continue
            lock = FileLock(self._locks_dir / f"{graph_dir.name}.lock")
            if not lock.acquire(blocking=False):
                continue  # another process is loading this graph right now
            try:
                self._clean_graph_dir(graph_dir)
            except StoreError as error:
                log.warning("skipped cleaning graph folder %s: %s", graph_dir, error.message)
            finally:
                lock.release()

        self.cache.prune(self._stored_hashes(), min_age_s=_CACHE_PRUNE_MIN_AGE_S)

    def _clean_graph_dir(self, graph_dir: Path) -> None:
        for leftover in graph_dir.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)

        manifest = self._manifest_or_none(graph_dir.name)
        current = manifest["version"] if manifest else None
        self._remove_unused_versions(graph_dir.name, current=current)
        if manifest is None and not any(self._versions_dir(graph_dir.name).glob("*")):
            shutil.rmtree(graph_dir, ignore_errors=True)

    def _remove_unused_versions(self, name: str, *, current: str | None) -> None:
        """Delete every version but ``current`` that no reader holds; hold the writer lock."""
        versions_dir = self._versions_dir(name)
        if not versions_dir.is_dir():
            return

        for path in versions_dir.iterdir():
            if path.is_dir() and path.name != current:
                _delete_version(path)
            elif path.suffix == ".lease" and not path.with_suffix("").is_dir():
                _delete_orphan_lease(path)

    def _remove_cache_unless_used(self, content_hash: str) -> None:
        if content_hash not in self._stored_hashes():
            self.cache.remove(content_hash)

    def _stored_hashes(self) -> set[str]:
        hashes = set()
        for name in self.names():
            try:
                manifest = self._manifest_or_none(name)
            except StoreError as error:
                # An unreadable manifest must not cost another graph its cache.
                log.warning("cannot read manifest of graph %s: %s", name, error.message)
                continue
            if manifest is not None:
                hashes.add(manifest["info"]["content_hash"])
        return hashes

    # Paths and manifests

    def _graph_dir(self, name: str) -> Path:
        return self._graphs_dir / validate_graph_name(name)

    def _versions_dir(self, name: str) -> Path:
        return self._graph_dir(name) / "versions"

    def _writer_lock(self, name: str) -> FileLock:
        return FileLock(self._locks_dir / f"{validate_graph_name(name)}.lock")

    def _read_manifest(self, name: str) -> dict[str, Any]:
        manifest = self._manifest_or_none(name)
        if manifest is None:
            loaded = self.names()
            listed = ", ".join(loaded) if loaded else "none"
            raise GraphNotFound(
                f"No graph named {name!r} is loaded (loaded graphs: {listed}). "
                f"Load it first, for example: kgqa load FILE --name {name}",
                details={"graph": name, "loaded": loaded},
            )
        return manifest

    def _manifest_or_none(self, name: str) -> dict[str, Any] | None:
        path = self._graph_dir(name) / _MANIFEST
        try:
            manifest = json.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            raise StoreError(
                f"Cannot read the manifest of graph {name!r} at {path}: {error}. "
                "Delete the graph and load it again.", details={"graph": name, "path": str(path)},
            ) from error
        if manifest.get("format") != _MANIFEST_FORMAT:
            raise StoreError(
                f"The manifest of graph {name!r} at {path} has format {manifest.get('format')!r}, "
                f"but this kgqa reads format {_MANIFEST_FORMAT}. Load the graph again.",
                details={"graph": name, "path": str(path)},
            )
        return manifest

    def _manifest_hash_or_none(self, name: str) -> str | None:
        manifest = self._manifest_or_none(name)
        return manifest["info"]["content_hash"] if manifest else None


def _lease_path(version_path: Path) -> Path:
    return version_path.with_name(version_path.name + ".lease")


def _delete_version(path: Path) -> None:
    """Delete a version folder unless a reader holds its lease."""
    lease = FileLock(_lease_path(path))
    if not lease.acquire(blocking=False):
        log.info("graph version %s is still open in a reader; it will be removed later", path.name)
        return
    try:
        shutil.rmtree(path, ignore_errors=True)
        lease.path.unlink(missing_ok=True)
    finally:
        lease.release()
    log.debug("removed graph version %s", path)


def _delete_orphan_lease(path: Path) -> None:
    lease = FileLock(path)
    if lease.acquire(blocking=False):
        try:
            path.unlink(missing_ok=True)
        finally:
            lease.release()


def _reporting(quads: list[ox.Quad], progress: ProgressCallback | None) -> Iterator[ox.Quad]:
    """Yield ``quads``, reporting the ``write`` stage every few tens of thousands."""
    total = len(quads)
    if progress is not None:
        progress("write", 0, total)
    for index, quad in enumerate(quads, start=1):
        yield quad
        if progress is not None and (index % _WRITE_PROGRESS_EVERY == 0 or index == total):
            progress("write", index, total)


def _build_classes(quads: Iterable[Quad]) -> ClassIndex:
    return ClassIndex.from_triples((s, p, o) for s, p, o, _ in quads)


def _build_labels(quads: list[Quad]) -> LabelIndex:
    return LabelIndex.from_triples((s, p, o) for s, p, o, _ in quads)


class _LazyQuads:
    """Read every quad of a stored dataset once, and only if a cache miss needs them."""

    def __init__(self, dataset: Dataset) -> None:
        self._dataset = dataset
        self._quads: list[Quad] | None = None

    def get(self) -> list[Quad]:
        if self._quads is None:
            self._quads = list(dataset_quads(self._dataset))  # type: ignore[arg-type]
        return self._quads


def _graph_info(name: str, parsed: ParsedGraph, labels: LabelIndex,
                nx_graph: nx.MultiDiGraph) -> GraphInfo:
    """Summarize a parsed graph the way ``KnowledgeGraph.from_dataset`` does."""
    return GraphInfo(
        name=name,
        content_hash=parsed.content_hash,
        source_format=",".join(dict.fromkeys(source.format for source in parsed.sources)),
        source_files=[source.name for source in parsed.sources],
        triples=len(parsed.quads),
        entities=sum(1 for node in nx_graph.nodes if not isinstance(node, Literal)),
        relations=sum(1 for _ in labels.relations()),
        named_graphs=sorted({str(graph) for *_, graph in parsed.quads if graph is not None}),
        loaded_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
