"""Summarize evaluation records: summary.json, report.md and two PNG charts.

Every number in the summary is an average of the per-question values in
``results.jsonl`` (see ``kgqa.evaluation.runner`` for how each is scored), over
all questions, per hop count and per category. Shares of verdicts count a
question once, by the verdict of its final text. ``model_contradicted`` counts
the model's own text instead, before grounded and corrected modes replace it.
Latency percentiles leave out questions that raised an error.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kgqa.evaluation.metrics import percentile

__all__ = ["FAILURES_SHOWN", "format_table", "summarize", "write_report"]

log = logging.getLogger(__name__)

# Failed questions shown per mode in report.md, picked at random with a fixed seed.
FAILURES_SHOWN = 5
_SET_METRICS = ("exact_match", "precision", "recall", "f1")
_GENERATED_VERDICTS = ("contradicted", "unverifiable", "partly_supported")


def summarize(records: Sequence[dict[str, Any]], modes: Sequence[str],
              config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the summary: per mode the metrics over all questions, per hop and per category."""
    summary: dict[str, Any] = {"config": config or {}, "questions": len(records), "modes": {}}
    for mode in modes:
        summary["modes"][mode] = {
            "overall": _group_metrics(records, mode),
            "by_hop": _grouped(records, mode, lambda record: record.get("hop")),
            "by_category": _grouped(records, mode, lambda record: record.get("category")),
        }
    return summary


def _grouped(records: Sequence[dict[str, Any]], mode: str,
             key: Callable[[dict[str, Any]], Any]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        value = key(record)
        if value is not None:
            groups.setdefault(str(value), []).append(record)
    return {name: _group_metrics(groups[name], mode) for name in sorted(groups, key=_natural_key)}


def _natural_key(name: str) -> tuple[int, int | str]:
    return (0, int(name)) if name.isdigit() else (1, name)


def _group_metrics(records: Sequence[dict[str, Any]], mode: str) -> dict[str, Any]:
    results = [record["modes"][mode] for record in records if mode in record.get("modes", {})]
    count = len(results)
    metrics: dict[str, Any] = {
        "count": count,
        "errors": sum(1 for result in results if result.get("error")),
        "hits_at_1": _mean(result["hits_at_1"] for result in results),
        "abstained": _mean(float(result["abstained"]) for result in results),
    }
    if mode == "graph":
        for name in _SET_METRICS:
            metrics[name] = _mean(result[name] for result in results)
    else:
        for verdict in _GENERATED_VERDICTS:
            metrics[verdict] = _mean(float(result.get("verdict") == verdict) for result in results)
        metrics["model_contradicted"] = _mean(float(result.get("model_verdict") == "contradicted")
                                              for result in results)
        metrics["fell_back"] = _mean(float(result.get("source") == "fact_sentence") for result in results)

    linked = [record for record in records
              if record.get("topic_linked") is not None and mode in record.get("modes", {})]
    metrics["linking_count"] = len(linked)
    metrics["linking_accuracy"] = _mean(float(record["topic_linked"]) for record in linked)
    metrics["linking_alone"] = _mean(float(bool(record.get("topic_linked_alone"))) for record in linked)

    latencies = [result["latency_ms"] for result in results if result.get("latency_ms") is not None]
    metrics["latency_ms"] = {"p50": _rounded(percentile(latencies, 50)),
                             "p95": _rounded(percentile(latencies, 95)),
                             "mean": _rounded(sum(latencies) / len(latencies) if latencies else None)}
    return metrics


def _mean(values) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def _rounded(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


# Text output.

_COLUMNS = [
    ("questions", "count", "{:d}"),
    ("Hits@1", "hits_at_1", "{:.1%}"),
    ("exact", "exact_match", "{:.1%}"),
    ("F1", "f1", "{:.1%}"),
    ("abstained", "abstained", "{:.1%}"),
    ("contradicted", "contradicted", "{:.1%}"),
    ("unverifiable", "unverifiable", "{:.1%}"),
    ("linking", "linking_accuracy", "{:.1%}"),
    ("linked alone", "linking_alone", "{:.1%}"),
    ("errors", "errors", "{:d}"),
]


def format_table(summary: dict[str, Any]) -> str:
    """Render the overall metrics of each mode as a Markdown table ("-" where a metric does not apply)."""
    header = ["mode"] + [title for title, _key, _form in _COLUMNS] + ["p50 ms", "p95 ms"]
    rows = []
    for mode, groups in summary["modes"].items():
        rows.append([mode] + _metric_cells(groups["overall"]))
    lines = [_row(header), _row(["---"] * len(header))] + [_row(row) for row in rows]
    for title, key in (("hop", "by_hop"), ("category", "by_category")):
        table = _group_table(summary, title, key)
        if table:
            lines += ["", *table]
    return "\n".join(lines)


def _metric_cells(metrics: dict[str, Any]) -> list[str]:
    cells = [_cell(metrics.get(key), form) for _title, key, form in _COLUMNS]
    latency = metrics["latency_ms"]
    cells += [_cell(latency["p50"], "{:,.0f}"), _cell(latency["p95"], "{:,.0f}")]
    return cells


def _group_table(summary: dict[str, Any], title: str, key: str) -> list[str]:
    """Return a table of Hits@1 with one row per hop or category and one column per mode."""
    modes = list(summary["modes"])
    names: list[str] = []
    for mode in modes:
        names += [name for name in summary["modes"][mode][key] if name not in names]
    if not names:
        return []

    header = [title] + [f"{mode} Hits@1" for mode in modes] + ["questions"]
    lines = [_row(header), _row(["---"] * len(header))]
    for name in names:
        groups = [summary["modes"][mode][key].get(name, {}) for mode in modes]
        count = max(group.get("count", 0) for group in groups)
        lines.append(_row([name] + [_cell(group.get("hits_at_1"), "{:.1%}") for group in groups]
                          + [str(count)]))
    return lines


def _cell(value: Any, form: str) -> str:
    return "-" if value is None else form.format(value)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


# Files.

def write_report(out_dir: Path, summary: dict[str, Any], records: Sequence[dict[str, Any]]) -> list[Path]:
    """Write summary.json, report.md, accuracy.png and latency.png into ``out_dir``; return their paths."""
    out_dir = Path(out_dir)
    summary_path = out_dir / "summary.json"
    summary_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    report_path = out_dir / "report.md"
    report_path.write_text(_report_markdown(summary, records), encoding="utf-8")
    charts = [_accuracy_chart(out_dir / "accuracy.png", summary),
              _latency_chart(out_dir / "latency.png", summary, records)]
    log.info("wrote the evaluation report to %s", out_dir)
    return [summary_path, report_path, *charts]


def _report_markdown(summary: dict[str, Any], records: Sequence[dict[str, Any]]) -> str:
    config = summary["config"]
    lines = [
        "# Evaluation report",
        "",
        f"Questions: {summary['questions']} from `{config.get('questions_file', '?')}`, "
        f"graph `{config.get('graph', '?')}`, topics {config.get('topics', '?')}"
        + (", brackets stripped" if config.get("strip_brackets") else "")
        + (f", examples `{config['examples_file']}`" if config.get("examples_file") else "")
        + (f", sample {config['sample']} (seed {config.get('seed', 0)})" if config.get("sample") else "")
        + ".",
        "",
        "Hits@1 in graph mode: the first answer label is a gold answer. In the generated modes: a gold "
        "label occurs in the text. Exact and F1 compare answer sets (graph mode only). Contradicted and "
        "unverifiable are shares of final texts with that verdict against the graph. Linking: share of "
        "questions whose gold topic was linked, when the linker had to find it. Linked alone: share "
        "whose gold topic was the only linked entity.",
        "",
        format_table(summary),
        "",
        "![Hits@1 per mode](accuracy.png)",
        "",
        "![Latency per mode](latency.png)",
        "",
        "## Failures",
    ]
    for mode in summary["modes"]:
        lines += ["", f"### {mode}", ""]
        lines += _failure_lines(records, mode)
    return "\n".join(lines) + "\n"


def _failure_lines(records: Sequence[dict[str, Any]], mode: str) -> list[str]:
    failures = [record for record in records
                if mode in record.get("modes", {}) and not record["modes"][mode]["hits_at_1"]]
    if not failures:
        return ["No failures."]

    shown = random.Random(0).sample(failures, min(FAILURES_SHOWN, len(failures)))
    lines = [f"{len(failures)} failed; {len(shown)} of them, picked at random (seed 0):", ""]
    for record in shown:
        result = record["modes"][mode]
        gold = ", ".join(record["gold"]) or "(none: abstaining is right)"
        got = result.get("error") or result.get("text") or "(no answer)"
        linked = ", ".join(record.get("linked", [])) or "nothing"
        lines += [f"- **{record['id']}** {record['question']}",
                  f"  - gold: {gold}",
                  f"  - {mode}: {_one_line(got)}",
                  f"  - linked: {linked}"
                  + (f"; path: {result['path']}" if result.get("path") else "")]
        for triple in result.get("evidence", []):
            lines.append(f"  - evidence: {_triple_text(triple)}")
    return lines


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 3] + "..."


def _triple_text(triple: dict[str, Any]) -> str:
    parts = []
    for position in ("subject", "predicate", "object"):
        term = triple[position]
        iri = term.get("iri")
        parts.append(f"{term['label']} <{iri}>" if iri else f"\"{term['label']}\"")
    return " ".join(parts)


def _accuracy_chart(path: Path, summary: dict[str, Any]) -> Path:
    """Draw Hits@1 per mode as grouped bars: one group per hop count (or category, or overall)."""
    plt = _pyplot()
    modes = list(summary["modes"])
    key = next((key for key in ("by_hop", "by_category")
                if any(summary["modes"][mode][key] for mode in modes)), None)
    groups = list(summary["modes"][modes[0]][key]) if key else ["all"]

    figure, axes = plt.subplots(figsize=(max(6.0, 1.2 * len(groups) * len(modes) / 2 + 2), 4))
    width = 0.8 / len(modes)
    for index, mode in enumerate(modes):
        metrics = summary["modes"][mode][key] if key else {"all": summary["modes"][mode]["overall"]}
        values = [(metrics.get(group, {}).get("hits_at_1") or 0.0) * 100 for group in groups]
        offset = (index - (len(modes) - 1) / 2) * width
        positions = [group_index + offset for group_index in range(len(groups))]
        axes.bar(positions, values, width, label=mode)
    axes.set_xticks(range(len(groups)))
    axes.set_xticklabels([f"{group}-hop" if key == "by_hop" else group for group in groups])
    axes.set_ylabel("Hits@1 (%)")
    axes.set_ylim(0, 100)
    axes.set_title("Hits@1 per mode")
    # Below the axes, so that the legend never covers a bar at 100%.
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=len(modes), frameon=False)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def _latency_chart(path: Path, summary: dict[str, Any], records: Sequence[dict[str, Any]]) -> Path:
    """Draw the latency distribution of each mode as box plots on a log scale."""
    plt = _pyplot()
    modes = list(summary["modes"])
    data = [[record["modes"][mode]["latency_ms"] for record in records
             if mode in record.get("modes", {}) and record["modes"][mode].get("latency_ms")]
            for mode in modes]

    figure, axes = plt.subplots(figsize=(max(5.0, 1.5 * len(modes) + 2), 4))
    # Box plots of empty lists draw nothing, but keep the mode's slot on the axis.
    axes.boxplot([values or [float("nan")] for values in data], showfliers=True)
    axes.set_xticks(range(1, len(modes) + 1))
    axes.set_xticklabels(modes)
    if any(values for values in data):
        axes.set_yscale("log")
    axes.set_ylabel("latency (ms)")
    axes.set_title("Latency per mode")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def _pyplot():
    """Import pyplot with the Agg backend, which draws PNG files without a display."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
