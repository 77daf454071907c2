"""Count requests and their latency per endpoint and mode, and report graph sizes and model state.

The counters live in a registry of their own per application, so two
applications in one process (as in the tests) never share numbers. Under
``kgqa serve`` each worker is a process: when ``PROMETHEUS_MULTIPROC_DIR``
is set before prometheus_client is imported, every worker writes its
numbers there and ``/metrics`` adds them up over all workers.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from kgqa.errors import KgqaError

__all__ = ["CONTENT_TYPE_LATEST", "Metrics", "StateSnapshot"]

log = logging.getLogger(__name__)

# Graph-only answers take milliseconds and generated ones seconds, so the buckets span both.
_LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class StateSnapshot:
    """Graph sizes and model load state at scrape time, read through callables the app provides."""

    def __init__(self, graph_sizes: Callable[[], dict[str, dict[str, int]]],
                 models: Callable[[], dict[str, bool]]) -> None:
        self.graph_sizes = graph_sizes
        self.models = models


class _StateCollector(Collector):
    def __init__(self, snapshot: StateSnapshot) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[GaugeMetricFamily]:
        sizes = GaugeMetricFamily("kgqa_graph_size", "Size of each stored graph.", labels=["graph", "count"])
        try:
            for graph, counts in self.snapshot.graph_sizes().items():
                for count, value in counts.items():
                    sizes.add_metric([graph, count], value)
        except KgqaError as error:
            # A graph deleted between listing and reading is not an error of the scrape.
            log.info("graph sizes skipped in this scrape: %s", error.message)
        yield sizes

        loaded = GaugeMetricFamily("kgqa_model_loaded",
                                   "1 when this worker has loaded the model, else 0.", labels=["model"])
        for model, is_loaded in self.snapshot.models().items():
            loaded.add_metric([model], 1.0 if is_loaded else 0.0)
        yield loaded


class Metrics:
    """The request counters and latency histograms of one application."""

    def __init__(self, snapshot: StateSnapshot) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("kgqa_http_requests", "HTTP requests answered, by endpoint, mode and status.",
                                ["endpoint", "method", "mode", "status"], registry=self.registry)
        self.latency = Histogram("kgqa_http_request_duration_seconds",
                                 "Time from request to response, by endpoint and mode.",
                                 ["endpoint", "mode"], buckets=_LATENCY_BUCKETS_S, registry=self.registry)
        self.snapshot = snapshot

    def observe(self, endpoint: str, method: str, mode: str, status: int, seconds: float) -> None:
        """Record one answered request."""
        self.requests.labels(endpoint, method, mode, str(status)).inc()
        self.latency.labels(endpoint, mode).observe(seconds)

    def exposition(self) -> bytes:
        """Return every metric in the Prometheus text format."""
        multiprocess_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if multiprocess_dir:
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=multiprocess_dir)
        else:
            registry = CollectorRegistry()
            registry.register(_RegistryCollector(self.registry))
        registry.register(_StateCollector(self.snapshot))
        return generate_latest(registry)


class _RegistryCollector(Collector):
    """Expose another registry's metrics inside the scrape registry."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self):
        return self.source.collect()
