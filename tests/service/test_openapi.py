"""GET /openapi.json documents every route, and schemathesis finds the live server true to it.

The schemathesis tests run against a server of their own: a temporary data
folder with one small graph, an API key that the generated requests carry
(so uploads and deletions really run, on scratch data only), and the real
embedded model limited to a few tokens per answer so the generated modes
stay fast. Each operation gets a bounded number of examples, with shrinking
off. The module took 27 s (38 s with start-up and model loading) on a 2-CPU
machine when it was written.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
import schemathesis
from http_checks import assert_error_shape
from hypothesis import HealthCheck, Phase, given, strategies
from hypothesis import settings as hypothesis_settings
from prometheus_client.parser import text_string_to_metric_families
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kgqa.answering.engine import Engine
from kgqa.errors import InvalidInput
from kgqa.graph.store import validate_graph_name
from kgqa.service.app import create_app
from kgqa.service.openapi import GRAPH_NAME_PATTERN, OPENAPI_VERSION, build_document
from kgqa.settings import Settings
from kgqa.verification.modes import AnswerModes

CASES_DIR = Path(__file__).resolve().parents[1] / "data" / "cases"
API_KEY = "schemathesis-key"
# The generated modes run the real model; a few tokens per reply keep them near a second each.
ANSWER_TOKENS = 4
MAX_QUESTION_CHARS = 200
# Operations that run the model get few examples; the rest are milliseconds each.
_EXAMPLES = {"/ask": 8, "/compare": 2, "/verify": 2}
_DEFAULT_EXAMPLES = 25
_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
           response_schema_conformance]
_DOCUMENT = build_document(Settings(environ={}), "0")
OPERATIONS = [(method.upper(), path) for path, item in _DOCUMENT["paths"].items()
              for method in item if method != "parameters"]


@pytest.fixture(scope="module")
def api_server(tmp_path_factory, embedder, service_generator, serve):
    settings = Settings(environ={}, data_dir=str(tmp_path_factory.mktemp("openapi-data")),
                        api_key=API_KEY, max_question_chars=MAX_QUESTION_CHARS)
    engine = Engine(settings)
    engine._embedder = embedder
    engine.load([CASES_DIR / "counting-and-yes-no" / "graph.ttl"], name="band")
    modes = AnswerModes(engine, lambda: service_generator, answer_tokens=ANSWER_TOKENS)
    return serve(create_app(settings, engine=engine, modes=modes))


@pytest.fixture(scope="module")
def api_schema(api_server):
    return schemathesis.openapi.from_url(f"{api_server.url}/openapi.json")


def test_document_served_as_json(api_server):
    response = requests.get(f"{api_server.url}/openapi.json", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    document = response.json()
    assert document["openapi"] == OPENAPI_VERSION
    assert document["info"]["title"] == "kgqa"


def test_document_uses_app_limits(api_server):
    document = requests.get(f"{api_server.url}/openapi.json", timeout=10).json()
    question = document["components"]["schemas"]["AskRequest"]["properties"]["question"]
    assert question["maxLength"] == MAX_QUESTION_CHARS


def test_every_route_documented(service_app):
    routes = set()
    for rule in service_app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[a-z]+:)?([A-Za-z_]+)>", r"{\1}", rule.rule)
        routes.update((method, path) for method in rule.methods - {"HEAD", "OPTIONS"})
    documented = set(OPERATIONS)
    assert routes - documented == set()
    assert documented - routes == set()


def test_write_operations_need_bearer():
    for method, path in OPERATIONS:
        operation = _DOCUMENT["paths"][path][method.lower()]
        is_write = method in ("PUT", "DELETE") or path.endswith("/examples")
        assert (operation.get("security") == [{"bearer": []}]) == is_write, f"{method} {path}"


def test_error_statuses_share_schema():
    for method, path in OPERATIONS:
        responses = _DOCUMENT["paths"][path][method.lower()]["responses"]
        for status, response in responses.items():
            if int(status) >= 400 and not (path == "/ready" and status == "503"):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, f"{method} {path} {status}"


@pytest.mark.parametrize("name", ["a", "band", "Graph-1.v2_x", "9" * 64, "", "-a", ".hidden",
                                  "a" * 65, "a b", "a/b", "ü"])
def test_graph_name_pattern_matches_store(name):
    try:
        validate_graph_name(name)
        valid = True
    except InvalidInput:
        valid = False
    assert (re.fullmatch(GRAPH_NAME_PATTERN.strip("^$"), name) is not None) == valid


def _run_operation(schema, server, method: str, path: str, mode: GenerationMode) -> None:
    operation = schema[path][method]
    bounded = hypothesis_settings(deadline=None, database=None, derandomize=True,
                                  phases=[Phase.explicit, Phase.generate],
                                  suppress_health_check=list(HealthCheck))

    # The documented examples first (one per answer mode for /ask), then generated requests.
    example_strategies = operation.get_strategies_from_examples() if mode is GenerationMode.POSITIVE else []
    if example_strategies:
        @given(data=strategies.data())
        @hypothesis_settings(bounded, max_examples=1)
        def check_examples(data) -> None:
            for strategy in example_strategies:
                _check_case(data.draw(strategy), server, mode)

        check_examples()

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(bounded, max_examples=_EXAMPLES.get(path, _DEFAULT_EXAMPLES))
    def check_generated(case) -> None:
        _check_case(case, server, mode)

    check_generated()


def _check_case(case, server, mode: GenerationMode) -> None:
    response = case.call(base_url=server.url, headers={"Authorization": f"Bearer {API_KEY}"},
                         timeout=120)
    checks = _CHECKS if mode is GenerationMode.POSITIVE else [not_a_server_error]
    case.validate_response(response, checks=checks)
    if response.status_code >= 400:
        assert_error_shape(response, response.status_code)
    assert "Traceback" not in response.text


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_positive_requests_conform(api_schema, api_server, method, path):
    _run_operation(api_schema, api_server, method, path, GenerationMode.POSITIVE)


_NEGATIVE = [(method, path) for method, path in OPERATIONS
             if method in ("POST", "PUT") or path in ("/entities", "/graphs/{name}")]


@pytest.mark.parametrize(("method", "path"), _NEGATIVE, ids=[f"{m} {p}" for m, p in _NEGATIVE])
def test_negative_requests_rejected(api_schema, api_server, method, path):
    _run_operation(api_schema, api_server, method, path, GenerationMode.NEGATIVE)


def test_generated_modes_were_exercised(api_server):
    """Runs after the schemathesis tests: the documented examples must have reached the model."""
    metrics = requests.get(f"{api_server.url}/metrics", timeout=10).text
    families = {family.name: family for family in text_string_to_metric_families(metrics)}
    answered = {(sample.labels["endpoint"], sample.labels["mode"])
                for sample in families["kgqa_http_requests"].samples
                if sample.name == "kgqa_http_requests_total" and sample.labels["status"] == "200"}
    for endpoint, mode in [("/ask", "graph"), ("/ask", "ungrounded"), ("/ask", "grounded"),
                           ("/ask", "corrected"), ("/compare", "compare"), ("/verify", "verify")]:
        assert (endpoint, mode) in answered
