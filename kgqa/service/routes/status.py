"""Report on the service: liveness (``/health``), readiness (``/ready``) and Prometheus ``/metrics``."""

from __future__ import annotations

from flask import Blueprint, Response

from kgqa.service.context import current_service
from kgqa.service.errors import json_response
from kgqa.service.metrics import CONTENT_TYPE_LATEST

__all__ = ["blueprint", "readiness"]

blueprint = Blueprint("status", __name__)


@blueprint.get("/health")
def health() -> Response:
    return json_response({"status": "ok"})


@blueprint.get("/ready")
def ready() -> Response:
    report = readiness()
    return json_response(report, 200 if report["ready"] else 503)


@blueprint.get("/metrics")
def metrics() -> Response:
    body = current_service().metrics.exposition()
    return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0], content_type=CONTENT_TYPE_LATEST)


def readiness() -> dict:
    """Say whether this worker has loaded its models and every stored graph at least once.

    A graph uploaded after start-up is prepared in each worker on its first
    question about it (milliseconds for small graphs), so a stale or new graph
    is listed under ``preparing`` but does not make the worker unready: a load
    balancer probing /ready would otherwise drop every worker after each upload.
    """
    service = current_service()
    models = {**service.engine.model_state(), "generator": service.modes.generator_loaded}
    stored = service.engine.graph_names()
    prepared = set(service.engine.prepared_graphs())

    missing = [f"model {name} not loaded" for name, loaded in models.items() if not loaded]
    if stored and not prepared:
        missing.append("no graph prepared yet")
    return {"ready": not missing, "models": models, "graphs": stored,
            "prepared_graphs": sorted(prepared & set(stored)),
            "preparing": sorted(set(stored) - prepared), "waiting_for": missing}
