"""The SPARQL 1.1 protocol over the stored graphs (built by the SPARQL engineer)."""

from __future__ import annotations

from flask import Blueprint

__all__ = ["blueprint"]

blueprint = Blueprint("sparql", __name__)
