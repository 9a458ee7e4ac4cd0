"""The wheel carries the data: install it into a fresh environment and load the graph from there."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_data_and_loads_outside_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(REPO)],
                   check=True, capture_output=True, timeout=600)
    [wheel] = dist.glob("pnet_kg-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for required in ("pnet_kg/data/ontology/catalog-v001.xml", "pnet_kg/data/ontology/pnet-kg.ttl", "pnet_kg/py.typed"):
        assert required in names
    assert any(n.startswith("pnet_kg/data/shapes/") for n in names)
    assert any(n.startswith("pnet_kg/data/queries/") for n in names)

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # --no-deps: the dependencies come from this interpreter's site-packages (no network needed);
    # the project itself only from the wheel.
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, timeout=600)
    deps = sysconfig.get_paths()["purelib"]
    probe = "import pnet_kg; g = pnet_kg.load(); print(pnet_kg.__file__); print(len(g))"
    out = subprocess.run([str(python), "-c", probe],
                         capture_output=True, text=True, cwd=tmp_path, timeout=600,
                         env={"PYTHONPATH": deps, "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    location, triples = out.stdout.split()
    assert str(env_dir) in location and str(REPO) not in location
    assert int(triples) > 1000
