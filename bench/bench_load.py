"""Time loading a graph into the store, and opening it again from a fresh process.

Usage::

    .venv/bin/python bench/bench_load.py /path/to/kb.txt [--format pipe] [--data-dir DIR]

The load runs in this process. The reopen runs in a new Python process, so
it measures what a restarted service pays: reading the manifest, opening the
Oxigraph folder and unpickling the label index and nx_graph. Without
``--data-dir`` the store lives in a temporary folder that is removed at the
end.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kgqa.graph.store import GraphStore  # noqa: E402
from kgqa.settings import Settings  # noqa: E402

_REOPEN = """
import json, sys, time
started = time.perf_counter()
sys.path.insert(0, {repo!r})
from kgqa.graph.store import GraphStore
from kgqa.settings import Settings
imported = time.perf_counter()
store = GraphStore(Settings(environ={{}}, data_dir={data_dir!r}))
kg = store.open({name!r})
opened = time.perf_counter()
print(json.dumps({{"import_s": imported - started, "open_s": opened - imported,
                  "nodes": kg.nx_graph.number_of_nodes(), "edges": kg.nx_graph.number_of_edges()}}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="graph file to load")
    parser.add_argument("--name", default="bench", help="graph name (default: bench)")
    parser.add_argument("--format", dest="fmt", default=None,
                        help="format name, if the extension does not tell it")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="store folder to use (default: a temporary folder)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kgqa-bench-") as temporary:
        data_dir = str(args.data_dir or temporary)
        store = GraphStore(Settings(environ={}, data_dir=data_dir))

        started = time.perf_counter()
        info = store.load(args.name, [args.path], fmt=args.fmt)
        load_s = time.perf_counter() - started
        store.close()

        script = _REOPEN.format(repo=str(REPO), data_dir=data_dir, name=args.name)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", script], check=True,
                                capture_output=True, text=True)
        reopen_wall_s = time.perf_counter() - started
        reopen = json.loads(result.stdout.strip().splitlines()[-1])

    print(f"file:            {args.path} ({args.path.stat().st_size / 1e6:.1f} MB)")
    print(f"graph:           {info.triples} triples, {info.entities} entities, "
          f"{info.relations} relations")
    print(f"load:            {load_s:.2f} s (parse, derive, write, switch)")
    print(f"reopen (open()): {reopen['open_s']:.2f} s in a new process, from the cache")
    print(f"reopen (wall):   {reopen_wall_s:.2f} s including interpreter start "
          f"and imports ({reopen['import_s']:.2f} s)")
    print(f"nx_graph:        {reopen['nodes']} nodes, {reopen['edges']} edges")
    return 0


if __name__ == "__main__":
    sys.exit(main())
