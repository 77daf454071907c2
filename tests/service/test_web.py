"""The web page in real headless Chromium: graph list, the four answer modes, evidence, uploads, errors.

Read-only tests use the shared ``live_server`` over the bundled graphs.
Tests that upload or delete run their own application over a temporary data
folder. Its generative model points at a closed port on 127.0.0.1, so
``/compare`` fails with 503 there, as it does when a model endpoint is down.
A failing test leaves a screenshot and the page source in test-artifacts/.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from browser import save_failure_artifacts, start_chromium, stop_chromium
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from kgqa.answering.engine import Engine
from kgqa.service.app import create_app
from kgqa.settings import Settings

PAGE_TIMEOUT_S = 15
# /compare runs the embedded model three times: a few seconds when warm, more on a busy machine.
COMPARE_TIMEOUT_S = 120
MODES = ("graph", "ungrounded", "grounded", "corrected")

QUESTION = "Who is the CEO of Google?"
QUESTION_GRAPH = "companies"

# The answer's label contains markup characters, which the page must show as text.
FOUNDER_LABEL = "Ada <i>Lovelace</i> & Co"
TINY_TURTLE = f"""\
@prefix ex: <https://example.org/tiny/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:Acme rdfs:label "Acme" ;
    ex:founder ex:Ada .
ex:Ada rdfs:label "{FOUNDER_LABEL}" .
ex:founder rdfs:label "founder" .
"""
TINY_QUESTION = "Who is the founder of Acme?"


# ---- helpers ---------------------------------------------------------------------------------------


def call_api(server, method: str, path: str, payload: Any = None,
             data: bytes | None = None, content_type: str | None = None) -> tuple[int, Any]:
    """Send one request to the server and return the status and the decoded JSON body."""
    headers = {"Accept": "application/json"}
    if payload is not None:
        data = json.dumps(payload).encode()
        content_type = "application/json"
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(server.url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=COMPARE_TIMEOUT_S) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def put_graph(server, name: str, turtle: str) -> dict:
    status, body = call_api(server, "PUT", f"/graphs/{name}", data=turtle.encode(),
                            content_type="text/turtle")
    assert status in (200, 201), body
    return body


def wait_for(driver: WebDriver, css: str, timeout_s: float = PAGE_TIMEOUT_S):
    """Wait until an element matching ``css`` is displayed, and return it."""
    def displayed(driver: WebDriver):
        for element in driver.find_elements(By.CSS_SELECTOR, css):
            if element.is_displayed():
                return element
        return False

    return WebDriverWait(driver, timeout_s).until(displayed, f"nothing matching {css!r} was displayed")


def open_page(driver: WebDriver, server) -> None:
    """Load the page and wait until it has listed the graphs (or said that there are none)."""
    driver.get(server.url + "/")
    wait_for(driver, "#graph-rows tr, #graphs-empty")


def ask(driver: WebDriver, question: str, graph: str) -> None:
    Select(driver.find_element(By.ID, "graph-select")).select_by_value(graph)
    field = driver.find_element(By.ID, "question-input")
    field.clear()
    field.send_keys(question)
    field.send_keys(Keys.ENTER)


def wait_for_modes(driver: WebDriver) -> None:
    """Wait until every model mode has its answer or its error."""
    wait_for(driver, '.mode[data-mode="graph"] .answer-text')
    WebDriverWait(driver, COMPARE_TIMEOUT_S).until(
        lambda driver: not driver.find_elements(By.CSS_SELECTOR, ".mode.is-pending"),
        "the model modes were still pending")


def mode_column(driver: WebDriver, mode: str):
    return driver.find_element(By.CSS_SELECTOR, f'.mode[data-mode="{mode}"]')


def evidence_keys(body: dict) -> set[tuple[str, str, str]]:
    """Return (subject IRI, predicate IRI, object IRI) of all evidence in a /compare body."""
    triples = []
    for result in body["modes"].values():
        triples += result["evidence"]
        for claim in result["claims"]:
            triples += claim["evidence"]
    return {triple_key(triple) for triple in triples}


def triple_key(triple: dict) -> tuple[str, str, str]:
    return triple["subject"]["iri"], triple["predicate"]["iri"], triple["object"]["iri"]


def closed_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[WebDriver]:
    driver, profile_dir = start_chromium()
    yield driver
    stop_chromium(driver, profile_dir)


@pytest.fixture
def browser(chromium: WebDriver, request: pytest.FixtureRequest) -> Iterator[WebDriver]:
    """The shared Chromium; a failing test saves its screenshot and page source on the way out."""
    yield chromium
    save_failure_artifacts(request.node, chromium)


@pytest.fixture
def own_server(tmp_path, embedder, serve):
    """An application of this test's own: empty data folder, model endpoint down."""
    settings = Settings(environ={}, data_dir=str(tmp_path / "data"), llm_backend="openai",
                        llm_base_url=f"http://127.0.0.1:{closed_port()}/v1", llm_max_retries=0)
    engine = Engine(settings)
    engine._embedder = embedder  # share the session's model instead of loading a second copy
    return serve(create_app(settings, engine=engine))


# ---- tests -----------------------------------------------------------------------------------------


def test_page_lists_graph_sizes(browser, live_server):
    open_page(browser, live_server)
    _, body = call_api(live_server, "GET", "/graphs")

    rows = {}
    for row in browser.find_elements(By.CSS_SELECTOR, "#graph-rows tr"):
        cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        rows[cells[0]] = [int(cell.replace(",", "")) for cell in cells[1:]]
    expected = {info["name"]: [info["triples"], info["entities"], info["relations"]]
                for info in body["graphs"]}
    assert rows == expected

    options = [option.get_attribute("value") for option in
               Select(browser.find_element(By.ID, "graph-select")).options]
    assert options == ["", *sorted(expected)]


def test_question_shows_four_modes(browser, live_server):
    open_page(browser, live_server)
    ask(browser, QUESTION, QUESTION_GRAPH)

    # The graph answer comes from /ask and shows while the model modes are still running.
    graph_text = wait_for(browser, '.mode[data-mode="graph"] .answer-text').text
    pending = browser.find_elements(By.CSS_SELECTOR, ".mode.is-pending")
    _, answer = call_api(live_server, "POST", "/ask", {"question": QUESTION, "graph": QUESTION_GRAPH})
    assert graph_text == answer["text"]
    assert len(pending) == 3

    wait_for_modes(browser)
    _, comparison = call_api(live_server, "POST", "/compare", {"question": QUESTION, "graph": QUESTION_GRAPH})
    for mode in MODES:
        column = mode_column(browser, mode)
        badge = column.find_element(By.CSS_SELECTOR, ".badge[data-verdict]")
        assert badge.get_attribute("data-verdict") == comparison["verdicts"][mode], mode
        text = column.find_element(By.CSS_SELECTOR, ".answer-text").text
        assert text == comparison["modes"][mode]["text"], mode
    answer_links = mode_column(browser, "graph").find_elements(By.CSS_SELECTOR, ".answer-items .iri")
    answer_iris = [link.text for link in answer_links]
    assert answer_iris == [item["iri"] for item in answer["answers"]]


def test_evidence_table_and_drawing(browser, live_server):
    open_page(browser, live_server)
    ask(browser, QUESTION, QUESTION_GRAPH)
    wait_for_modes(browser)
    _, answer = call_api(live_server, "POST", "/ask", {"question": QUESTION, "graph": QUESTION_GRAPH})
    _, comparison = call_api(live_server, "POST", "/compare", {"question": QUESTION, "graph": QUESTION_GRAPH})

    rows = browser.find_elements(By.CSS_SELECTOR, "#evidence-rows tr")
    shown_keys = set()
    labels = set()
    for row in rows:
        iris = [element.text for element in row.find_elements(By.CSS_SELECTOR, ".iri")]
        shown_keys.add(tuple(iris))
        labels.update(element.text for element in row.find_elements(By.CSS_SELECTOR, ".term-label"))
    expected = evidence_keys(comparison) | {triple_key(triple) for triple in answer["evidence"]}
    assert shown_keys == expected
    assert len(rows) == len(expected)
    assert {"Google", "chief executive", "Sundar Pichai"} <= labels

    drawing = browser.find_element(By.CSS_SELECTOR, "#evidence-drawing svg")
    node_labels = {node.text for node in drawing.find_elements(By.CSS_SELECTOR, ".node text")}
    answer_labels = {node.text for node in drawing.find_elements(By.CSS_SELECTOR, ".node-answer text")}
    topic_labels = {node.text for node in drawing.find_elements(By.CSS_SELECTOR, ".node-topic text")}
    edge_labels = {edge.text for edge in drawing.find_elements(By.CSS_SELECTOR, ".edge-label")}
    assert node_labels == {"Google", "Sundar Pichai"}
    assert answer_labels == {"Sundar Pichai"}
    assert topic_labels == {"Google"}
    assert edge_labels == {"chief executive"}


def test_suggestion_completes_entity(browser, live_server):
    open_page(browser, live_server)
    Select(browser.find_element(By.ID, "graph-select")).select_by_value(QUESTION_GRAPH)
    field = browser.find_element(By.ID, "question-input")
    field.send_keys("Who founded tes")

    wait_for(browser, "button.suggestion")
    buttons = browser.find_elements(By.CSS_SELECTOR, "button.suggestion")
    query = urllib.parse.urlencode({"q": "Who founded tes", "graph": QUESTION_GRAPH, "limit": 6})
    _, body = call_api(live_server, "GET", f"/entities?{query}")
    suggestions = body["results"][0]["suggestions"]
    assert [button.text for button in buttons] == [suggestion["label"] for suggestion in suggestions]

    next(button for button in buttons if button.text == "Tesla").click()
    assert field.get_attribute("value") == "Who founded Tesla"
    assert browser.find_element(By.ID, "suggestions").is_displayed() is False


def test_empty_question_shows_message(browser, live_server):
    open_page(browser, live_server)
    ask(browser, "   ", QUESTION_GRAPH)

    message = wait_for(browser, "#ask-error").text
    assert message.startswith("Type a question first")
    assert browser.find_element(By.ID, "results").is_displayed() is False


def test_upload_form_adds_graph(browser, own_server, tmp_path):
    open_page(browser, own_server)
    assert browser.find_element(By.ID, "graphs-empty").is_displayed()
    graph_file = tmp_path / "tiny.ttl"
    graph_file.write_text(TINY_TURTLE, encoding="utf-8")

    browser.find_element(By.ID, "upload-file").send_keys(str(graph_file))
    browser.find_element(By.ID, "upload-name").send_keys("tiny")
    browser.find_element(By.ID, "upload-button").click()

    row = wait_for(browser, '#graph-rows tr[data-graph="tiny"]')
    _, info = call_api(own_server, "GET", "/graphs/tiny")
    cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
    assert cells == ["tiny", str(info["triples"]), str(info["entities"]), str(info["relations"])]
    assert wait_for(browser, "#upload-status").text.startswith("Loaded 'tiny'")
    assert Select(browser.find_element(By.ID, "graph-select")).first_selected_option.text == "tiny"


def test_upload_parse_error_shown(browser, own_server, tmp_path):
    open_page(browser, own_server)
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b .\n", encoding="utf-8")

    browser.find_element(By.ID, "upload-file").send_keys(str(broken))
    browser.find_element(By.ID, "upload-button").click()

    message = wait_for(browser, "#upload-error").text
    status, body = call_api(own_server, "PUT", "/graphs/broken", data=broken.read_bytes(),
                            content_type="text/turtle")
    details = body["error"]["details"]
    assert status == 422
    assert message.startswith("Upload failed: Invalid Turtle in broken.ttl")
    assert f"line {details['line']}, column {details['column']}" in message


def test_model_down_keeps_graph_answer(browser, own_server):
    put_graph(own_server, "tiny", TINY_TURTLE)
    open_page(browser, own_server)
    ask(browser, TINY_QUESTION, "tiny")
    wait_for_modes(browser)
    status, body = call_api(own_server, "POST", "/compare", {"question": TINY_QUESTION, "graph": "tiny"})
    assert status == 503

    graph_column = mode_column(browser, "graph")
    assert FOUNDER_LABEL in graph_column.find_element(By.CSS_SELECTOR, ".answer-text").text
    # Labels are text: their markup characters must not become elements.
    assert browser.find_elements(By.CSS_SELECTOR, "#modes i, #evidence i") == []
    for mode in MODES[1:]:
        error = mode_column(browser, mode).find_element(By.CSS_SELECTOR, ".mode-error")
        assert error.get_attribute("data-code") == "model_unavailable", mode
        assert body["error"]["message"] in error.text, mode
    nodes = browser.find_elements(By.CSS_SELECTOR, "#evidence-drawing .node text")
    assert {node.text for node in nodes} == {"Acme", FOUNDER_LABEL}


def test_deleted_graph_shows_message(browser, own_server):
    put_graph(own_server, "doomed", TINY_TURTLE)
    put_graph(own_server, "kept", TINY_TURTLE)
    open_page(browser, own_server)
    status, _ = call_api(own_server, "DELETE", "/graphs/doomed")
    assert status == 200

    ask(browser, TINY_QUESTION, "doomed")
    message = wait_for(browser, "#ask-error").text
    _, body = call_api(own_server, "POST", "/ask", {"question": TINY_QUESTION, "graph": "doomed"})
    assert message == body["error"]["message"]
    assert "doomed" in message
    assert browser.find_element(By.ID, "results").is_displayed() is False
