"""Serve the web page (``GET /``) and its assets from the package, so it needs no other network."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

__all__ = ["blueprint"]

WEB_DIR = Path(__file__).resolve().parent.parent / "web"

blueprint = Blueprint("web", __name__)


@blueprint.get("/")
def index() -> Response:
    return send_from_directory(WEB_DIR, "index.html", max_age=0)


@blueprint.get("/static/<path:filename>")
def asset(filename: str) -> Response:
    return send_from_directory(WEB_DIR / "static", filename, max_age=300)
