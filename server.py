"""WSGI entry point: ``gunicorn server:app`` or ``waitress-serve server:app``.

Settings come from ``KGQA_`` environment variables (see the README).
"""

from kgqa.service.app import create_app

app = create_app()
