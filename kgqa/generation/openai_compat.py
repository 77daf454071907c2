"""Call an OpenAI-compatible ``/chat/completions`` endpoint (llama.cpp server, vLLM, Ollama, OpenAI).

Requests retry, with exponential backoff, on connection errors, timeouts,
HTTP 429 and HTTP 5xx; other HTTP errors fail at once. The API key travels
only in the ``Authorization`` header: it is never logged, and it is removed
from every error message and from ``name`` and ``repr``.
"""

from __future__ import annotations

import logging
import math
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

import httpx

from kgqa.errors import InvalidSetting, ModelUnavailable
from kgqa.generation.base import Generation, check_chat_arguments

__all__ = ["OpenAICompatGenerator", "redact_url"]

log = logging.getLogger(__name__)

_BODY_EXCERPT_CHARS = 200
_UNREACHABLE_HINT = "Check that the server is running and that KGQA_LLM_BASE_URL points to it."
_SERVER_ERROR_HINT = "The server failed or is overloaded; see its log."
_REJECTED_HINT = "The server rejected the request; check KGQA_LLM_MODEL and that the prompt fits its context."
_STATUS_HINTS = {
    401: "Check KGQA_LLM_API_KEY.",
    403: "Check KGQA_LLM_API_KEY and the key's permissions.",
    404: "Check KGQA_LLM_BASE_URL (it usually ends in /v1) and KGQA_LLM_MODEL.",
}


def redact_url(url: str) -> str:
    """Return ``url`` with any password and query values replaced by ``***``."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")

    query = parts.query
    if query:
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        query = "&".join(f"{name}=***" for name, _ in pairs)
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


@dataclass(frozen=True)
class _Failure:
    """The reason one request attempt failed, whether a retry may succeed, and what to check."""

    reason: str
    retryable: bool
    hint: str
    retry_after_s: float = 0.0


class OpenAICompatGenerator:
    """Generate chat replies through an OpenAI-compatible HTTP endpoint.

    ``base_url`` is the API root, such as ``http://127.0.0.1:8080/v1``; requests
    go to ``{base_url}/chat/completions``. An empty ``model`` leaves the field
    out of the request, which single-model servers such as llama-cpp-python's
    accept. ``timeout_s`` bounds the connection and each wait for response
    bytes; a call can take up to ``(1 + max_retries)`` timeouts plus the backoff.
    """

    def __init__(self, base_url: str, model: str = "", *, api_key: str = "", timeout_s: float = 60.0,
                 max_retries: int = 2, retry_backoff_s: float = 0.5, max_tokens: int = 256,
                 seed: int = 0, temperature: float = 0.0) -> None:
        _check_base_url(base_url)
        if max_retries < 0 or timeout_s <= 0 or retry_backoff_s < 0:
            raise InvalidSetting(
                f"Invalid retry settings: KGQA_LLM_TIMEOUT_S={timeout_s} must be > 0, "
                f"KGQA_LLM_MAX_RETRIES={max_retries} and KGQA_LLM_RETRY_BACKOFF_S={retry_backoff_s} >= 0."
            )

        self.base_url = base_url.rstrip("/")
        self.endpoint = f"{self.base_url}/chat/completions"
        self.model = model
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.retry_backoff_s = retry_backoff_s
        self.max_tokens = max_tokens
        self.seed = seed
        self.temperature = temperature
        self._api_key = api_key
        self._shown_endpoint = redact_url(self.endpoint)
        self.name = f"openai:{redact_url(self.base_url)}" + (f" model={model}" if model else "")

    @classmethod
    def from_settings(cls, settings: Any) -> OpenAICompatGenerator:
        """Build a generator from the ``llm_*`` settings."""
        return cls(settings.llm_base_url, settings.llm_model, api_key=settings.llm_api_key,
                   timeout_s=settings.llm_timeout_s, max_retries=settings.llm_max_retries,
                   retry_backoff_s=settings.llm_retry_backoff_s, max_tokens=settings.llm_max_tokens,
                   seed=settings.llm_seed, temperature=settings.llm_temperature)

    def __repr__(self) -> str:
        key = "set" if self._api_key else "none"
        return (f"OpenAICompatGenerator(endpoint={self._shown_endpoint!r}, model={self.model!r}, "
                f"api_key={key})")

    def chat(self, messages: list[dict[str, str]], *, max_tokens: int | None = None,
             temperature: float | None = None, stop: list[str] | None = None) -> Generation:
        """Generate the assistant's next message; ``elapsed_s`` includes retries and backoff.

        Raises:
            InvalidInput: malformed messages or options.
            ModelUnavailable: the endpoint is unreachable, times out, returns an
                HTTP error or a body that is not a chat completion.
        """
        check_chat_arguments(messages, max_tokens, temperature, stop)
        body: dict[str, Any] = {
            "messages": messages,
            "temperature": self.temperature if temperature is None else temperature,
            "max_tokens": max_tokens or self.max_tokens,
            "seed": self.seed,
        }
        if self.model:
            body["model"] = self.model
        if stop:
            body["stop"] = stop

        started = time.perf_counter()
        payload = self._post_with_retries(body)
        elapsed_s = time.perf_counter() - started

        return self._to_generation(payload, elapsed_s)

    def _post_with_retries(self, body: dict[str, Any]) -> dict[str, Any]:
        attempts = 1 + self.max_retries
        for attempt in range(1, attempts + 1):
            outcome = self._attempt(body)
            if not isinstance(outcome, _Failure):
                return outcome
            failure = outcome
            if not failure.retryable or attempt == attempts:
                raise self._unavailable(failure, attempt)

            delay_s = max(self.retry_backoff_s * 2 ** (attempt - 1), failure.retry_after_s)
            log.warning("LLM request to %s failed (%s); retry %d of %d in %.2f s",
                        self._shown_endpoint, failure.reason, attempt, self.max_retries, delay_s)
            time.sleep(delay_s)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _attempt(self, body: dict[str, Any]) -> dict[str, Any] | _Failure:
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        try:
            with httpx.Client(timeout=self.timeout_s) as client:
                response = client.post(self.endpoint, json=body, headers=headers)
        except httpx.TimeoutException:
            return _Failure(f"timed out after {self.timeout_s} s", retryable=True,
                            hint=f"{_UNREACHABLE_HINT} Raise KGQA_LLM_TIMEOUT_S for a slow model.")
        except httpx.TransportError as error:
            return _Failure(f"connection failed: {self._scrub(str(error)) or type(error).__name__}",
                            retryable=True, hint=_UNREACHABLE_HINT)

        if response.is_success:
            return self._decode(response)
        status = response.status_code
        reason = f"HTTP {status} {response.reason_phrase}: {self._error_excerpt(response)}"
        if status == 429 or status >= 500:
            return _Failure(reason, retryable=True, hint=_SERVER_ERROR_HINT,
                            retry_after_s=_retry_after_s(response, self.timeout_s))
        return _Failure(reason, retryable=False, hint=_STATUS_HINTS.get(status, _REJECTED_HINT))

    def _decode(self, response: httpx.Response) -> dict[str, Any] | _Failure:
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not _is_chat_completion(payload):
            excerpt = self._scrub(response.text[:_BODY_EXCERPT_CHARS])
            return _Failure(f"HTTP {response.status_code} with a body that is not a chat completion: "
                            f"{excerpt!r}", retryable=False, hint=_UNREACHABLE_HINT)
        return payload

    def _to_generation(self, payload: dict[str, Any], elapsed_s: float) -> Generation:
        choice = payload["choices"][0]
        usage = payload.get("usage")
        usage = usage if isinstance(usage, dict) else {}
        return Generation(
            text=_message_text(choice["message"]),
            finish_reason=str(choice.get("finish_reason") or "unknown"),
            prompt_tokens=_token_count(usage.get("prompt_tokens")),
            completion_tokens=_token_count(usage.get("completion_tokens")),
            elapsed_s=elapsed_s,
            model=self.name,
        )

    def _unavailable(self, failure: _Failure, attempts: int) -> ModelUnavailable:
        tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
        message = (f"The LLM endpoint {self._shown_endpoint} failed after {tries}: {failure.reason}. "
                   f"{failure.hint}")
        return ModelUnavailable(message, details={"endpoint": self._shown_endpoint, "attempts": attempts})

    def _error_excerpt(self, response: httpx.Response) -> str:
        try:
            error = response.json().get("error")
        except (ValueError, AttributeError):
            error = None
        text = error.get("message") if isinstance(error, dict) else error
        if not isinstance(text, str) or not text:
            text = response.text
        return self._scrub(" ".join(text.split())[:_BODY_EXCERPT_CHARS]) or "(empty body)"

    def _scrub(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text


def _check_base_url(base_url: str) -> None:
    parts = urllib.parse.urlsplit(base_url or "")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidSetting(f"KGQA_LLM_BASE_URL must be an http(s) URL such as http://127.0.0.1:8080/v1, "
                             f"got {redact_url(base_url or '')!r}.")


def _is_chat_completion(payload: Any) -> bool:
    if not isinstance(payload, dict):
        return False
    choices = payload.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return False
    return isinstance(choices[0].get("message"), dict)


def _message_text(message: dict[str, Any]) -> str:
    """Return the text of a reply message whose content is a string or a list of content parts."""
    content = message.get("content")
    if isinstance(content, list):
        parts = [part.get("text") for part in content if isinstance(part, dict)]
        return "".join(part for part in parts if isinstance(part, str))
    return content if isinstance(content, str) else ""


def _token_count(value: Any) -> int:
    """Read a token count from a usage field; 0 when it is missing or not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return max(0, int(value))


def _retry_after_s(response: httpx.Response, limit_s: float) -> float:
    """Read a ``Retry-After`` header given in seconds, capped at ``limit_s``; 0 when absent."""
    try:
        seconds = float(response.headers.get("Retry-After", "0"))
    except ValueError:  # an HTTP date: fall back to the exponential backoff
        return 0.0
    return min(seconds, limit_s) if math.isfinite(seconds) and seconds > 0 else 0.0
