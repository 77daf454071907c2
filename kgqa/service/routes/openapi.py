"""Serve ``GET /openapi.json``: the OpenAPI document of every endpoint, built for this app's settings."""

from __future__ import annotations

import importlib.metadata

from flask import Blueprint, Response

from kgqa.service.context import current_service
from kgqa.service.errors import json_response
from kgqa.service.openapi import build_document

__all__ = ["blueprint"]

blueprint = Blueprint("openapi", __name__)


@blueprint.get("/openapi.json")
def openapi_document() -> Response:
    service = current_service()
    document = build_document(service.settings, importlib.metadata.version("kgqa"))
    return json_response(document)
