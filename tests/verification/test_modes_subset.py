"""Comparing a chosen subset of the answer modes, and topics passed through to the engine."""

from __future__ import annotations

import pytest

from kgqa.errors import InvalidInput

QUESTION = "Who is the CEO of Google?"


def test_subset_runs_only_chosen(scripted):
    modes, generator = scripted("Sundar Pichai is the CEO of Google.")
    comparison = modes.compare(QUESTION, graph="companies", modes=("graph", "grounded"))
    assert list(comparison.modes) == ["graph", "grounded"]
    assert len(generator.calls) == 1


def test_corrected_alone_drafts_ungrounded(scripted):
    modes, generator = scripted("Sundar Pichai is the CEO of Google.")
    comparison = modes.compare(QUESTION, graph="companies", modes=("corrected",))
    assert list(comparison.modes) == ["corrected"]
    assert comparison.modes["corrected"].draft == "Sundar Pichai is the CEO of Google."
    assert len(generator.calls) == 1


def test_topics_reach_engine(scripted):
    modes, _ = scripted("Sundar Pichai.")
    result = modes.grounded("Who is the CEO of [Google]?", graph="companies", topics=["Google"])
    assert [entity.method for entity in result.graph_answer.linked_entities] == ["given"]
    assert [item.label for item in result.graph_answer.answers] == ["Sundar Pichai"]


@pytest.mark.parametrize("chosen", [(), ("graph", "oracle"), "graph"])
def test_invalid_modes_rejected(scripted, chosen):
    modes, _ = scripted()
    with pytest.raises(InvalidInput, match="Invalid modes"):
        modes.compare(QUESTION, graph="companies", modes=chosen)


@pytest.mark.parametrize("mode", ["ungrounded", "grounded", "corrected"])
def test_run_dispatches_model_mode(scripted, mode):
    modes, _ = scripted("Sundar Pichai is the CEO of Google.")
    result = modes.run(mode, QUESTION, graph="companies")
    assert result.mode == mode


@pytest.mark.parametrize("mode", ["graph", "oracle"])
def test_run_rejects_other_modes(scripted, mode):
    modes, _ = scripted()
    with pytest.raises(InvalidInput, match="Invalid model mode"):
        modes.run(mode, QUESTION, graph="companies")
