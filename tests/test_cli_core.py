from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, run_cli
from rdflib import Graph, URIRef
from rdflib.namespace import OWL


def test_help_on_every_command() -> None:
    from pnet_kg.cli import COMMANDS

    top = run_cli("--help")
    assert top.returncode == 0
    for name in COMMANDS:
        assert name in top.stdout
        result = run_cli(name, "--help")
        assert result.returncode == 0, (name, result.stderr)
        assert "Usage: pnet-kg" in result.stdout


@pytest.mark.slow
def test_build_writes_every_artifact_with_version_iri(tmp_path: Path) -> None:
    result = run_cli("build", "--no-docs", "-d", str(tmp_path))
    assert result.returncode == 0, result.stderr
    root = URIRef("https://w3id.org/pnet-kg/pnet-kg.owl")
    formats = {"owl": "xml", "ttl": "turtle", "jsonld": "json-ld", "nt": "nt"}
    sizes = set()
    for suffix, fmt in formats.items():
        g = Graph().parse(tmp_path / f"pnet-kg.{suffix}", format=fmt)
        assert str(g.value(root, OWL.versionIRI)).startswith("https://w3id.org/pnet-kg/releases/")
        assert not list(g.objects(root, OWL.imports)), "the merged file must not import its own modules"
        sizes.add(len(g))
    assert len(sizes) == 1, "all artifacts hold the same triples"


def test_stats_counts_and_formats() -> None:
    result = run_cli("stats", "-O", "csv")
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(",", 1) for line in result.stdout.splitlines()[1:8])
    assert int(lines["classes"]) > 40
    assert int(lines["claims"]) > 300 and int(lines["sources"]) >= 18
    # every source backs at least one claim: it states one, or a claim of another source rests on it
    per_source = [line.rsplit(",", 2) for line in result.stdout.split("\n\n")[1].splitlines()[1:]]
    assert per_source and all(int(stated) + int(cited) > 0 for _, stated, cited in per_source)


def test_readme_shows_the_current_stats() -> None:
    result = run_cli("stats", "-O", "markdown")
    assert result.returncode == 0, result.stderr
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert result.stdout.strip() in readme, "update the README tables from `pnet-kg stats -O markdown`"


def test_fmt_check_exit_codes(tmp_path: Path) -> None:
    f = tmp_path / "x.ttl"
    f.write_text("<https://w3id.org/pnet-kg/x> a <https://w3id.org/pnet-kg/Y> .\n")
    assert run_cli("fmt", "--check", str(f)).returncode == 1
    assert run_cli("fmt", str(f)).returncode == 0
    assert run_cli("fmt", "--check", str(f)).returncode == 0


def test_bad_usage_and_bad_file_exit_2_without_traceback(tmp_path: Path) -> None:
    r = run_cli("stats", "-O", "nope")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle")
    r = run_cli("fmt", "--check", str(bad))
    assert r.returncode == 2 and "bad.ttl" in r.stderr and "Traceback" not in r.stderr


BAD_FILES = {
    "empty.ttl": b"",
    "cases.json": b'{"case_id": "A1", "histology": "net"}',  # an object, not the contract's array
    "export.csv": b"PK\x03\x04\x14\x00\x06\x00workbook",  # an .xlsx under a .csv name
    "latin.csv": "case_id,histology,primary_subsite,ki67_percent\nB\u00e9,net,head,2\n".encode("cp1252"),
    "broken.ttl": b"@prefix x: <http://x/> .\nx:a x:b .\n",
}
FILE_COMMANDS = ["validate", "reason", "stage", "cases import", "query case-nodal-classification --cases",
                 "serve --port 0 --cases"]


@pytest.mark.slow
@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_every_command_refuses_bad_files_with_a_message(tmp_path: Path, command: str) -> None:
    for name, content in BAD_FILES.items():
        if command in ("stage", "cases import") and name.endswith(".ttl"):
            continue  # these read case files only
        path = tmp_path / name
        path.write_bytes(content)
        result = run_cli(*command.split(), str(path))
        assert result.returncode == 2, (command, name, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr and f"{name}" in result.stderr, (command, name, result.stderr)


@pytest.mark.slow
def test_written_files_are_readable_by_others(tmp_path: Path) -> None:
    # Atomic writes go through a private temporary file; the result must get the usual mode.
    result = run_cli("build", "-d", str(tmp_path), "--no-docs")
    assert result.returncode == 0, result.stderr
    import os

    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "pnet-kg.owl").stat().st_mode & 0o777 == 0o666 & ~umask
