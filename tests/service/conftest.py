"""Fixtures of the HTTP tests: the app over the bundled graphs, in the test client and on a real socket.

``live_server`` runs the application in Werkzeug's threaded WSGI server on
127.0.0.1 and a free port, so tests that need real HTTP (a browser,
schemathesis, chunked bodies) talk to a real socket. The production server
(``kgqa serve``, gunicorn) is tested in tests/service/test_serving.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from browser import pytest_runtest_makereport  # noqa: F401 - a hook: importing it here registers it
from werkzeug.serving import make_server

from kgqa.generation.embedded import EmbeddedGenerator
from kgqa.service.app import create_app
from kgqa.verification.modes import AnswerModes

# Short replies keep the generated modes at about a second each on the embedded model.
ANSWER_TOKENS = 48


@pytest.fixture(scope="session")
def service_generator() -> EmbeddedGenerator:
    """The embedded SmolLM2 model, loaded once for every HTTP test."""
    generator = EmbeddedGenerator(context_tokens=2048, max_tokens=ANSWER_TOKENS, threads=1)
    generator.load()
    return generator


@pytest.fixture(scope="session")
def service_app(bundled_engine, service_generator):
    """The application over the bundled graphs (countries, elements, companies) with the real model."""
    modes = AnswerModes(bundled_engine, lambda: service_generator, answer_tokens=ANSWER_TOKENS)
    return create_app(bundled_engine.settings, engine=bundled_engine, modes=modes)


@pytest.fixture
def client(service_app):
    return service_app.test_client()


class LiveServer:
    """A WSGI application served on 127.0.0.1 in a background thread."""

    def __init__(self, app) -> None:
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(service_app) -> Iterator[LiveServer]:
    """The bundled-graph application on a real socket; read-only tests share it."""
    server = LiveServer(service_app).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def serve() -> Iterator:
    """Return ``serve(app) -> LiveServer``, which starts an application of a test's own on a real socket.

    Every server started this way stops at the end of the test session.
    """
    servers: list[LiveServer] = []

    def start(app) -> LiveServer:
        server = LiveServer(app).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
