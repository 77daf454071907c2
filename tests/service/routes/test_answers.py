"""POST /ask, /compare and /verify over the bundled graphs with the real embedded model."""

from __future__ import annotations

import pytest

from kgqa.verification.verdicts import VERDICTS

QUESTION = "What is the capital of France?"


def test_ask_graph_mode_answer(client):
    response = client.post("/ask", json={"question": QUESTION})
    assert response.status_code == 200
    body = response.get_json()
    assert body["mode"] == "graph"
    assert body["graph"] == "countries"
    assert [item["label"] for item in body["answers"]] == ["Paris"]
    assert body["evidence"][0]["predicate"]["label"] == "capital"
    assert body["linked_entities"][0]["mention"] == "France"


def test_ask_named_graph_and_top_k(client):
    response = client.post("/ask", json={"question": QUESTION, "graph": "countries", "top_k": 1})
    assert response.status_code == 200
    assert len(response.get_json()["evidence"]) == 1


def test_ask_non_ascii_kept(client):
    response = client.post("/ask", json={"question": "What is the capital of Curaçao?"})
    assert response.status_code == 200
    assert "Curaçao" in response.get_data(as_text=True)


@pytest.mark.parametrize("mode", ["ungrounded", "grounded", "corrected"])
def test_ask_generated_modes(client, mode):
    response = client.post("/ask", json={"question": QUESTION, "mode": mode})
    assert response.status_code == 200
    body = response.get_json()
    assert body["mode"] == mode
    assert body["verdict"] in VERDICTS
    assert isinstance(body["text"], str)
    assert body["model_outputs"]


def test_ask_corrected_with_draft(client):
    draft = "The capital of France is Lyon."
    response = client.post("/ask", json={"question": QUESTION, "mode": "corrected", "draft": draft})
    body = response.get_json()
    assert response.status_code == 200
    assert body["draft"] == draft
    assert body["draft_verification"]["verdict"] == "contradicted"
    assert "Paris" in body["text"]


def test_compare_four_modes(client):
    response = client.post("/compare", json={"question": QUESTION, "graph": "countries"})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body["modes"]) == {"graph", "ungrounded", "grounded", "corrected"}
    assert set(body["verdicts"]) == set(body["modes"])
    assert body["verdicts"]["graph"] == "supported"


def test_verify_contradicted_draft(client):
    response = client.post("/verify", json={"question": QUESTION, "answer": "The capital of France is Lyon."})
    assert response.status_code == 200
    body = response.get_json()
    assert body["verification"]["verdict"] == "contradicted"
    assert "Paris" in body["corrected"]["text"]
    assert body["corrected"]["mode"] == "corrected"
