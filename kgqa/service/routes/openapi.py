"""Serve ``GET /openapi.json``, the description of every endpoint (built by the API engineer)."""

from __future__ import annotations

from flask import Blueprint

__all__ = ["blueprint"]

blueprint = Blueprint("openapi", __name__)
