"""Shared fixtures: settings in a temporary data folder, the real embedding model and spaCy pipeline."""

from __future__ import annotations

import http.server
import os
import re
import threading
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Set before torch or llama.cpp loads OpenMP: busy-waiting threads slow shared CPUs down.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

CASES_DIR = Path(__file__).parent / "data" / "cases"
CONTEXT_JSON = b'{"@context": {"name": "http://schema.org/name"}}'


@pytest.fixture
def cases_dir() -> Path:
    """Folder of the acceptance cases (one sub-folder per case)."""
    return CASES_DIR


@pytest.fixture
def settings(tmp_path):
    """Settings whose data folder is a fresh temporary directory."""
    from kgqa.settings import Settings

    return Settings(environ={}, data_dir=str(tmp_path / "data"))


def read_raw_replies(path: Path) -> dict[str, str]:
    """Split a raw model replies file into its replies, keyed by letter ("=== reply A (fenced) ===")."""
    replies: dict[str, str] = {}
    letter = None
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        header = re.fullmatch(r"=== reply (\w) \(.*\) ===\n?", line)
        if header:
            letter = header.group(1)
            replies[letter] = ""
        elif letter is not None:
            replies[letter] += line
    return replies


@pytest.fixture
def raw_replies(cases_dir) -> dict[str, str]:
    """The raw model replies A to D of the llm-output-wrapping case."""
    return read_raw_replies(cases_dir / "llm-output-wrapping" / "llm_raw_replies.txt")


@pytest.fixture(scope="session")
def bundled_engine(tmp_path_factory, embedder):
    """An engine with the three bundled graphs loaded, shared by every test that only reads them."""
    from kgqa.answering.engine import Engine
    from kgqa.demo import BUNDLED_GRAPHS, bundled_graphs_dir
    from kgqa.settings import Settings

    engine = Engine(Settings(environ={}, data_dir=str(tmp_path_factory.mktemp("bundled-data"))))
    engine._embedder = embedder  # share the session's model instead of loading a second copy
    for name in BUNDLED_GRAPHS:
        engine.load([bundled_graphs_dir() / name / f"{name}.ttl"], name=name)
    return engine


@pytest.fixture(scope="session")
def embedder():
    """The real all-MiniLM-L6-v2 model, loaded once per test session."""
    from kgqa.embedding import Embedder

    return Embedder()


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (name fixed by BaseHTTPRequestHandler)
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.end_headers()
        self.wfile.write(CONTEXT_JSON)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_server():
    """A server on 127.0.0.1 that records request paths; yields ``(base URL, paths)``."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RecordingHandler)
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    yield base_url, server.requests  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()
    thread.join()
