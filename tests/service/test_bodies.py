"""read_body, read_json_object and the field checks, run inside a request of a minimal app."""

from __future__ import annotations

import io

import pytest
from flask import Flask

from kgqa.errors import InvalidInput, LengthRequired, PayloadTooLarge, UnsupportedMediaType
from kgqa.service.bodies import optional_int, optional_str, read_body, read_json_object, required_str

LIMIT_BYTES = 1024


@pytest.fixture(scope="module")
def app() -> Flask:
    return Flask(__name__)


def _request(app, body: bytes, content_type: str | None = "application/json", *, chunked: bool = False,
             terminated: bool = True):
    headers = {"Content-Type": content_type} if content_type else {}
    if chunked:
        headers["Transfer-Encoding"] = "chunked"
        environ = {"wsgi.input_terminated": True} if terminated else {}
        return app.test_request_context("/", method="POST", input_stream=io.BytesIO(body),
                                        headers=headers, environ_overrides=environ)
    return app.test_request_context("/", method="POST", data=body, headers=headers)


@pytest.mark.parametrize("size", [0, 1, LIMIT_BYTES])
@pytest.mark.parametrize("chunked", [False, True])
def test_read_body_within_limit(app, size, chunked):
    with _request(app, b"x" * size, chunked=chunked):
        assert read_body(LIMIT_BYTES, "KGQA_TEST_LIMIT") == b"x" * size


@pytest.mark.parametrize("chunked", [False, True])
def test_read_body_over_limit(app, chunked):
    with _request(app, b"x" * (LIMIT_BYTES + 1), chunked=chunked), pytest.raises(PayloadTooLarge) as raised:
        read_body(LIMIT_BYTES, "KGQA_TEST_LIMIT")
    assert raised.value.details["limit_bytes"] == LIMIT_BYTES
    assert raised.value.details["setting"] == "KGQA_TEST_LIMIT"
    assert "KGQA_TEST_LIMIT" in raised.value.message


def test_chunked_without_end_raises(app):
    with _request(app, b"{}", chunked=True, terminated=False), pytest.raises(LengthRequired):
        read_body(LIMIT_BYTES, "KGQA_TEST_LIMIT")


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8"])
def test_read_json_object(app, content_type):
    with _request(app, '{"question": "Où est Paris ?"}'.encode(), content_type):
        assert read_json_object(LIMIT_BYTES, "KGQA_TEST_LIMIT") == {"question": "Où est Paris ?"}


@pytest.mark.parametrize(
    ("body", "content_type", "error", "text"),
    [
        (b"{}", None, UnsupportedMediaType, "(none)"),
        (b"{}", "text/plain", UnsupportedMediaType, "text/plain"),
        (b'{"a": "\xe9"}', "application/json", InvalidInput, "UTF-8"),
        (b'{"a": 1', "application/json", InvalidInput, "line 1"),
        (b"", "application/json", InvalidInput, "not valid JSON"),
        (b"[]", "application/json", InvalidInput, "JSON object"),
    ],
)
def test_read_json_object_errors(app, body, content_type, error, text):
    with _request(app, body, content_type), pytest.raises(error) as raised:
        read_json_object(LIMIT_BYTES, "KGQA_TEST_LIMIT")
    assert text in raised.value.message


def test_required_str_checks():
    assert required_str({"q": " x "}, "q", "example") == " x "
    for payload in ({}, {"q": ""}, {"q": "  "}, {"q": 1}, {"q": None}):
        with pytest.raises(InvalidInput, match="Example"):
            required_str(payload, "q", "example")


def test_optional_str_checks():
    assert optional_str({}, "mode") is None
    assert optional_str({"mode": "a"}, "mode", ("a", "b")) == "a"
    with pytest.raises(InvalidInput, match="one of a, b"):
        optional_str({"mode": "c"}, "mode", ("a", "b"))
    with pytest.raises(InvalidInput, match="must be a string"):
        optional_str({"mode": 3}, "mode")


@pytest.mark.parametrize("value", [0, 11, -1, True, 2.0, "5", [5]])
def test_optional_int_rejects(value):
    with pytest.raises(InvalidInput, match="from 1 to 10"):
        optional_int({"n": value}, "n", 1, 10)


@pytest.mark.parametrize(("payload", "expected"), [({}, None), ({"n": None}, None), ({"n": 1}, 1),
                                                   ({"n": 10}, 10)])
def test_optional_int_accepts(payload, expected):
    assert optional_int(payload, "n", 1, 10) == expected
