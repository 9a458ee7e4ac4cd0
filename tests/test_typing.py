"""The package is typed (``py.typed``): keep ``mypy --strict`` clean, as applications rely on it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_mypy_strict_is_clean(tmp_path: Path) -> None:
    # The settings (strict, files) live in pyproject.toml; a fresh cache dir keeps runs independent.
    out = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache")],
                         cwd=REPO, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
