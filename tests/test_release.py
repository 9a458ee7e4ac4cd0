"""A release: `pnet-kg build` stamps every artifact with its version IRI, version and release date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, XSD

from pnet_kg.build import build, package_version
from pnet_kg.errors import InputError

from conftest import REPO, run_cli

ROOT = URIRef("https://w3id.org/pnet-kg/pnet-kg.owl")


def test_build_stamps_the_release(tmp_path: Path) -> None:
    [artifact] = build(tmp_path, ("nt",), version="0.2.0", issued=dt.date(2026, 12, 1))
    g = Graph().parse(artifact.path, format="nt")
    assert list(g.objects(ROOT, OWL.versionIRI)) == [URIRef("https://w3id.org/pnet-kg/releases/0.2.0/pnet-kg.owl")]
    assert list(g.objects(ROOT, OWL.versionInfo)) == [Literal("0.2.0")]
    assert list(g.objects(ROOT, DCTERMS.issued)) == [Literal("2026-12-01", datatype=XSD.date)]


def test_the_default_version_is_the_package_version(tmp_path: Path) -> None:
    import tomllib

    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert package_version() == declared
    [artifact] = build(tmp_path, ("nt",))
    g = Graph().parse(artifact.path, format="nt")
    assert str(g.value(ROOT, OWL.versionIRI)) == f"https://w3id.org/pnet-kg/releases/{declared}/pnet-kg.owl"
    assert g.value(ROOT, DCTERMS.issued) == Literal(dt.datetime.now(dt.timezone.utc).date().isoformat(), datatype=XSD.date)


@pytest.mark.parametrize("version", ["../x", "", "v 1", "1/2"])
def test_a_version_that_cannot_be_in_an_iri_is_refused(tmp_path: Path, version: str) -> None:
    with pytest.raises(InputError, match="release version"):
        build(tmp_path, ("nt",), version=version)
    assert list(tmp_path.iterdir()) == []


def test_cli_refuses_a_bad_version_before_writing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("build", "--no-docs", "-d", str(out), "--version", "1/2")
    assert result.returncode == 2 and "release version" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
    result = run_cli("build", "--no-docs", "-d", str(out), "--release-date", "01/12/2026")
    assert result.returncode == 2 and "--release-date" in result.stderr and not out.exists()


@pytest.mark.slow
def test_cli_release_stamps_every_artifact_and_the_docs(tmp_path: Path) -> None:
    result = run_cli("build", "-d", str(tmp_path), "--version", "0.3.0", "--release-date", "2027-01-15")
    assert result.returncode == 0, result.stderr
    for suffix, fmt in {"owl": "xml", "ttl": "turtle", "jsonld": "json-ld", "nt": "nt"}.items():
        g = Graph().parse(tmp_path / f"pnet-kg.{suffix}", format=fmt)
        assert str(g.value(ROOT, OWL.versionIRI)) == "https://w3id.org/pnet-kg/releases/0.3.0/pnet-kg.owl"
        assert str(g.value(ROOT, DCTERMS.issued)) == "2027-01-15"
    assert "https://w3id.org/pnet-kg/releases/0.3.0/pnet-kg.owl" in (tmp_path / "pnet-kg.html").read_text()
    mappings = (tmp_path / "pnet-kg.sssom.tsv").read_text()
    assert "mapping_set_version: https://w3id.org/pnet-kg/releases/0.3.0/pnet-kg.sssom.tsv" in mappings
    assert "mapping_date: '2027-01-15'" in mappings or "mapping_date: 2027-01-15" in mappings
