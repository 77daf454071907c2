"""Run SPARQL queries in child processes, so that a query past its timeout can be killed.

pyoxigraph 0.5 evaluates a query without any way to cancel it, and a thread
cannot be stopped from outside. A query that runs too long would keep a CPU
busy until it ends, long after its client got a timeout. So every query runs
in a child process of a small pool. A child that passes the timeout is killed
with SIGKILL, and the next query starts a fresh one.

A child is a new interpreter (``python -c``, through ``subprocess``) that
imports only this module and pyoxigraph. ``fork`` would copy the service's
threads and loaded models in an unsafe state, and ``multiprocessing``'s
``spawn`` re-runs the parent's main script, which breaks scripts without a
``__main__`` guard. Parent and child talk over a socket pair through
``multiprocessing.connection.Connection``: ``QueryRequest`` in, ``QueryReply`` out.

Cost, measured with bench/bench_sparql.py (docs/benchmarks.md): about
0.34 ms per small query over running it in process, and about 0.2 s to
start a child and open a store for its first query.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kgqa.errors import QueryTimeout, StoreError
from kgqa.graph.diskio import FileLock

__all__ = ["QueryProcessPool", "QueryReply", "QueryRequest", "serve_queries"]

log = logging.getLogger(__name__)

_START_TIMEOUT_S = 60.0
_JOIN_TIMEOUT_S = 5.0
# A child closes stores it has not used for this long, releasing their leases.
_IDLE_CLOSE_S = 60.0
_MAX_OPEN_STORES = 8
# How often a child checks that its parent process still exists.
_PARENT_CHECK_S = 1.0
_POSITION_RE = re.compile(r"error at (\d+):(\d+)")


@dataclass(frozen=True)
class QueryRequest:
    """One query for a child process, with the dataset and the output formats.

    ``solutions_media_type`` serializes SELECT and ASK results,
    ``graph_media_type`` CONSTRUCT and DESCRIBE results. ``default_graphs``
    and ``named_graphs`` are IRIs; None leaves that part of the dataset to the
    query and the store. ``union_default_graph`` only applies when
    ``default_graphs`` is None.
    """

    version_path: str
    lease_path: str
    query: str
    solutions_media_type: str
    graph_media_type: str
    union_default_graph: bool
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    max_result_bytes: int


@dataclass(frozen=True)
class QueryReply:
    """The outcome of one query in a child process.

    ``status`` is ``ok`` (``result_kind`` and ``body`` are set), or one of
    ``syntax_error``, ``evaluation_error``, ``too_large``, ``store_error``
    with ``message`` and, for syntax errors, the 1-based ``line`` and ``column``.
    """

    status: str
    result_kind: str = ""
    media_type: str = ""
    body: bytes = b""
    message: str = ""
    line: int | None = None
    column: int | None = None


class QueryProcessPool:
    """Up to ``size`` child processes that run queries one at a time each; thread-safe.

    Children start on first use. Each call waits at most ``timeout_s`` for a
    free child, then at most ``timeout_s`` for the result, so a request can
    take up to twice the timeout when every child is busy. Starting a child
    (about 0.2 s) does not count against the timeout.
    """

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"a query process pool needs at least one process, got {size}")
        self.size = size
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[_QueryProcess] = []
        self._started: set[_QueryProcess] = set()
        self._mutex = threading.Lock()
        self._owner_pid = os.getpid()
        # Kill the children when the pool is collected or the interpreter exits, whichever comes first.
        weakref.finalize(self, _stop_all, self._started)

    def run(self, request: QueryRequest, timeout_s: float) -> QueryReply:
        """Run ``request`` in a child and return its reply; raise QueryTimeout past ``timeout_s``."""
        if not self._slots.acquire(timeout=timeout_s):
            raise QueryTimeout(
                f"All {self.size} SPARQL processes of this worker stayed busy for {timeout_s:g} s "
                "(KGQA_SPARQL_TIMEOUT_S). Retry later, or raise KGQA_SPARQL_PROCESSES.",
                details={"timeout_s": timeout_s, "processes": self.size,
                         "setting": "KGQA_SPARQL_PROCESSES"})
        try:
            process = self._take_idle() or self._start()
            try:
                reply = process.call(request, timeout_s)
            finally:
                self._put_back(process)
            return reply
        finally:
            self._slots.release()

    def close(self) -> None:
        """Stop the idle children; the pool starts new ones if it is used again."""
        with self._mutex:
            idle, self._idle = self._idle, []
            self._started.difference_update(idle)
        _stop_all(idle)

    def _start(self) -> _QueryProcess:
        process = _QueryProcess.start()
        with self._mutex:
            self._started.add(process)
        return process

    def _take_idle(self) -> _QueryProcess | None:
        with self._mutex:
            if os.getpid() != self._owner_pid:
                # This pool was copied into a forked process: the children belong to the parent.
                self._idle, self._owner_pid = [], os.getpid()
                self._started.clear()
            while self._idle:
                process = self._idle.pop()
                if process.alive:
                    return process
                process.stop()
            return None

    def _put_back(self, process: _QueryProcess) -> None:
        with self._mutex:
            if process.alive:
                self._idle.append(process)
            else:
                self._started.discard(process)


def _stop_all(processes: Iterable[_QueryProcess]) -> None:
    for process in list(processes):
        process.stop()


class _QueryProcess:
    """One child process and the parent's end of its connection."""

    def __init__(self, popen: subprocess.Popen[bytes], connection: Connection) -> None:
        self._popen = popen
        self._connection = connection
        self.pid = popen.pid
        self._parent_pid = os.getpid()
        self._stopped = False

    @classmethod
    def start(cls) -> _QueryProcess:
        """Start a child and wait until it is ready to take queries."""
        parent_socket, child_socket = socket.socketpair()
        code = (f"from kgqa.graph.sparql_processes import serve_queries; "
                f"serve_queries({child_socket.fileno()}, {os.getpid()})")
        started = time.perf_counter()
        try:
            popen = subprocess.Popen([sys.executable, "-c", code], pass_fds=[child_socket.fileno()],
                                     env=_child_environment(), stdin=subprocess.DEVNULL)
        except OSError as error:
            parent_socket.close()
            raise StoreError(f"Cannot start a SPARQL process with {sys.executable}: {error}.") from error
        finally:
            child_socket.close()

        query_process = cls(popen, Connection(parent_socket.detach()))
        query_process._wait_until_ready()
        log.info("started SPARQL process %d in %.2f s", popen.pid, time.perf_counter() - started)
        return query_process

    def _wait_until_ready(self) -> None:
        try:
            ready = self._connection.poll(_START_TIMEOUT_S) and self._connection.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.stop()
            raise StoreError(f"A SPARQL process did not start within {_START_TIMEOUT_S:g} s, "
                             "or exited while starting. Check the server log.")

    @property
    def alive(self) -> bool:
        return not self._stopped and self._popen.poll() is None

    def call(self, request: QueryRequest, timeout_s: float) -> QueryReply:
        """Send one request and wait for the reply; kill the child when ``timeout_s`` passes."""
        try:
            self._connection.send(request)
            finished = self._connection.poll(timeout_s)
        except (EOFError, OSError) as error:
            self.stop()
            raise _stopped_error(self.pid) from error

        if not finished:
            log.warning("SPARQL query passed %g s; killing process %d", timeout_s, self.pid)
            self.stop()
            raise QueryTimeout(
                f"The query ran longer than {timeout_s:g} s (KGQA_SPARQL_TIMEOUT_S) and was stopped. "
                "Narrow its patterns or add a LIMIT, or raise KGQA_SPARQL_TIMEOUT_S.",
                details={"timeout_s": timeout_s, "setting": "KGQA_SPARQL_TIMEOUT_S"})
        try:
            return self._connection.recv()
        except (EOFError, OSError) as error:
            self.stop()
            raise _stopped_error(self.pid) from error

    def stop(self) -> None:
        """Kill the child, which keeps no state worth saving, and close the connection.

        Calling it again does nothing.
        """
        if self._stopped:
            return
        self._stopped = True
        if os.getpid() != self._parent_pid:
            return  # a copy inherited through fork: the child belongs to the original parent
        if self._popen.poll() is None:
            self._popen.kill()
        try:
            self._popen.wait(_JOIN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            log.error("SPARQL process %d did not exit after SIGKILL", self.pid)
        self._connection.close()


def _child_environment() -> dict[str, str]:
    """Return this process's environment, with kgqa importable even when it is not installed."""
    environment = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[2])
    paths = [package_root, *filter(None, environment.get("PYTHONPATH", "").split(os.pathsep))]
    environment["PYTHONPATH"] = os.pathsep.join(paths)
    return environment


def _stopped_error(pid: int | None) -> StoreError:
    log.error("SPARQL process %s exited during a query", pid)
    return StoreError("The SPARQL process exited during the query (out of memory or a crash). "
                      "Check the server log, then retry with a narrower query.")


# The child process


def serve_queries(descriptor: int, parent_pid: int) -> None:
    """Run the ``QueryRequest`` objects that arrive on socket ``descriptor`` until the parent goes away.

    This is the child process's main function; ``QueryProcessPool`` starts it.
    """
    connection = Connection(descriptor)
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()
    stores = _StoreCache()
    connection.send("ready")

    while True:
        try:
            if not connection.poll(_IDLE_CLOSE_S):
                stores.close_idle()
                continue
            request = connection.recv()
        except (EOFError, OSError):
            return
        connection.send(_execute(request, stores))
        stores.close_idle()


def _exit_with_parent(parent_pid: int) -> None:
    """Exit when the parent is gone, even in the middle of a query.

    A parent killed with SIGKILL (a worker restarted after its request
    timeout) runs no clean-up; without this the child would finish its
    runaway query first. pyoxigraph 0.5.13 releases the GIL while it
    evaluates (checked by running a thread beside a long query), so this
    thread keeps running during a query.
    """
    while True:
        time.sleep(_PARENT_CHECK_S)
        if os.getppid() != parent_pid:
            os._exit(0)


class _StoreCache:
    """Stores this child has open, each with its own lease on the version folder.

    Opening a store takes tens of milliseconds, so children keep them open.
    The lease keeps a load in another process from deleting the folder while
    it is open here. A store is closed when a newer version of the same graph
    is queried, after ``_IDLE_CLOSE_S`` without use, or when more than
    ``_MAX_OPEN_STORES`` are open.
    """

    def __init__(self) -> None:
        self._open: dict[str, tuple[ox.Store, FileLock, float]] = {}

    def get(self, version_path: str, lease_path: str) -> ox.Store:
        entry = self._open.get(version_path)
        if entry is None:
            self._close_other_versions(version_path)
            lease = FileLock(Path(lease_path), shared=True)
            lease.acquire()
            try:
                store = ox.Store.read_only(version_path)
            except BaseException:
                lease.release()
                raise
            entry = (store, lease, time.monotonic())
        self._open[version_path] = (entry[0], entry[1], time.monotonic())
        self._close_least_recent()
        return entry[0]

    def close_idle(self) -> None:
        now = time.monotonic()
        for path, (_, _, used) in list(self._open.items()):
            if now - used > _IDLE_CLOSE_S:
                self._close(path)

    def _close_other_versions(self, version_path: str) -> None:
        graph_versions = Path(version_path).parent
        for path in list(self._open):
            if Path(path).parent == graph_versions:
                self._close(path)

    def _close_least_recent(self) -> None:
        while len(self._open) > _MAX_OPEN_STORES:
            oldest = min(self._open, key=lambda path: self._open[path][2])
            self._close(oldest)

    def _close(self, path: str) -> None:
        store, lease, _ = self._open.pop(path)
        # Dropping the last reference closes RocksDB; only then may the folder be deleted.
        del store
        lease.release()


def _execute(request: QueryRequest, stores: _StoreCache) -> QueryReply:
    """Run one query and serialize its result within the size limit.

    Errors that a query can cause (syntax, evaluation, size, store) come back
    as replies. Anything else ends the child, and the parent reports a crash.
    """
    try:
        store = stores.get(request.version_path, request.lease_path)
        results = store.query(request.query, **_dataset_arguments(request))
        return _serialize(results, request)
    except SyntaxError as error:
        message = str(error)
        position = _POSITION_RE.search(message)
        line, column = (int(position[1]), int(position[2])) if position else (None, None)
        return QueryReply("syntax_error", message=message, line=line, column=column)
    except _ResultTooLarge:
        return QueryReply("too_large")
    except OSError as error:
        return QueryReply("store_error", message=str(error))
    except (ValueError, TypeError, RuntimeError) as error:
        return QueryReply("evaluation_error", message=str(error))


def _dataset_arguments(request: QueryRequest) -> dict[str, Any]:
    """Translate the request's dataset into ``Store.query`` keyword arguments."""
    arguments: dict[str, Any] = {}
    if request.default_graphs is not None:
        arguments["default_graph"] = [ox.NamedNode(iri) for iri in request.default_graphs]
    elif request.union_default_graph:
        arguments["use_default_graph_as_union"] = True
    if request.named_graphs is not None:
        arguments["named_graphs"] = [ox.NamedNode(iri) for iri in request.named_graphs]
    return arguments


def _serialize(results: Any, request: QueryRequest) -> QueryReply:
    if isinstance(results, ox.QueryTriples):
        kind, media_type = "graph", request.graph_media_type
        output_format: Any = ox.RdfFormat.from_media_type(media_type)
    else:
        kind = "boolean" if isinstance(results, ox.QueryBoolean) else "solutions"
        media_type = request.solutions_media_type
        output_format = ox.QueryResultsFormat.from_media_type(media_type)

    buffer = _BoundedBuffer(request.max_result_bytes)
    results.serialize(buffer, format=output_format)
    return QueryReply("ok", result_kind=kind, media_type=media_type, body=buffer.getvalue())


class _ResultTooLarge(Exception):
    pass


class _BoundedBuffer:
    """A write-only byte buffer that raises ``_ResultTooLarge`` past ``limit`` bytes.

    Raising from ``write`` stops pyoxigraph's serializer, and with it the
    evaluation, as soon as the result is known to be too large.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> int:
        self._size += len(data)
        if self._size > self._limit:
            raise _ResultTooLarge
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self._chunks)
