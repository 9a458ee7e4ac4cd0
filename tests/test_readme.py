"""README examples run as written (issue 18).

Every ``pnet-kg ...`` command in the README's shell blocks is run, in README order, in one
temporary folder holding the files the README shows (a block whose info string names a file,
```` ```csv cases.csv ````) and those its earlier commands write. A command must exit 0, or 2 when the
README shows an error, or the code its comment names (``# exit 1``); where the README shows
output, the command prints that output. Commands that start servers or need a store the user
runs are in :data:`NOT_RUN`, with the reason. Figures (the shipped graph's triple count, the
``pnet-kg stats`` counts) are checked against :func:`pnet_kg.load` and :func:`pnet_kg.stats`.

The whole README runs as one slow test; its query commands also run in process as fast tests.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO
from rdflib import Graph

import pnet_kg
from pnet_kg.cli import main

README = REPO / "README.md"
#: Commands the README shows that the tests do not run from here, each with the reason.
NOT_RUN: dict[str, str] = {
    "pnet-kg serve": "starts a server that runs until stopped (tests/test_serve.py starts and stops it)",
    "pnet-kg push": "needs a writable triple store (tests/test_serve.py pushes to a real Oxigraph server)",
    "--endpoint http://localhost:": "queries a triple store the user runs (Fuseki, GraphDB, Oxigraph)",
    "pnet-kg query NAME [": "a synopsis of the options, not a command",
}
#: Info strings of blocks that hold shell commands.
SHELL = {"", "console", "shell", "sh", "bash"}
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.S | re.M)
COMMAND = re.compile(r"^((?:[A-Z_]+=\S*\s+)*)pnet-kg(\s.*)?$")


@dataclass
class Example:
    line: int  #: README line of the command
    text: str  #: the command as the README shows it
    argv: list[str]
    env: dict[str, str]
    output: list[str] | None  #: the output the README shows, if any
    exit_code: int
    not_run: str | None = field(default=None)

    @property
    def id(self) -> str:
        return f"L{self.line}:{' '.join(self.argv)[:50]}"


def shown_files(text: str) -> dict[str, str]:
    """Files whose content the README shows: a block with an info string ``LANG NAME``."""
    files = {}
    for match in FENCE.finditer(text):
        words = match.group(1).split()
        if len(words) == 2 and "." in words[1]:
            files[words[1]] = match.group(2)
    return files


def _example(text: str, line: int, output: list[str] | None) -> Example | None:
    command = text[2:] if text.startswith("$ ") else text
    match = COMMAND.match(command.strip())
    if match is None:
        return None
    words = shlex.split(match.group(2) or "", comments=True)
    comment = command.partition(" #")[2]
    stated = re.search(r"\bexit (?:code )?(\d+)", comment)
    shows_error = bool(output) and output[0].startswith("pnet-kg: error:")  # type: ignore[index]
    exit_code = int(stated.group(1)) if stated else 2 if shows_error else 0
    env = dict(w.split("=", 1) for w in match.group(1).split())
    reason = next((why for key, why in NOT_RUN.items() if key in command), None)
    return Example(line, command.strip(), words, env, output, exit_code, reason)


def readme_examples(text: str) -> list[Example]:
    """The ``pnet-kg`` commands of the README's shell blocks, in order, with the output shown after each
    (in a block with ``$`` prompts, the lines up to the next prompt)."""
    examples = []
    for match in FENCE.finditer(text):
        if match.group(1).strip() not in SHELL:
            continue
        first = text.count("\n", 0, match.start(2)) + 1
        lines = match.group(2).splitlines()
        prompted = any(ln.startswith("$ ") for ln in lines)
        for i, ln in enumerate(lines):
            if prompted and not ln.startswith("$ "):
                continue
            output = None
            if prompted:
                shown = []
                for after in lines[i + 1:]:
                    if after.startswith("$ "):
                        break
                    shown.append(after.rstrip())
                output = shown or None
            example = _example(ln, first + i, output)
            if example is not None:
                examples.append(example)
    return examples


TEXT = README.read_text(encoding="utf-8")
EXAMPLES = readme_examples(TEXT)
RUN = [e for e in EXAMPLES if e.not_run is None]
#: Fast in process: queries of the shipped graph and of the files the README shows.
FAST = [e for e in RUN if e.argv and e.argv[0] in ("query", "claims", "sources")
        and all(not arg.endswith((".nt", ".ttl")) or arg in shown_files(TEXT) for arg in e.argv)]


def _matches(example: Example, stdout: str, stderr: str) -> str | None:
    """What is wrong with a run of ``example``, or None."""
    if example.output is None:
        return None
    printed = [ln.rstrip() for ln in (stdout + stderr).splitlines()]
    if printed != example.output:
        return "printed:\n" + "\n".join(printed) + "\nthe README shows:\n" + "\n".join(example.output)
    return None


def _prepare(folder: Path) -> None:
    for name, content in shown_files(TEXT).items():
        (folder / name).write_text(content, encoding="utf-8")


def test_the_readme_has_examples_and_the_parser_finds_them() -> None:
    assert len(EXAMPLES) >= 20 and len(FAST) >= 4
    assert "cases.csv" in shown_files(TEXT), "Example 3 reads cases.csv: the README shows it"
    for key, why in NOT_RUN.items():  # the allow-list stays short and current
        assert any(key in e.text for e in EXAMPLES), f"NOT_RUN entry {key!r} ({why}) matches no README command"
    assert len({e.not_run for e in EXAMPLES if e.not_run}) == len(NOT_RUN)


def test_the_parser_reads_prompts_outputs_comments_and_exit_codes() -> None:
    text = ("```console\n$ pnet-kg query --list   # all\nname\n----\n$ pnet-kg validate x.ttl\n"
            "pnet-kg: error: x.ttl: empty\n```\n```\npnet-kg stage a.csv -o b.csv   # exit 1 when warned\n"
            "PNET_KG_USER=u pnet-kg push --endpoint http://localhost:1/x\n```\n```csv a.csv\nid\n```\n")
    found = readme_examples(text)
    assert [(e.argv, e.output, e.exit_code, e.line) for e in found] == [
        (["query", "--list"], ["name", "----"], 0, 2),
        (["validate", "x.ttl"], ["pnet-kg: error: x.ttl: empty"], 2, 5),
        (["stage", "a.csv", "-o", "b.csv"], None, 1, 9),
        (["push", "--endpoint", "http://localhost:1/x"], None, 0, 10),
    ]
    assert found[3].env == {"PNET_KG_USER": "u"} and found[3].not_run == NOT_RUN["pnet-kg push"]
    assert shown_files(text) == {"a.csv": "id\n"}


@pytest.mark.parametrize("example", FAST, ids=lambda e: e.id)
def test_readme_query_commands_print_what_the_readme_shows(example: Example, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _prepare(tmp_path)
    monkeypatch.chdir(tmp_path)
    with CliRunner().isolation() as (out, err, _):
        try:
            main(list(example.argv))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    assert code == example.exit_code, f"README line {example.line}: {example.text}\n{stderr}"
    problem = _matches(example, stdout, stderr)
    assert problem is None, f"README line {example.line}: {example.text}\n{problem}"


@pytest.mark.slow
def test_every_readme_command_runs_as_written(tmp_path: Path) -> None:
    _prepare(tmp_path)
    failures = []
    for example in RUN:
        done = subprocess.run([sys.executable, "-m", "pnet_kg", *example.argv], cwd=tmp_path, capture_output=True,
                              text=True, timeout=900, env={**os.environ, **example.env})
        if done.returncode != example.exit_code:
            failures.append(f"README line {example.line}: {example.text}\n  exit {done.returncode}, "
                            f"expected {example.exit_code}\n  {done.stderr.strip()[-600:]}")
            continue
        problem = _matches(example, done.stdout, done.stderr)
        if problem is not None:
            failures.append(f"README line {example.line}: {example.text}\n{problem}")
    assert not failures, "\n\n".join(failures)


def test_readme_figures_are_the_graphs(graph: Graph) -> None:
    counts = re.findall(r"shipped graph \(([\d,]+) triples\)", TEXT)
    assert counts, "the README gives the shipped graph's triple count"
    for count in counts:
        assert int(count.replace(",", "")) == len(graph) == len(pnet_kg.load()), "update the README's triple count"
    stats = pnet_kg.stats().counts
    table = re.findall(r"^\| ([a-z ]+) \| (\d+) \|$", TEXT, re.M)
    checked = {name: int(n) for name, n in table if name.replace(" ", "_") in stats}
    assert set(checked) == {k.replace("_", " ") for k in stats}
    for name, n in checked.items():
        assert n == stats[name.replace(" ", "_")], f"README: {n} {name}; pnet-kg stats: {stats[name.replace(' ', '_')]}"
    for n, what in re.findall(r"\b(\d[\d,]*) (classes|individuals|claims|sources)\b", TEXT):
        assert int(n.replace(",", "")) == stats[what], f"README: {n} {what}; pnet-kg stats: {stats[what]}"
