"""Load-test ``kgqa serve`` with MetaQA questions: graph-only, then with uploads during the queries.

Usage::

    .venv/bin/python bench/load_test.py /path/to/metaqa --data-dir DIR [--clients 16] [--duration-s 60]

The script loads ``kb.txt`` as graph ``metaqa`` into ``DIR`` unless it is
there already (``kgqa load``), starts ``kgqa serve`` on 127.0.0.1 and a free
port, and waits for ``/ready``. It then runs three phases:

1. warm-up (``--warm-up-s``, not measured): questions from the dev sets;
2. graph-only: ``--clients`` closed-loop clients send ``POST /ask`` with the
   MetaQA test questions (1, 2 and 3 hops, shuffled, brackets removed) for
   ``--duration-s`` seconds;
3. mixed: the same clients, plus one client that uploads new versions of
   ``--upload-graphs`` small Turtle graphs in turn (``PUT /graphs/NAME``).
   Afterwards every upload graph must be stored with the content hash of its
   last accepted version.

The clients are threads that reuse one ``http.client`` connection each and
reconnect when a sync worker closes it. They spend little CPU next to the
server on the same cores, and the report gives their CPU time. An
error is a non-200 reply, a reply without an answer list, or a connection
failure. The report is JSON on stdout; ``--markdown`` adds table rows for
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kgqa.graph.loading import content_hash, source_from_bytes  # noqa: E402

KGQA = Path(sys.executable).with_name("kgqa")
GRAPH = "metaqa"
TURTLE = "text/turtle"
START_TIMEOUT_S = 900.0
_BRACKETS = re.compile(r"\[([^\]]+)\]")


# The request mix


def read_questions(metaqa_dir: Path, split: str) -> list[str]:
    """Return every 1-, 2- and 3-hop question of ``split`` (test or dev) with the topic brackets removed."""
    questions = []
    for hops in (1, 2, 3):
        path = metaqa_dir / f"{hops}-hop" / "vanilla" / f"qa_{split}.txt"
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                question = line.split("\t", 1)[0]
                questions.append(_BRACKETS.sub(r"\1", question))
    return questions


class QuestionFeed:
    """Hand out questions to the clients in a fixed shuffled order, cycling when they run out."""

    def __init__(self, questions: list[str], seed: int) -> None:
        self._questions = list(questions)
        random.Random(seed).shuffle(self._questions)
        self._next = 0
        self._lock = threading.Lock()

    def take(self) -> str:
        with self._lock:
            question = self._questions[self._next % len(self._questions)]
            self._next += 1
            return question


# The server


class Server:
    """``kgqa serve`` in its own process group, over ``data_dir``."""

    def __init__(self, data_dir: Path, workers: int, log_path: Path) -> None:
        self.data_dir = data_dir
        self.workers = workers
        self.log_path = log_path
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> float:
        """Start the server; return the seconds until GET /ready first returned 200."""
        env = dict(os.environ, KGQA_DATA_DIR=str(self.data_dir), KGQA_LOG_LEVEL="INFO")
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        started = time.monotonic()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [str(KGQA), "serve", "--port", str(self.port), "--workers", str(self.workers)],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

        while time.monotonic() - started < START_TIMEOUT_S:
            if self.process.poll() is not None:
                raise SystemExit(f"kgqa serve exited with {self.process.returncode}; see {self.log_path}")
            try:
                status, body = request(self.port, "GET", "/ready", timeout=START_TIMEOUT_S)
            except OSError:
                time.sleep(0.5)
                continue
            if status == 200:
                return time.monotonic() - started
            time.sleep(0.5)
        raise SystemExit(f"kgqa serve was not ready after {START_TIMEOUT_S} s; see {self.log_path}")

    def worker_cpu_s(self) -> float:
        """Return the CPU seconds used so far by the master and its workers."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        ticks = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime and stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port: int, method: str, path: str, body: bytes | None = None,
            content_type: str | None = None, timeout: float = 60.0) -> tuple[int, dict]:
    """Send one request on a new connection; return the status and the JSON body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": content_type} if content_type else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def ensure_graph(data_dir: Path, kb_path: Path) -> None:
    """Load MetaQA's knowledge base as graph ``metaqa`` unless the data folder already has it."""
    if (data_dir / "graphs" / GRAPH / "manifest.json").is_file():
        return
    env = dict(os.environ, KGQA_DATA_DIR=str(data_dir))
    subprocess.run([str(KGQA), "load", str(kb_path), "--name", GRAPH], env=env, check=True)


# The clients


@dataclass
class Tally:
    """Latencies and errors of one phase, filled by every client thread."""

    latencies_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, error: str | None) -> None:
        with self.lock:
            if error is None:
                self.latencies_s.append(seconds)
            else:
                self.errors.append(error)


class AskClient(threading.Thread):
    """One closed-loop client: ask, wait for the reply, ask again, until ``stop`` is set."""

    def __init__(self, port: int, feed: QuestionFeed, tally: Tally, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.feed, self.tally, self.stop = port, feed, tally, stop
        self._connection: http.client.HTTPConnection | None = None

    def run(self) -> None:
        while not self.stop.is_set():
            body = json.dumps({"question": self.feed.take(), "graph": GRAPH}).encode()
            started = time.perf_counter()
            error = self._ask(body)
            self.tally.record(time.perf_counter() - started, error)
        if self._connection is not None:
            self._connection.close()

    def _ask(self, body: bytes) -> str | None:
        """Send one question; return None on success, else a short description of the error."""
        if self._connection is None:
            self._connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            self._connection.request("POST", "/ask", body=body, headers={"Content-Type": "application/json"})
            response = self._connection.getresponse()
            raw = response.read()
            if response.getheader("Connection", "").lower() == "close":
                self._connection.close()
                self._connection = None
        except (OSError, http.client.HTTPException) as error:
            self._connection.close()
            self._connection = None
            return f"{type(error).__name__}: {error}"

        if response.status != 200:
            return f"HTTP {response.status}: {raw[:200]!r}"
        if not isinstance(json.loads(raw).get("answers"), list):
            return f"no answer list: {raw[:200]!r}"
        return None


def upload_version(name: str, version: int, triples: int) -> bytes:
    """Return version ``version`` of upload graph ``name``: ``triples`` facts that differ per version."""
    lines = ["@prefix ex: <http://example.org/upload/> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."]
    for number in range(triples // 2):
        lines.append(f'ex:{name}-item{number} rdfs:label "{name} item {number} v{version}" ; '
                     f"ex:partOf ex:{name}-group{number % 50} .")
    return ("\n".join(lines) + "\n").encode()


class Uploader(threading.Thread):
    """Upload new versions of the upload graphs in turn until ``stop`` is set; keep the last accepted hash."""

    def __init__(self, port: int, names: list[str], triples: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.names, self.triples, self.stop = port, names, triples, stop
        self.last_hash: dict[str, str] = {}
        self.latencies_s: list[float] = []
        self.errors: list[str] = []

    def run(self) -> None:
        version = 0
        while not self.stop.is_set():
            name = self.names[version % len(self.names)]
            data = upload_version(name, version, self.triples)
            expected = content_hash([source_from_bytes(data, TURTLE)], f"urn:kgqa:{name}/")
            started = time.perf_counter()
            try:
                status, body = request(self.port, "PUT", f"/graphs/{name}", data, TURTLE)
            except (OSError, http.client.HTTPException) as error:
                self.errors.append(f"PUT {name} v{version}: {type(error).__name__}: {error}")
            else:
                self.latencies_s.append(time.perf_counter() - started)
                if status not in (200, 201):
                    self.errors.append(f"PUT {name} v{version}: HTTP {status}: {body}")
                elif body.get("content_hash") != expected:
                    self.errors.append(f"PUT {name} v{version}: stored hash {body.get('content_hash')}, "
                                       f"expected {expected}")
                else:
                    self.last_hash[name] = expected
            version += 1


def run_phase(port: int, feed: QuestionFeed, clients: int, duration_s: float,
              uploader: Uploader | None = None) -> tuple[Tally, float]:
    """Run the ask clients and the uploader for ``duration_s``; return the tally and the time taken."""
    stop = threading.Event()
    tally = Tally()
    threads = [AskClient(port, feed, tally, stop) for _ in range(clients)]
    if uploader is not None:
        uploader.stop = stop
        threads.append(uploader)

    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(duration_s)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    return tally, time.perf_counter() - started


# Reporting


def percentile(values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of ``values`` (``fraction`` 0.95 for p95)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


def summarize(tally: Tally, elapsed_s: float) -> dict:
    latencies = tally.latencies_s
    return {
        "requests": len(latencies) + len(tally.errors),
        "errors": len(tally.errors),
        "first_errors": tally.errors[:5],
        "requests_per_s": round(len(latencies) / elapsed_s, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(max(latencies, default=float("nan")) * 1000, 1),
    }


def check_uploads(port: int, uploader: Uploader) -> dict:
    """Compare every upload graph's stored content hash with its last accepted version."""
    lost = []
    for name, expected in uploader.last_hash.items():
        status, body = request(port, "GET", f"/graphs/{name}")
        if status != 200 or body.get("content_hash") != expected:
            lost.append({"graph": name, "status": status, "stored": body.get("content_hash"),
                         "expected": expected})
    return {"uploads": len(uploader.latencies_s), "upload_errors": len(uploader.errors),
            "first_upload_errors": uploader.errors[:5], "graphs_checked": len(uploader.last_hash),
            "lost_uploads": lost,
            "upload_p50_ms": round(percentile(uploader.latencies_s, 0.5) * 1000, 1)}


def machine() -> dict:
    cpu_model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    return {"nproc": os.cpu_count(), "cpu_model": cpu_model, "load_average": os.getloadavg(),
            "date": time.strftime("%Y-%m-%d %H:%M %Z")}


def markdown_rows(report: dict) -> str:
    rows = []
    for phase in ("graph_only", "mixed"):
        result = report.get(phase)
        if result:
            rows.append(f"| {phase} | {result['requests']} | {result['requests_per_s']} | "
                        f"{result['p50_ms']} ms | {result['p95_ms']} ms | {result['p99_ms']} ms | "
                        f"{result['errors']} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("metaqa_dir", type=Path, help="MetaQA folder with kb.txt and N-hop/vanilla/")
    parser.add_argument("--data-dir", type=Path, required=True,
                        help="kgqa data folder; MetaQA is loaded into it unless already there")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16, help="concurrent closed-loop clients")
    parser.add_argument("--duration-s", type=float, default=60.0, help="length of each measured phase")
    parser.add_argument("--warm-up-s", type=float, default=20.0, help="unmeasured phase with dev questions")
    parser.add_argument("--upload-graphs", type=int, default=3, help="graphs the mixed phase re-uploads")
    parser.add_argument("--upload-triples", type=int, default=2000, help="triples per uploaded version")
    parser.add_argument("--skip-mixed", action="store_true", help="run only the graph-only phase")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--markdown", action="store_true", help="also print table rows for the docs")
    args = parser.parse_args()

    args.data_dir.mkdir(parents=True, exist_ok=True)
    ensure_graph(args.data_dir, args.metaqa_dir / "kb.txt")
    server = Server(args.data_dir, args.workers, args.data_dir / "load-test-server.log")
    report: dict = {"machine": machine(), "workers": args.workers, "clients": args.clients,
                    "duration_s": args.duration_s}
    try:
        report["ready_after_s"] = round(server.start(), 1)
        if args.warm_up_s > 0:
            warm_feed = QuestionFeed(read_questions(args.metaqa_dir, "dev"), args.seed)
            run_phase(server.port, warm_feed, args.clients, args.warm_up_s)
        feed = QuestionFeed(read_questions(args.metaqa_dir, "test"), args.seed)

        report["graph_only"] = measure(server, feed, args.clients, args.duration_s)
        if not args.skip_mixed:
            names = [f"load-test-{number}" for number in range(args.upload_graphs)]
            uploader = Uploader(server.port, names, args.upload_triples, threading.Event())
            report["mixed"] = measure(server, feed, args.clients, args.duration_s, uploader)
            report["mixed"].update(check_uploads(server.port, uploader))
    finally:
        server.stop()

    report["machine"]["load_average_after"] = os.getloadavg()
    print(json.dumps(report, indent=2))
    if args.markdown:
        print(markdown_rows(report))


def measure(server: Server, feed: QuestionFeed, clients: int, duration_s: float,
            uploader: Uploader | None = None) -> dict:
    """Run one measured phase and add the CPU time of the server and of this generator to its summary."""
    client_before = resource.getrusage(resource.RUSAGE_SELF)
    server_before = server.worker_cpu_s()
    tally, elapsed_s = run_phase(server.port, feed, clients, duration_s, uploader)
    client_after = resource.getrusage(resource.RUSAGE_SELF)

    result = summarize(tally, elapsed_s)
    result["server_cpu_s"] = round(server.worker_cpu_s() - server_before, 1)
    result["load_generator_cpu_s"] = round(client_after.ru_utime + client_after.ru_stime
                                           - client_before.ru_utime - client_before.ru_stime, 1)
    result["elapsed_s"] = round(elapsed_s, 1)
    return result


if __name__ == "__main__":
    main()
