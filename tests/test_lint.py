"""The code passes ruff with the configuration in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ruff is installed with the test extra, next to the interpreter that runs the suite.
RUFF = Path(sys.executable).parent / "ruff"


def test_ruff_clean():
    result = subprocess.run([str(RUFF), "check", "kgqa", "tests", "bench", "graphs", "server.py"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
