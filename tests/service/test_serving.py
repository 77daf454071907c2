"""``kgqa serve`` as a user runs it: gunicorn workers, durable uploads across SIGKILL, body limits, metrics.

Every test talks to the real server, started as a subprocess in its own
process group on 127.0.0.1 over a temporary data folder. One server serves
the whole module, because starting it (imports and models in each worker)
takes most of the run time. The durability test kills it with SIGKILL and
starts it again with one worker, to save a few seconds, and the tests after
it use the restarted server.
"""

from __future__ import annotations

import http.client
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from kgqa.graph.loading import content_hash, source_from_bytes

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
KGQA = Path(sys.executable).with_name("kgqa")
START_TIMEOUT_S = 180.0
TURTLE = "text/turtle"
TABLE_BASE_IRI = "urn:kgqa:"

CAPITALS_V1 = b"""@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:France rdfs:label "France" ; ex:capital ex:Paris .
ex:Spain rdfs:label "Spain" ; ex:capital ex:Madrid .
ex:Paris rdfs:label "Paris" .
ex:Madrid rdfs:label "Madrid" .
ex:capital rdfs:label "capital" .
"""

RIVERS = b"""@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:Seine rdfs:label "Seine" ; ex:flowsThrough ex:Paris .
ex:Paris rdfs:label "Paris" .
ex:flowsThrough rdfs:label "flows through" .
"""


def big_capitals_version(entities: int) -> bytes:
    """Return a new version of the capitals graph with ``entities`` extra entities (about 75 bytes each)."""
    lines = [CAPITALS_V1.decode()]
    for number in range(entities):
        lines.append(f'ex:city{number} rdfs:label "City number {number}" ; '
                     f'ex:twinnedWith ex:city{number + 1} .')
    return "\n".join(lines).encode() + b"\n"


def expected_hash(name: str, data: bytes) -> str:
    """Return the content hash the store gives ``data`` uploaded as Turtle under ``name``."""
    return content_hash([source_from_bytes(data, TURTLE)], f"{TABLE_BASE_IRI}{name}/")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Reply:
    status: int
    body: dict
    headers: dict[str, str]


class ServedProcess:
    """``kgqa serve`` in a subprocess of its own process group, so one signal reaches every worker."""

    def __init__(self, data_dir: Path, workers: int, log_path: Path) -> None:
        self.data_dir = data_dir
        self.workers = workers
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.first_ready: Reply | None = None

    def start(self, workers: int | None = None) -> None:
        """Start the server and wait for its first reply to GET /ready."""
        self.workers = workers or self.workers
        self.port = free_port()
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("KGQA_") and key != "PROMETHEUS_MULTIPROC_DIR"}
        env.update(KGQA_DATA_DIR=str(self.data_dir), KGQA_LOG_LEVEL="INFO",
                   KGQA_TABLE_BASE_IRI=TABLE_BASE_IRI)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [str(KGQA), "serve", "--port", str(self.port), "--workers", str(self.workers)],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.first_ready = self._wait_for_ready()

    def _wait_for_ready(self) -> Reply:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"kgqa serve exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                # Workers accept only after warm-up, so this waits in the listen queue until then.
                return self.request("GET", "/ready", timeout=deadline - time.monotonic())
            except (ConnectionRefusedError, ConnectionResetError, TimeoutError):
                time.sleep(0.2)
        pytest.fail(f"kgqa serve did not answer within {START_TIMEOUT_S} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once, so no process can clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str | None = None, timeout: float = 60.0) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Content-Type": content_type} if content_type else {}
            connection.request(method, path, body=body, headers=headers)
            return read_reply(connection.getresponse())
        finally:
            connection.close()

    def ask(self, question: str, graph: str) -> Reply:
        body = json.dumps({"question": question, "graph": graph}).encode()
        return self.request("POST", "/ask", body, "application/json")

    def put_graph(self, name: str, data: bytes, content_type: str = TURTLE) -> Reply:
        return self.request("PUT", f"/graphs/{name}", data, content_type)

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def read_reply(response: http.client.HTTPResponse) -> Reply:
    raw = response.read()
    content_type = response.getheader("Content-Type", "")
    body = json.loads(raw) if content_type.startswith("application/json") else {"text": raw.decode()}
    return Reply(response.status, body, {key.lower(): value for key, value in response.getheaders()})


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A running two-worker ``kgqa serve`` over a fresh data folder holding the capitals graph."""
    folder = tmp_path_factory.mktemp("serve")
    served = ServedProcess(folder / "data", workers=2, log_path=folder / "serve.log")
    served.start()
    uploaded = served.put_graph("capitals", CAPITALS_V1)
    assert uploaded.status == 201, served.log_tail()
    yield served
    served.stop()


def assert_error_shape(reply: Reply, status: int, code: str) -> None:
    assert reply.status == status
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.body["error"]["code"] == code
    assert reply.body["error"]["message"]


def answer_labels(reply: Reply) -> list[str]:
    return [item["label"] for item in reply.body["answers"]]


# Readiness and metrics


def test_first_ready_reply_is_ready(server):
    assert server.first_ready.status == 200
    assert server.first_ready.body["ready"] is True
    assert server.first_ready.body["waiting_for"] == []


def test_start_line_names_address(server):
    assert f"Serving on http://127.0.0.1:{server.port} with 2 workers" in server.log_tail()


def test_metrics_sum_both_workers(server):
    # A half-sent upload keeps one sync worker busy, so the GETs go to the other one.
    busy = socket.create_connection(("127.0.0.1", server.port), timeout=60)
    head = (f"PUT /graphs/rivers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {TURTLE}\r\n"
            f"Content-Length: {len(RIVERS)}\r\nConnection: close\r\n\r\n").encode()
    busy.sendall(head + RIVERS[:20])
    time.sleep(0.5)
    health_count = 5
    for _ in range(health_count):
        assert server.request("GET", "/health").status == 200
    busy.sendall(RIVERS[20:])
    upload = http.client.HTTPResponse(busy)
    upload.begin()
    assert upload.status in (200, 201)
    busy.close()

    metrics = server.request("GET", "/metrics").body["text"]
    assert f'kgqa_http_requests_total{{endpoint="/health",method="GET",mode="-",status="200"}} ' \
           f'{float(health_count)}' in metrics
    assert f'kgqa_http_requests_total{{endpoint="/graphs/<name>",method="PUT",mode="-",' \
           f'status="{upload.status}"}}' in metrics
    worker_files = {path.name for path in (server.data_dir / "run" / "metrics").glob("counter_*.db")}
    assert len(worker_files) >= 2


# Uploads


def test_failed_upload_keeps_previous_version(server):
    before = server.request("GET", "/graphs/capitals")
    broken = CAPITALS_V1 + b"ex:Italy rdfs:label \"Italy\" ; ex:capital .\n"

    reply = server.put_graph("capitals", broken)

    assert_error_shape(reply, 422, "graph_parse_error")
    assert reply.body["error"]["details"]["line"] == CAPITALS_V1.count(b"\n") + 1
    assert isinstance(reply.body["error"]["details"]["column"], int)
    after = server.request("GET", "/graphs/capitals")
    assert after.body["content_hash"] == before.body["content_hash"]
    assert answer_labels(server.ask("What is the capital of France?", "capitals")) == ["Paris"]


class SlowUpload(threading.Thread):
    """Send a PUT body in small blocks with pauses, from a thread, and keep whatever reply comes."""

    def __init__(self, port: int, name: str, data: bytes, block_bytes: int, pause_s: float) -> None:
        super().__init__(daemon=True)
        self.port, self.name, self.data = port, name, data
        self.block_bytes, self.pause_s = block_bytes, pause_s
        self.all_sent = threading.Event()
        self.status: int | None = None

    def run(self) -> None:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=120) as sock:
                sock.sendall((f"PUT /graphs/{self.name} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              f"Content-Type: {TURTLE}\r\nContent-Length: {len(self.data)}\r\n"
                              "Connection: close\r\n\r\n").encode())
                for offset in range(0, len(self.data), self.block_bytes):
                    sock.sendall(self.data[offset:offset + self.block_bytes])
                    time.sleep(self.pause_s)
                self.all_sent.set()
                response = http.client.HTTPResponse(sock)
                response.begin()
                self.status = response.status
        except OSError:
            pass  # the server was killed: no reply is the expected outcome


def test_sigkill_mid_parse_keeps_versions(server):
    completed = server.put_graph("rivers", RIVERS)
    assert completed.status in (200, 201)
    first = server.request("GET", "/graphs/capitals").body
    assert first["content_hash"] == expected_hash("capitals", CAPITALS_V1)

    big = big_capitals_version(120_000)
    upload = SlowUpload(server.port, "capitals", big, block_bytes=256 * 1024, pause_s=0.02)
    upload.start()
    assert upload.all_sent.wait(60)
    time.sleep(1.0)  # parsing 9 MB of Turtle and writing it takes several seconds
    assert upload.status is None, "the upload finished before the kill; use a bigger body"
    server.kill()
    upload.join(timeout=30)
    server.start(workers=1)

    assert server.first_ready.status == 200
    assert server.first_ready.body["prepared_graphs"] == ["capitals", "rivers"]
    names = [graph["name"] for graph in server.request("GET", "/graphs").body["graphs"]]
    assert names == ["capitals", "rivers"]
    after = server.request("GET", "/graphs/capitals").body
    assert after["content_hash"] == first["content_hash"]
    assert after["triples"] == first["triples"]
    rivers = server.request("GET", "/graphs/rivers").body
    assert rivers["content_hash"] == expected_hash("rivers", RIVERS)
    assert answer_labels(server.ask("What is the capital of France?", "capitals")) == ["Paris"]
    versions = server.data_dir / "graphs" / "capitals" / "versions"
    assert len([path for path in versions.iterdir() if path.is_dir()]) == 1


# Request bodies (the http-non-utf8-body and http-oversized-body cases)


def test_latin1_body_rejected(server):
    body = (CASES / "http-non-utf8-body" / "body-latin1.bin").read_bytes()
    reply = server.request("POST", "/ask", body, "application/json")
    assert_error_shape(reply, 400, "invalid_input")
    assert "UTF-8" in reply.body["error"]["message"]


def test_utf8_body_answered(server):
    body = (CASES / "http-non-utf8-body" / "body-utf8.bin").read_bytes()
    reply = server.request("POST", "/ask", body, "application/json")
    assert reply.status == 200


def oversized_question() -> bytes:
    """Return the oversized case's body: a JSON question of about 20 MB."""
    return json.dumps({"question": "Who founded AT&T? " * 1_200_000}).encode()


def send_until_reply(sock: socket.socket, head: bytes, blocks) -> int:
    """Send ``head`` and then ``blocks`` until the server replies; return the body bytes sent."""
    sock.sendall(head)
    sent = 0
    for block in blocks:
        readable, _, _ = select.select([sock], [], [], 0)
        if readable:
            break
        try:
            sock.sendall(block)
        except (BrokenPipeError, ConnectionResetError):
            break
        sent += len(block)
    return sent


def read_raw_reply(sock: socket.socket) -> Reply:
    response = http.client.HTTPResponse(sock)
    response.begin()
    return read_reply(response)


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_oversized_body_rejected_early(server, framing):
    body = oversized_question()
    block_bytes = 64 * 1024
    blocks = (body[offset:offset + block_bytes] for offset in range(0, len(body), block_bytes))
    if framing == "content-length":
        head = (f"POST /ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
    else:
        head = (b"POST /ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
        blocks = (f"{len(block):x}\r\n".encode() + block + b"\r\n" for block in blocks)

    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as sock:
        sent = send_until_reply(sock, head, blocks)
        reply = read_raw_reply(sock)

    assert_error_shape(reply, 413, "payload_too_large")
    assert sent < len(body) // 4
    assert answer_labels(server.ask("What is the capital of France?", "capitals")) == ["Paris"]
