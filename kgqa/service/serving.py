"""Run the HTTP service under gunicorn in this process: what ``kgqa serve`` does.

The master process only binds the socket and watches the workers; it
imports neither Flask nor the models. Each worker builds its own
application with ``create_app`` after the fork and runs ``warm_up`` before
it accepts its first connection. Until then, connections wait in the
socket's listen queue, so no request is answered by a half-loaded worker.

Metrics: prometheus_client picks its multi-process mode when it is imported,
so ``PROMETHEUS_MULTIPROC_DIR`` is set in the master before any worker
exists, and ``/metrics`` adds up the files that every worker writes there.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from kgqa.errors import InvalidSetting
from kgqa.settings import Settings

__all__ = ["WORKER_CLASS", "KgqaServer", "gunicorn_options", "prepare_metrics_dir", "serve"]

log = logging.getLogger(__name__)

# Chosen with bench/load_test.py (docs/benchmarks.md): on 2 cores, 2 sync workers
# used 39 ms of CPU per MetaQA question and gthread workers 52 ms, with a p99 of
# 12 s, because the answering code is CPU-bound Python that threads run one at a time.
WORKER_CLASS = "sync"
THREADS = 1
# A warm-up that loads the models and prepares a large graph can outlast the
# request timeout, so the worker sends gunicorn's heartbeat this often meanwhile.
_HEARTBEAT_S = 5.0
# Seconds that running requests get to finish after SIGTERM before workers are killed.
_GRACEFUL_TIMEOUT_S = 30
_RUN_FOLDER = Path("run")
# Linux limits a Unix socket path to 107 bytes.
_MAX_SOCKET_PATH_BYTES = 107


def serve(settings: Settings, host: str | None = None, port: int | None = None,
          workers: int | None = None) -> None:
    """Serve the application on ``host:port`` with ``workers`` processes until SIGTERM or SIGINT.

    Arguments left as None come from ``settings`` (KGQA_HOST, KGQA_PORT,
    KGQA_WORKERS). Gunicorn options in ``GUNICORN_CMD_ARGS`` (such as
    ``--access-logfile -``) are applied on top.
    """
    metrics_dir = prepare_metrics_dir(settings)
    options = gunicorn_options(settings, host=host, port=port, workers=workers)
    log.info("serving on %s with %d %s workers; metrics in %s",
             options["bind"], options["workers"], options["worker_class"], metrics_dir)
    KgqaServer(settings, options, metrics_dir).run()


def prepare_metrics_dir(settings: Settings) -> Path:
    """Create the folder the workers share their metrics through, remove old ones, export its path.

    A ``PROMETHEUS_MULTIPROC_DIR`` set by the user wins over
    ``<data_dir>/run/metrics``. Only ``*.db`` files are removed from it,
    because numbers left by an earlier run would be added to this run's.
    Two servers must not share one data folder, or they would remove each
    other's files.
    """
    configured = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    metrics_dir = Path(configured) if configured else settings.data_path / _RUN_FOLDER / "metrics"
    metrics_dir.mkdir(parents=True, exist_ok=True)

    for old_file in metrics_dir.glob("*.db"):
        old_file.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    return metrics_dir


def gunicorn_options(settings: Settings, host: str | None = None, port: int | None = None,
                     workers: int | None = None) -> dict[str, Any]:
    """Return gunicorn's settings for ``kgqa serve``: the bind address, workers, timeouts, logging."""
    host = host or settings.host
    port = settings.port if port is None else port
    workers = settings.workers if workers is None else workers
    if workers < 1:
        raise InvalidSetting(f"The number of workers must be at least 1, got {workers}. "
                             "Set KGQA_WORKERS or --workers to 1 or more.")

    # An IPv6 address needs brackets in gunicorn's bind syntax.
    bind_host = f"[{host}]" if ":" in host else host
    options = {
        "bind": f"{bind_host}:{port}",
        "workers": workers,
        "worker_class": WORKER_CLASS,
        "threads": THREADS,
        "timeout": max(1, round(settings.request_timeout_s)),
        "graceful_timeout": _GRACEFUL_TIMEOUT_S,
        "loglevel": settings.log_level.lower(),
        "errorlog": "-",
        "proc_name": "kgqa",
        # Models are loaded in each worker after the fork: torch and llama.cpp
        # start threads, and a fork after that can deadlock the child.
        "preload_app": False,
    }
    options.update(_control_socket_options(settings))
    return options


def _control_socket_options(settings: Settings) -> dict[str, Any]:
    """Put gunicorn's control socket (for ``gunicornc``) in the data folder, one per server.

    Gunicorn's default path is one per user, so a second server would take
    it over from the first.
    """
    path = settings.data_path / _RUN_FOLDER / "gunicorn.ctl"
    if len(os.fsencode(path)) > _MAX_SOCKET_PATH_BYTES:
        log.info("gunicorn's control socket is off: its path %s is too long for a Unix socket", path)
        return {"control_socket_disable": True}
    path.parent.mkdir(parents=True, exist_ok=True)
    return {"control_socket": str(path)}


class KgqaServer(BaseApplication):
    """Gunicorn's custom application: kgqa's WSGI app with warm-up and metrics hooks."""

    def __init__(self, settings: Settings, options: dict[str, Any], metrics_dir: Path) -> None:
        self.settings = settings
        self.options = options
        self.metrics_dir = metrics_dir
        super().__init__(prog="kgqa serve")

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("post_worker_init", self._post_worker_init)
        self.cfg.set("child_exit", self._child_exit)

        # The same variable plain gunicorn reads, for options kgqa does not set itself.
        extra = self.cfg.get_cmd_args_from_env()
        if extra:
            parsed = self.cfg.parser().parse_args(extra)
            for key, value in vars(parsed).items():
                if value is not None and key in self.cfg.settings:
                    self.cfg.set(key.lower(), value)

    def load(self):
        """Build the application; runs in each worker, after the fork."""
        from kgqa.service.app import create_app

        return create_app(self.settings)

    def _post_worker_init(self, worker) -> None:
        """Warm up the worker's application before its accept loop starts."""
        from kgqa.service.app import warm_up

        _share_cpus_for_torch(self.cfg.workers)
        with _heartbeat(worker):
            warm_up(worker.wsgi)
        log.info("worker %d is ready", worker.pid)

    def _child_exit(self, server, worker) -> None:
        """Remove a dead worker's live-gauge files; its counter and histogram files stay in the sum."""
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid, str(self.metrics_dir))


def _share_cpus_for_torch(workers: int) -> None:
    """Give the embedding model of this worker its share of the CPUs instead of all of them.

    torch starts one compute thread per CPU in every process, so two workers
    on two CPUs would run four threads that preempt each other under load.
    """
    import torch

    threads = max(1, len(os.sched_getaffinity(0)) // workers)
    torch.set_num_threads(threads)


@contextmanager
def _heartbeat(worker) -> Iterator[None]:
    """Tell the master every few seconds that ``worker`` is alive, while the block runs."""
    stopped = threading.Event()

    def beat() -> None:
        while not stopped.wait(_HEARTBEAT_S):
            worker.notify()

    thread = threading.Thread(target=beat, name="kgqa-warm-up-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stopped.set()
        thread.join()
