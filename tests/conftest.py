"""Shared fixtures: settings in a temporary data folder, the real embedding model and spaCy pipeline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Set before torch or llama.cpp loads OpenMP: busy-waiting threads slow shared CPUs down.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

CASES_DIR = Path(__file__).parent / "data" / "cases"


@pytest.fixture
def cases_dir() -> Path:
    """Folder of the acceptance cases (one sub-folder per case)."""
    return CASES_DIR


@pytest.fixture
def settings(tmp_path):
    """Settings whose data folder is a fresh temporary directory."""
    from kgqa.settings import Settings

    return Settings(environ={}, data_dir=str(tmp_path / "data"))


@pytest.fixture(scope="session")
def embedder():
    """The real all-MiniLM-L6-v2 model, loaded once per test session."""
    from kgqa.embedding import Embedder

    return Embedder()
