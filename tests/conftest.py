"""Shared fixtures: the shipped graph is parsed once per session."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rdflib import Graph

import pnet_kg

REPO = Path(__file__).resolve().parents[1]
INPUT = Path(__file__).resolve().parent / "input"
#: The folder of the five source documents: users never have it, so the tests that read them
#: take it from PNET_KG_SOURCES (``.ci/run`` sets it when the folder is beside the checkout)
#: and are skipped, saying why, without it.
SOURCES_ENV = os.environ.get("PNET_KG_SOURCES")
SOURCES = Path(SOURCES_ENV) if SOURCES_ENV else None


@pytest.fixture(scope="session")
def graph() -> Graph:
    """The merged shipped graph (read-only: tests must not modify it)."""
    return pnet_kg.load()


def run_cli(*args: str, input: str | None = None, cwd: Path | None = None,
            new_process: bool = False) -> subprocess.CompletedProcess[str]:
    """Run ``pnet-kg ARGS`` as a user would, through the script's entry point ``main``.

    In this process by default (the same code path, without a second of interpreter start-up and
    graph loading a call), with standard input, output and error captured; ``new_process=True``
    runs ``python -m pnet_kg`` for the tests that need a real process (signals, file descriptors).
    """
    if new_process:
        return subprocess.run([sys.executable, "-m", "pnet_kg", *args], capture_output=True, text=True,
                              input=input, cwd=cwd, timeout=600)
    from click.testing import CliRunner

    from pnet_kg.cli import main

    handler, here = signal.getsignal(signal.SIGTERM), Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with CliRunner().isolation(input=input) as (out, err, _):
            try:
                main(list(args))
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            stdout, stderr = out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace")
    finally:
        os.chdir(here)
        signal.signal(signal.SIGTERM, handler)
    return subprocess.CompletedProcess(["pnet-kg", *args], code, stdout, stderr)


def invoke(*args: str) -> tuple[int, str, str]:
    """``pnet-kg ARGS`` in process (see :func:`run_cli`): exit code, standard output, standard error."""
    result = run_cli(*args)
    return result.returncode, result.stdout, result.stderr


@contextmanager
def writable_oxigraph(location: Path) -> Iterator[str]:
    """A writable Oxigraph server (union default graph) on a free port of 127.0.0.1.

    Yields its base URL (``store`` for the Graph Store Protocol, ``query`` for SPARQL) and
    stops it by its process id.
    """
    from pnet_kg.serve import free_port, oxigraph_binary

    port = free_port()
    process = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(location),
                                "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "query?query=ASK%7B%7D", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
