"""WSGI entry point: ``gunicorn server:app`` or ``waitress-serve server:app``.

Settings come from ``KGQA_`` environment variables (see the README).
"""

import os

# Set before torch or llama.cpp loads OpenMP: busy-waiting threads slow shared CPUs down.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from kgqa.service.app import create_app  # noqa: E402

app = create_app()
