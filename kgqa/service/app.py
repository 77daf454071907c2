"""Build the WSGI application: one engine per process, JSON in and out, one error shape.

``create_app`` is the only way in: ``server.py`` and ``kgqa serve`` call it,
and so do the tests. Nothing is loaded at import; the engine loads models
and graphs on first use, or all at once through ``warm_up``.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from kgqa.answering.engine import Engine
from kgqa.errors import GraphNotFound
from kgqa.service.context import EXTENSION_KEY, Service
from kgqa.service.errors import register_error_handlers
from kgqa.service.metrics import Metrics, StateSnapshot
from kgqa.service.routes import answers, entities, graphs, openapi, sparql, status, web
from kgqa.service.security import install_cors
from kgqa.settings import Settings
from kgqa.verification.modes import AnswerModes

__all__ = ["create_app", "warm_up"]

log = logging.getLogger(__name__)

_BLUEPRINTS = (answers, entities, graphs, openapi, sparql, status, web)


def create_app(settings: Settings | None = None, engine: Engine | None = None,
               modes: AnswerModes | None = None) -> Flask:
    """Create the WSGI application around ``engine`` (built from ``settings`` when not given)."""
    settings = settings or (engine.settings if engine is not None else Settings())
    engine = engine or Engine(settings)
    modes = modes or AnswerModes(engine)

    app = Flask(__name__, static_folder=None)
    # Handlers read bodies themselves, in blocks, against their own limits (kgqa.service.bodies).
    app.config["MAX_CONTENT_LENGTH"] = None
    app.json.ensure_ascii = False
    metrics = Metrics(StateSnapshot(graph_sizes=lambda: _graph_sizes(engine),
                                    models=lambda: _model_state(engine, modes)))
    app.extensions[EXTENSION_KEY] = Service(settings=settings, engine=engine, modes=modes, metrics=metrics)

    register_error_handlers(app)
    install_cors(app, settings)
    _install_metrics(app, metrics)
    for module in _BLUEPRINTS:
        app.register_blueprint(module.blueprint)
    return app


def warm_up(app: Flask) -> None:
    """Load the models and prepare every stored graph now, so no request waits for them."""
    service: Service = app.extensions[EXTENSION_KEY]
    started = time.perf_counter()
    service.engine.warm_up()
    service.engine.nlp  # noqa: B018 - loaded here too when no graph is stored yet
    service.engine.embedder.encode(["warm up"])
    service.modes.generator  # noqa: B018 - building the generator loads the model
    log.info("warmed up %d graphs and the models in %.1f s",
             len(service.engine.graph_names()), time.perf_counter() - started)


def _install_metrics(app: Flask, metrics: Metrics) -> None:
    @app.before_request
    def start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def record(response: Response) -> Response:
        started = g.get("request_started")
        if started is not None:
            endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
            metrics.observe(endpoint, request.method, g.get("metrics_mode", "-"), response.status_code,
                            time.perf_counter() - started)
        return response


def _graph_sizes(engine: Engine) -> dict[str, dict[str, int]]:
    sizes = {}
    for name in engine.graph_names():
        try:
            info = engine.graph_info(name)
        except GraphNotFound:
            continue  # deleted since the listing
        sizes[name] = {"triples": info.triples, "entities": info.entities, "relations": info.relations}
    return sizes


def _model_state(engine: Engine, modes: AnswerModes) -> dict[str, bool]:
    return {**engine.model_state(), "generator": modes.generator_loaded}
