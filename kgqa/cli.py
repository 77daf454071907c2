"""Command line: load graphs, list them, ask questions, add examples, run the demo.

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
    """Settings and a lazily built engine, shared by every subcommand."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engine = None

    @property
    def engine(self):
        if self._engine is None:
            from kgqa.answering.engine import Engine

            self._engine = Engine(self.settings)
        return self._engine


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


@cli.command()
@click.argument("question")
@click.option("--graph", help="Graph to ask (default: every loaded graph; the best answer wins).")
@click.option("--top-k", type=int, default=None, help="Evidence triples to keep (default KGQA_TOP_K).")
@click.option("--json", "as_json", is_flag=True, help="Print the full answer object as JSON.")
@click.pass_obj
def ask(obj: _Context, question: str, graph: str | None, top_k: int | None, as_json: bool) -> None:
    """Answer QUESTION from the graph, with the evidence triples."""
    answer = obj.engine.ask(question, graph=graph, top_k=top_k)
    if as_json:
        click.echo(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(format_answer(answer.to_dict()))


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
    click.echo(f"Added {count} examples to graph '{graph}'.")


@cli.command()
@click.option("--graphs-dir", type=click.Path(file_okay=False), default=None,
              help="Folder of the bundled graphs (default: graphs/ beside the package).")
@click.pass_obj
def demo(obj: _Context, graphs_dir: str | None) -> None:
    """Load the bundled graphs and answer their sample questions."""
    from kgqa.demo import run_demo

    run_demo(obj.engine, Path(graphs_dir) if graphs_dir else None, echo=click.echo)


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
    for triple in answer["evidence"]:
        graph = f"  [graph {triple['graph']}]" if triple["graph"] else ""
        lines.append("  evidence: " + " ".join(_term_text(triple[part])
                                               for part in ("subject", "predicate", "object")) + graph)
    lines.append(f"  graph: {answer['graph']}  confidence: {answer['confidence']:.2f}  "
                 f"time: {answer['timings_ms'].get('total', 0):.0f} ms")
    return "\n".join(lines)


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
        self._started = time.monotonic()
        self._bar = None
        self._stage = ""

    def __call__(self, stage: str, done: int, total: int | None) -> None:
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
