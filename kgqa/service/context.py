"""Hold what one process of the HTTP service shares between requests: settings, engine, modes, metrics."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

from flask import current_app

from kgqa.answering.engine import Engine
from kgqa.service.metrics import Metrics
from kgqa.settings import Settings
from kgqa.verification.modes import AnswerModes

__all__ = ["EXTENSION_KEY", "Service", "current_service"]

EXTENSION_KEY = "kgqa"


@dataclasses.dataclass
class Service:
    """The objects every request handler of one application uses; built once by ``create_app``."""

    settings: Settings
    engine: Engine
    modes: AnswerModes
    metrics: Metrics
    # Per-process caches keyed by (graph, content hash); the lock guards them across threads.
    completers: dict[tuple[str, str], Any] = dataclasses.field(default_factory=dict)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


def current_service() -> Service:
    """Return the service of the application handling the current request."""
    return current_app.extensions[EXTENSION_KEY]
