"""The OpenAI-compatible backend: a real llama-cpp-python server, and peers that fail, stall or are down.

The failure peers are tiny ``http.server`` servers on 127.0.0.1 that replay
scripted responses: they stand in for a misbehaving endpoint, not for the model.
"""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from kgqa.errors import InvalidInput, InvalidSetting, ModelUnavailable
from kgqa.generation.base import Generator
from kgqa.generation.openai_compat import OpenAICompatGenerator, redact_url
from kgqa.settings import Settings

API_KEY = "sk-test-9f3c1b7e-never-shown"
QUESTION = [{"role": "user", "content": "What is the capital of France? Answer in one sentence."}]
SERVER_START_TIMEOUT_S = 90.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def completion(text: str = "Paris.", finish_reason: str = "stop") -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                     "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 2, "total_tokens": 14},
    }


@pytest.fixture(scope="module")
def llama_server(model_path, llm_threads, tmp_path_factory):
    """Base URL of llama-cpp-python's own OpenAI-compatible server, serving SmolLM2 on a free port."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path),
               "--model_alias", "smollm2", "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
               "--n_threads", str(llm_threads)]
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"

    try:
        _wait_until_ready(process, base_url, log_path)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(process: subprocess.Popen, base_url: str, log_path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{base_url}/models", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"llama_cpp.server not ready after {SERVER_START_TIMEOUT_S} s:\n{log_path.read_text()}")


@dataclass
class Scripted:
    """One scripted response of the failure peer."""

    status: int = 200
    body: str | dict = ""
    delay_s: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()


class ScriptedServer:
    """An HTTP server on 127.0.0.1 that records each POST and replies with the next scripted response.

    The last response repeats once the script runs out.
    """

    def __init__(self, script: list[Scripted]) -> None:
        self.script = list(script)
        self.requests: list[dict] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        # A short poll interval makes shutdown() return quickly instead of after the default 0.5 s.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _next(self) -> Scripted:
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the name http.server dispatches to)
                length = int(self.headers.get("Content-Length", "0"))
                owner.requests.append({"path": self.path, "headers": dict(self.headers),
                                       "body": json.loads(self.rfile.read(length) or b"null")})
                scripted = owner._next()
                time.sleep(scripted.delay_s)
                body = scripted.body if isinstance(scripted.body, str) else json.dumps(scripted.body)
                try:
                    self.send_response(scripted.status)
                    for name, value in scripted.headers:
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body.encode())))
                    self.end_headers()
                    self.wfile.write(body.encode())
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting, which is what the timeout test wants

            def log_message(self, format: str, *args) -> None:  # noqa: A002 (the signature it overrides)
                pass

        return Handler


def fast_generator(base_url: str, **options) -> OpenAICompatGenerator:
    """A generator with short timeouts and backoff, so failure tests take well under a second each."""
    defaults = {"api_key": API_KEY, "timeout_s": 2.0, "max_retries": 2, "retry_backoff_s": 0.01}
    return OpenAICompatGenerator(base_url, "smollm2", **{**defaults, **options})


def assert_key_hidden(text: str) -> None:
    assert API_KEY not in text
    assert "9f3c1b7e" not in text


# The real server


def test_real_server_generates(llama_server):
    generator = OpenAICompatGenerator(llama_server, "smollm2", api_key=API_KEY, timeout_s=60.0)
    generation = generator.chat(QUESTION, max_tokens=24)
    assert generation.text.strip()
    assert generation.prompt_tokens > 0
    assert 0 < generation.completion_tokens <= 24
    assert generation.finish_reason in {"stop", "length"}
    assert generation.model == generator.name


def test_real_server_repeats_itself(llama_server):
    generator = OpenAICompatGenerator(llama_server, "smollm2", timeout_s=60.0)
    first = generator.chat(QUESTION, max_tokens=16)
    second = generator.chat(QUESTION, max_tokens=16)
    assert first.text == second.text


def test_real_server_length_finish(llama_server):
    generator = OpenAICompatGenerator(llama_server, timeout_s=60.0)
    story = [{"role": "user", "content": "Write a long story about a lighthouse keeper."}]
    generation = generator.chat(story, max_tokens=3)
    assert generation.finish_reason == "length"
    assert generation.completion_tokens == 3


def test_real_server_honours_stop(llama_server):
    generator = OpenAICompatGenerator(llama_server, "smollm2", timeout_s=60.0)
    full = generator.chat(QUESTION, max_tokens=24).text
    words = full.split()
    assert len(words) >= 3, full

    cut = generator.chat(QUESTION, max_tokens=24, stop=[words[2]])
    assert words[2] not in cut.text
    assert full.startswith(cut.text)


# Requests as sent


def test_request_carries_every_field():
    with ScriptedServer([Scripted(body=completion())]) as server:
        generator = fast_generator(server.base_url, seed=11)
        generator.chat(QUESTION, max_tokens=7, temperature=0.5, stop=["\n"])

    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == f"Bearer {API_KEY}"
    assert request["body"] == {"model": "smollm2", "messages": QUESTION, "temperature": 0.5,
                               "max_tokens": 7, "seed": 11, "stop": ["\n"]}


def test_defaults_fill_request():
    with ScriptedServer([Scripted(body=completion())]) as server:
        generator = OpenAICompatGenerator(server.base_url + "/", max_tokens=64)
        generator.chat(QUESTION)

    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert "Authorization" not in request["headers"]
    assert request["body"] == {"messages": QUESTION, "temperature": 0.0, "max_tokens": 64, "seed": 0}


def test_reply_becomes_generation():
    with ScriptedServer([Scripted(body=completion("Paris is the capital.", "length"))]) as server:
        generation = fast_generator(server.base_url).chat(QUESTION)
    assert generation.text == "Paris is the capital."
    assert generation.finish_reason == "length"
    assert generation.prompt_tokens == 12
    assert generation.completion_tokens == 2


def test_content_parts_joined():
    body = completion()
    parts = [{"type": "text", "text": "Par"}, {"type": "text", "text": "is"}]
    body["choices"][0]["message"]["content"] = parts
    with ScriptedServer([Scripted(body=body)]) as server:
        generation = fast_generator(server.base_url).chat(QUESTION)
    assert generation.text == "Paris"


def test_odd_usage_counts_zero():
    body = completion()
    body["usage"] = {"prompt_tokens": "many", "completion_tokens": None}
    with ScriptedServer([Scripted(body=body)]) as server:
        generation = fast_generator(server.base_url).chat(QUESTION)
    assert generation.prompt_tokens == 0
    assert generation.completion_tokens == 0


def test_missing_usage_counts_zero():
    body = completion()
    del body["usage"]
    body["choices"][0]["finish_reason"] = None
    with ScriptedServer([Scripted(body=body)]) as server:
        generation = fast_generator(server.base_url).chat(QUESTION)
    assert generation.prompt_tokens == 0
    assert generation.completion_tokens == 0
    assert generation.finish_reason == "unknown"


# Failures of the peer


def test_server_down_names_url(caplog):
    caplog.set_level(logging.DEBUG)
    port = free_port()
    generator = fast_generator(f"http://127.0.0.1:{port}/v1")

    started = time.perf_counter()
    with pytest.raises(ModelUnavailable) as raised:
        generator.chat(QUESTION)
    elapsed_s = time.perf_counter() - started

    message = raised.value.message
    assert f"http://127.0.0.1:{port}/v1/chat/completions" in message
    assert "after 3 attempts" in message
    assert "connection failed" in message
    assert "KGQA_LLM_BASE_URL" in message
    assert elapsed_s < 2.0
    assert raised.value.details["attempts"] == 3
    retries = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(retries) == 2
    assert "retry 1 of 2" in retries[0]
    assert "retry 2 of 2" in retries[1]
    assert_key_hidden(message)
    assert_key_hidden(caplog.text)


def test_slow_server_times_out(caplog):
    caplog.set_level(logging.DEBUG)
    with ScriptedServer([Scripted(body=completion(), delay_s=1.5)]) as server:
        generator = fast_generator(server.base_url, timeout_s=0.3, max_retries=1)
        started = time.perf_counter()
        with pytest.raises(ModelUnavailable, match=r"timed out after 0\.3 s") as raised:
            generator.chat(QUESTION)
        elapsed_s = time.perf_counter() - started

    assert len(server.requests) == 2
    assert "after 2 attempts" in raised.value.message
    assert "KGQA_LLM_TIMEOUT_S" in raised.value.message
    assert server.base_url in raised.value.message
    assert elapsed_s < 1.5
    assert_key_hidden(raised.value.message)
    assert_key_hidden(caplog.text)


def test_http_500_retried_then_fails(caplog):
    caplog.set_level(logging.DEBUG)
    failing = Scripted(status=500, body={"error": {"message": "llama_decode failed"}})
    with ScriptedServer([failing]) as server, pytest.raises(ModelUnavailable) as raised:
        fast_generator(server.base_url).chat(QUESTION)

    message = raised.value.message
    assert len(server.requests) == 3
    assert "HTTP 500 Internal Server Error" in message
    assert "llama_decode failed" in message
    assert "after 3 attempts" in message
    assert "see its log" in message
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "HTTP 500" in warnings[0]
    assert_key_hidden(message)
    assert_key_hidden(caplog.text)


@pytest.mark.parametrize(
    "failure",
    [
        Scripted(status=500, body="oops"),
        Scripted(status=502, body=""),
        Scripted(status=503, body={"error": "loading model"}),
        Scripted(status=429, body={"error": {"message": "slow down"}}, headers=(("Retry-After", "0"),)),
    ],
    ids=["500", "502", "503", "429"],
)
def test_retryable_status_recovers(failure):
    with ScriptedServer([failure, Scripted(body=completion("Paris."))]) as server:
        generation = fast_generator(server.base_url).chat(QUESTION)
    assert generation.text == "Paris."
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    ("status", "hint"),
    [
        (400, "The server rejected the request"),
        (401, "Check KGQA_LLM_API_KEY."),
        (403, "Check KGQA_LLM_API_KEY"),
        (404, "Check KGQA_LLM_BASE_URL"),
        (422, "The server rejected the request"),
    ],
)
def test_client_error_not_retried(status, hint):
    echo = {"error": {"message": f"rejected key {API_KEY}"}}
    with (
        ScriptedServer([Scripted(status=status, body=echo)]) as server,
        pytest.raises(ModelUnavailable) as raised,
    ):
        fast_generator(server.base_url).chat(QUESTION)

    message = raised.value.message
    assert len(server.requests) == 1
    assert f"HTTP {status}" in message
    assert "after 1 attempt:" in message
    assert hint in message
    assert "rejected key ***" in message
    assert_key_hidden(message)


@pytest.mark.parametrize(
    "body",
    ["<html>proxy page</html>", {"choices": []}, {"choices": [{"text": "legacy"}]}, [1, 2]],
    ids=["html", "no-choices", "no-message", "json-list"],
)
def test_non_completion_body_unavailable(body):
    with (
        ScriptedServer([Scripted(body=body)]) as server,
        pytest.raises(ModelUnavailable, match="not a chat completion"),
    ):
        fast_generator(server.base_url).chat(QUESTION)
    assert len(server.requests) == 1


def test_zero_retries_single_attempt():
    with (
        ScriptedServer([Scripted(status=500, body="oops")]) as server,
        pytest.raises(ModelUnavailable, match="after 1 attempt"),
    ):
        fast_generator(server.base_url, max_retries=0).chat(QUESTION)
    assert len(server.requests) == 1


# Configuration and secrets


def test_key_absent_from_name_and_repr():
    generator = fast_generator("http://127.0.0.1:9/v1")
    assert isinstance(generator, Generator)
    assert generator.name == "openai:http://127.0.0.1:9/v1 model=smollm2"
    assert "api_key=set" in repr(generator)
    assert_key_hidden(repr(generator))
    assert_key_hidden(generator.name)


def test_url_password_redacted():
    port = free_port()
    generator = fast_generator(f"http://kgqa:pw-hidden@127.0.0.1:{port}/v1?token=tk-hidden", max_retries=0)
    with pytest.raises(ModelUnavailable) as raised:
        generator.chat(QUESTION)
    for text in (generator.name, repr(generator), raised.value.message):
        assert "pw-hidden" not in text
        assert "tk-hidden" not in text
    assert f"kgqa:***@127.0.0.1:{port}" in generator.name


@pytest.mark.parametrize(
    ("url", "redacted"),
    [
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1"),
        ("https://user:secret@api.example.org/v1", "https://user:***@api.example.org/v1"),
        ("https://api.example.org/v1?key=abc&x=1", "https://api.example.org/v1?key=***&x=***"),
    ],
)
def test_redact_url(url, redacted):
    assert redact_url(url) == redacted


@pytest.mark.parametrize("url", ["", "ftp://127.0.0.1/v1", "127.0.0.1:8080/v1", "http://"])
def test_invalid_base_url_rejected(url):
    with pytest.raises(InvalidSetting, match="KGQA_LLM_BASE_URL"):
        OpenAICompatGenerator(url)


@pytest.mark.parametrize(
    "options",
    [{"timeout_s": 0}, {"max_retries": -1}, {"retry_backoff_s": -0.1}],
    ids=["timeout", "retries", "backoff"],
)
def test_invalid_retry_settings_rejected(options):
    with pytest.raises(InvalidSetting, match="KGQA_LLM_"):
        OpenAICompatGenerator("http://127.0.0.1:9/v1", **options)


def test_malformed_messages_rejected_locally():
    with (
        ScriptedServer([Scripted(body=completion())]) as server,
        pytest.raises(InvalidInput, match="role 'robot'"),
    ):
        fast_generator(server.base_url).chat([{"role": "robot", "content": "hi"}])
    assert server.requests == []


def test_settings_configure_generator():
    settings = Settings(environ={"KGQA_LLM_BASE_URL": "http://127.0.0.1:8080/v1", "KGQA_LLM_MODEL": "m",
                                 "KGQA_LLM_API_KEY": API_KEY, "KGQA_LLM_TIMEOUT_S": "5",
                                 "KGQA_LLM_MAX_RETRIES": "4", "KGQA_LLM_RETRY_BACKOFF_S": "0.25"})
    generator = OpenAICompatGenerator.from_settings(settings)
    assert generator.endpoint == "http://127.0.0.1:8080/v1/chat/completions"
    assert generator.model == "m"
    assert generator.timeout_s == 5.0
    assert generator.max_retries == 4
    assert generator.retry_backoff_s == 0.25
