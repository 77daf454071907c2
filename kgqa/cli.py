"""Command line: load graphs, list them, ask questions, add examples, evaluate, run the demo.

This is a thin face over ``kgqa.answering.engine.Engine``; it holds no QA
logic. Errors print one line (``error: ...``) and exit with status 2; with
``--json`` they print the JSON error shape instead.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from kgqa.errors import KgqaError
from kgqa.settings import Settings

__all__ = ["main"]

log = logging.getLogger(__name__)

EXIT_USAGE = 2


class _Context:
    """Settings, a lazily built engine and the answer modes, shared by every subcommand."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engine = None
        self._modes = None

    @property
    def engine(self):
        if self._engine is None:
            from kgqa.answering.engine import Engine

            self._engine = Engine(self.settings)
        return self._engine

    @property
    def modes(self):
        """The four answer modes over the engine; the generative model loads on first use."""
        if self._modes is None:
            from kgqa.verification.modes import AnswerModes

            self._modes = AnswerModes(self.engine)
        return self._modes


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Third-party model loaders are chatty at INFO; kgqa's own messages are what users want.
    for noisy in ("sentence_transformers", "transformers", "httpx", "huggingface_hub"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="Folder of the graph store (overrides KGQA_DATA_DIR).")
@click.option("--log-level", default=None, help="Logging level (overrides KGQA_LOG_LEVEL).")
@click.pass_context
def cli(ctx: click.Context, data_dir: str | None, log_level: str | None) -> None:
    """Answer questions over domain knowledge graphs, with the evidence triples."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        settings = Settings(data_dir=data_dir, log_level=log_level.upper() if log_level else None)
    except KgqaError as error:
        raise click.ClickException(error.message) from error
    _configure_logging(settings.log_level)
    ctx.obj = _Context(settings)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--name", help="Graph name (default: the first file's name without extension).")
@click.option("--format", "fmt", help="Format of every file, overriding the extension "
              "(turtle, nt, nquads, trig, xml, json-ld, n3, csv, tsv, pipe).")
@click.pass_obj
def load(obj: _Context, files: tuple[str, ...], name: str | None, fmt: str | None) -> None:
    """Load FILES into one graph, replacing any graph of the same name."""
    paths = [Path(file) for file in files]
    name = name or paths[0].name.split(".")[0]
    progress = _ProgressBar(obj.settings.progress_after_s)
    try:
        info = obj.engine.load(paths, name=name, fmt=fmt, progress=progress)
    finally:
        progress.close()
    click.echo(f"Loaded graph '{info.name}': {info.triples} triples, {info.entities} entities, "
               f"{info.relations} relations from {len(paths)} file(s).")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_obj
def graphs(obj: _Context, as_json: bool) -> None:
    """List the loaded graphs with their sizes."""
    infos = [obj.engine.graph_info(name) for name in obj.engine.graph_names()]
    if as_json:
        click.echo(json.dumps([info.to_dict() for info in infos], indent=2))
        return
    if not infos:
        click.echo("No graph is loaded. Load one with: kgqa load FILE --name NAME")
        return
    click.echo(f"{'name':<20} {'triples':>9} {'entities':>9} {'relations':>9}  loaded at")
    for info in infos:
        click.echo(f"{info.name:<20} {info.triples:>9} {info.entities:>9} {info.relations:>9}  "
                   f"{info.loaded_at}")


MODES = ("graph", "ungrounded", "grounded", "corrected")


@cli.command()
@click.argument("question")
@click.option("--graph", help="Graph to ask (default: every loaded graph; the best answer wins).")
@click.option("--mode", type=click.Choice(MODES), default="graph", show_default=True,
              help="graph: facts alone; ungrounded: the model alone; grounded: the model given "
                   "the facts; corrected: the model's answer checked against the graph and fixed.")
@click.option("--draft", help="With --mode corrected: the text to check and correct "
              "(default: the model's ungrounded answer).")
@click.option("--top-k", type=int, default=None, help="Evidence triples to keep (default KGQA_TOP_K).")
@click.option("--json", "as_json", is_flag=True, help="Print the full answer object as JSON.")
@click.pass_obj
def ask(obj: _Context, question: str, graph: str | None, mode: str, draft: str | None,
        top_k: int | None, as_json: bool) -> None:
    """Answer QUESTION, with the evidence triples."""
    if draft is not None and mode != "corrected":
        raise click.UsageError("--draft needs --mode corrected.")
    if mode == "graph":
        answer = obj.engine.ask(question, graph=graph, top_k=top_k)
        _echo(answer.to_dict(), as_json, format_answer)
        return

    result = obj.modes.run(mode, question, graph=graph, top_k=top_k, draft=draft)
    _echo(result.to_dict(), as_json, format_mode_result)


@cli.command()
@click.argument("question")
@click.option("--graph", help="Graph to ask (default: every loaded graph).")
@click.option("--top-k", type=int, default=None, help="Evidence triples to keep (default KGQA_TOP_K).")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@click.pass_obj
def compare(obj: _Context, question: str, graph: str | None, top_k: int | None, as_json: bool) -> None:
    """Answer QUESTION in all four modes side by side, each with its verdict against the graph."""
    comparison = obj.modes.compare(question, graph=graph, top_k=top_k)
    _echo(comparison.to_dict(), as_json, format_comparison)


@cli.command()
@click.argument("question")
@click.argument("draft")
@click.option("--graph", help="Graph to check against (default: every loaded graph).")
@click.option("--json", "as_json", is_flag=True, help="Print the verification as JSON.")
@click.pass_obj
def verify(obj: _Context, question: str, draft: str, graph: str | None, as_json: bool) -> None:
    """Check each factual claim of DRAFT, an answer to QUESTION, against the graph."""
    verification = obj.modes.verify(question, draft, graph=graph)
    _echo(verification.to_dict(), as_json, format_verification)


def _echo(payload: dict[str, Any], as_json: bool, formatter) -> None:
    if as_json:
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        click.echo(formatter(payload))


@cli.group()
def examples() -> None:
    """Manage the question/answer examples that teach a graph's relation paths."""


@examples.command("add")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--graph", required=True, help="Graph the examples belong to.")
@click.pass_obj
def examples_add(obj: _Context, file: str, graph: str) -> None:
    """Add question/answer pairs from FILE (MetaQA lines or JSONL) to a graph."""
    count = obj.engine.add_examples(Path(file), graph=graph)
    click.echo(f"Added {count} example{'s' if count != 1 else ''} to graph '{graph}'.")


@cli.command("eval")
@click.argument("questions_file", metavar="QUESTIONS", type=click.Path(dir_okay=False))
@click.option("--graph", required=True, help="Loaded graph to ask.")
@click.option("--modes", default="graph", show_default=True,
              help="Comma-separated answer modes to score: graph, ungrounded, grounded, corrected.")
@click.option("--examples", "examples_file", type=click.Path(dir_okay=False), default=None,
              help="Question/answer pairs to add to the graph first (skipped when the same file "
                   "was added before). Examples stay with the graph.")
@click.option("--topics", type=click.Choice(["given", "linked"]), default=None,
              help="given: pass each question's known topic entity to the engine; linked: let the "
                   "linker find it and score the linking (default: given for MetaQA lines, linked "
                   "for .jsonl and .csv sets and with --strip-brackets).")
@click.option("--strip-brackets", is_flag=True,
              help="Remove the [brackets] around MetaQA topics, keeping their text.")
@click.option("--hop", type=int, default=None,
              help="Hop count of MetaQA questions (default: from an N-hop folder in the path).")
@click.option("--sample", type=int, default=None, help="Evaluate a random sample of this many questions.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of --sample.")
@click.option("--limit", type=int, default=None,
              help="Evaluate at most this many questions, the first ones after --sample.")
@click.option("--top-k", type=int, default=None, help="Evidence triples to keep (default KGQA_TOP_K).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Folder for results.jsonl, summary.json, report.md and the charts; a rerun "
                   "resumes there (default: eval-results/GRAPH-QUESTIONS).")
@click.option("--progress/--no-progress", default=True, show_default=True,
              help="Show a progress bar with the time left on stderr.")
@click.pass_obj
def eval_command(obj: _Context, questions_file: str, graph: str, modes: str, examples_file: str | None,
                 topics: str | None, strip_brackets: bool, hop: int | None, sample: int | None, seed: int,
                 limit: int | None, top_k: int | None, out_dir: str | None, progress: bool) -> None:
    """Score the answers to the questions in QUESTIONS (MetaQA lines, .jsonl or .csv) in each mode."""
    from kgqa.evaluation import EvalConfig, evaluate
    from kgqa.evaluation.report import format_table
    from kgqa.evaluation.runner import RESULTS_FILE, default_topics

    config = EvalConfig(
        questions_file=str(Path(questions_file).resolve()), graph=graph,
        modes=tuple(dict.fromkeys(mode.strip() for mode in modes.split(",") if mode.strip())),
        topics=topics or default_topics(questions_file, strip_brackets), strip_brackets=strip_brackets,
        top_k=top_k, examples_file=str(Path(examples_file).resolve()) if examples_file else None,
        sample=sample, seed=seed, limit=limit,
    )
    out = Path(out_dir) if out_dir else Path("eval-results") / f"{graph}-{Path(questions_file).stem}"
    results_file = out / RESULTS_FILE
    if results_file.is_file():
        with results_file.open(encoding="utf-8") as lines:
            done = sum(1 for line in lines if line.strip())
        if done:
            click.echo(f"Resuming the run in {out}: {done} records are already there.", err=True)
    summary = evaluate(obj.engine, config, out, hop=hop, progress=progress, answer_modes=obj.modes)
    click.echo(format_table(summary))
    click.echo(f"\nReport: {out / 'report.md'} ({summary['questions']} questions)")


@cli.command()
@click.option("--graphs-dir", type=click.Path(file_okay=False), default=None,
              help="Folder of the bundled graphs (default: graphs/ beside the package).")
@click.pass_obj
def demo(obj: _Context, graphs_dir: str | None) -> None:
    """Load the bundled graphs, answer their sample questions, then compare and correct model answers."""
    from kgqa.demo import run_demo

    run_demo(obj.engine, Path(graphs_dir) if graphs_dir else None, echo=click.echo, modes=obj.modes)


@cli.command()
@click.option("--host", default=None, help="Address to listen on (overrides KGQA_HOST).")
@click.option("--port", type=int, default=None, help="TCP port to listen on (overrides KGQA_PORT).")
@click.option("--workers", type=int, default=None,
              help="Worker processes; each loads the models and graphs (overrides KGQA_WORKERS).")
@click.pass_obj
def serve(obj: _Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the HTTP API under gunicorn until stopped with Ctrl-C or SIGTERM.

    Each worker loads the models and prepares every stored graph before it
    answers its first request; GET /ready reports when that is done.
    """
    from kgqa.service.serving import gunicorn_options
    from kgqa.service.serving import serve as run_server

    # The default log level (WARNING) hides the server's own start line, so print the address here.
    options = gunicorn_options(obj.settings, host=host, port=port, workers=workers)
    click.echo(f"Serving on http://{options['bind']} with {options['workers']} workers; "
               "GET /ready answers 200 once they have loaded. Ctrl-C stops the server.", err=True)
    run_server(obj.settings, host=host, port=port, workers=workers)
    click.echo("Server stopped.", err=True)


@cli.command("settings")
def settings_command() -> None:
    """Print every KGQA_ setting with its default, unit and meaning, as a Markdown table."""
    from kgqa.settings import settings_markdown

    click.echo(settings_markdown())


def format_answer(answer: dict[str, Any]) -> str:
    """Render an answer object as a few readable lines: answer, links, path and evidence."""
    lines = [answer["text"] or "(no answer)"]
    for entity in answer["linked_entities"]:
        target = entity["entity"]
        lines.append(f"  linked: '{entity['mention']}' -> {target['label']} "
                     f"<{target.get('iri', target.get('id', ''))}> ({entity['method']}, "
                     f"{entity['score']:.2f})")
    if answer["path"]:
        lines.append(f"  path: {answer['path']['verbalization']} (score {answer['path']['score']:.2f})")
    lines.extend(_evidence_lines(answer["evidence"]))
    lines.append(f"  graph: {answer['graph']}  confidence: {answer['confidence']:.2f}  "
                 f"time: {answer['timings_ms'].get('total', 0):.0f} ms")
    return "\n".join(lines)


def format_mode_result(result: dict[str, Any]) -> str:
    """Render one mode's answer: text, verdict, where the text came from, claims and evidence."""
    lines = [f"[{result['mode']}] {result['text']}",
             f"  verdict: {result['verdict']}  (text from: {result['source']})"]
    if result.get("draft"):
        lines.append(f"  draft: {result['draft']}")
    lines.extend(_claim_lines(result["claims"]))
    lines.extend(_evidence_lines(result["evidence"]))
    # Problems are codes that the notes already explain in words.
    for note in result.get("notes", []):
        lines.append(f"  note: {note}")
    lines.append(f"  time: {sum(result['timings_ms'].values()):.0f} ms")
    return "\n".join(lines)


def format_comparison(comparison: dict[str, Any]) -> str:
    """Render the four modes one after another, then the claims they disagree on."""
    blocks = [f"Q: {comparison['question']}  (graph: {comparison['graph']})"]
    for result in comparison["modes"].values():
        blocks.append(format_mode_result(result))
    for difference in comparison["differences"]:
        verdicts = ", ".join(f"{mode}: {verdict or '-'}" for mode, verdict in difference["verdicts"].items())
        blocks.append(f"differs: '{difference['text']}' ({verdicts})")
    return "\n\n".join(blocks)


def format_verification(verification: dict[str, Any]) -> str:
    """Render a draft's overall verdict and each claim's verdict with the graph's values."""
    lines = [f"verdict: {verification['verdict']}"]
    lines.extend(_claim_lines(verification["claims"]))
    lines.extend(_evidence_lines(verification["evidence"]))
    for note in verification.get("notes", []):
        lines.append(f"  note: {note}")
    return "\n".join(lines)


def _claim_lines(claims: list[dict[str, Any]]) -> list[str]:
    lines = []
    for claim in claims:
        source = "exact" if claim.get("kind") == "arithmetic" else "graph"
        values = claim.get("graph_values")
        graph_values = f" ({source}: {', '.join(values)})" if values else ""
        lines.append(f"  claim '{claim['text']}': {claim['verdict']}{graph_values}")
    return lines


def _evidence_lines(evidence: list[dict[str, Any]]) -> list[str]:
    lines = []
    for triple in evidence:
        graph = f"  [graph {triple['graph']}]" if triple["graph"] else ""
        lines.append("  evidence: " + " ".join(_term_text(triple[part])
                                               for part in ("subject", "predicate", "object")) + graph)
    return lines


def _term_text(term: dict[str, Any]) -> str:
    if term["kind"] == "literal":
        datatype = term["datatype"].rsplit("#", 1)[-1] if term["datatype"] else None
        return f'"{term["label"]}"' + (f" ({datatype})" if datatype else "")
    if term["kind"] == "bnode":
        return term["label"]
    return f"{term['label']} <{term['iri']}>"


class _ProgressBar:
    """A progress callback that shows a tqdm bar once a load has run for ``after_s`` seconds."""

    # The store reports parsing in bytes, indexing in steps and writing in triples.
    _UNITS = {"parse": ("B", True), "index": ("step", False), "write": ("triple", False)}

    def __init__(self, after_s: float) -> None:
        self._after_s = after_s
        # Started at the first report, so start-up (imports, opening the store) is not counted.
        self._started: float | None = None
        self._bar = None
        self._stage = ""

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if self._started is None:
            self._started = time.monotonic()
        if self._bar is None and time.monotonic() - self._started < self._after_s:
            return
        if self._bar is None or stage != self._stage:
            self.close()
            from tqdm import tqdm

            unit, scale = self._UNITS.get(stage, ("it", False))
            self._bar = tqdm(total=total, desc=stage, unit=unit, unit_scale=scale, file=sys.stderr,
                             leave=False)
            self._stage = stage
        self._bar.total = total
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (0 ok, 2 usage or input error)."""
    # llama.cpp's OpenMP threads busy-wait by default, which makes generation several times
    # slower when the cores are shared. The library reads this variable once, when it loads.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    as_json = "--json" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="kgqa", standalone_mode=False)
    except KgqaError as error:
        if as_json:
            click.echo(json.dumps(error.to_dict(), indent=2, ensure_ascii=False))
        else:
            click.echo(f"error: {error.message}", err=True)
        return EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.ClickException as error:
        error.show()
        return error.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
