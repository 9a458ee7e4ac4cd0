"""Shared fixtures: the shipped graph is parsed once per session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

import pnet_kg

REPO = Path(__file__).resolve().parents[1]
INPUT = Path(__file__).resolve().parent / "input"
#: The five source documents live beside the checkout (shared/sources), as in CI.
SHARED = Path(os.environ.get("PNET_KG_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def graph() -> Graph:
    """The merged shipped graph (read-only: tests must not modify it)."""
    return pnet_kg.load()


def run_cli(*args: str, input: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``pnet-kg ARGS`` in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "pnet_kg", *args], capture_output=True, text=True, input=input,
        cwd=cwd, timeout=600,
    )
