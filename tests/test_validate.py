"""Validation: each shape passes and fails on fixtures (tests/input/shapes/expected.tsv), the fast engine
equals pySHACL, the shipped graph conforms, and the command's exit codes for bad input."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import INPUT, REPO, run_cli
from rdflib import Graph, URIRef
from synthetic_cases import synthetic_cases

from pnet_kg.prefixes import SH
from pnet_kg.validate import ValidationReport, shapes_graph, validate

SHAPES = INPUT / "shapes"
SHP = "https://w3id.org/pnet-kg/shapes/"


def _expected() -> dict[tuple[str, bool], dict[str, int]]:
    table: dict[tuple[str, bool], dict[str, int]] = {}
    with (SHAPES / "expected.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            counts = table.setdefault((row["file"], row["shipped"] == "yes"), {})
            if row["shape"] != "*":
                counts[row["shape"]] = int(row["count"])
    return table


EXPECTED = _expected()


def _own(report: ValidationReport, shipped: bool) -> Counter[str]:
    """Results per shape local name, ignoring those on the shipped graph itself."""
    return Counter(str(r.shape).removeprefix(SHP) for r in report.results
                   if not shipped or "/case/" in str(r.focus))


def _shapes_file(name: str) -> Graph:
    return Graph().parse(REPO / "shapes" / f"{name.split('-')[0]}.ttl", format="turtle")


@pytest.mark.parametrize(("name", "shipped"), sorted(EXPECTED))
def test_fixture_counts(name: str, shipped: bool) -> None:
    report = validate(SHAPES / name, shipped=shipped, engine="fast")
    assert dict(_own(report, shipped)) == EXPECTED[(name, shipped)], report.text


@pytest.mark.parametrize(("name", "shipped"), sorted(EXPECTED))
def test_fixture_same_as_pyshacl(name: str, shipped: bool) -> None:
    shapes = _shapes_file(name) if shipped else shapes_graph()
    fast = validate(SHAPES / name, shapes=shapes, shipped=shipped, engine="fast")
    ref = validate(SHAPES / name, shapes=shapes, shipped=shipped, engine="pyshacl")
    assert ref.engine == "pyshacl" and fast.engine == "fast"
    assert sorted(map(str, (r.key(shapes) for r in fast.results))) == \
        sorted(map(str, (r.key(shapes) for r in ref.results)))
    assert sorted(r.message for r in fast.results) == sorted(r.message for r in ref.results)


@pytest.mark.parametrize(("name", "shipped"), sorted(EXPECTED))
def test_fixture_same_on_a_third_engine(name: str, shipped: bool) -> None:
    # The shapes are plain SHACL Core and SHACL-SPARQL: another conforming engine, written
    # independently (pyshacl-turbo, in Rust), finds the same results as the two of pnet-kg.
    import pyshacl_turbo

    from pnet_kg.dataset import Dataset
    from pnet_kg.validate import results_from_report

    shapes = _shapes_file(name) if shipped else shapes_graph()
    graph = Dataset.open(SHAPES / name, shipped=shipped).graph
    conforms, report, _ = pyshacl_turbo.validate(graph, shacl_graph=shapes)
    other = results_from_report(report, graph, shapes)
    fast = validate(SHAPES / name, shapes=shapes, shipped=shipped, engine="fast")
    assert sorted(map(str, (r.key(shapes) for r in other))) == sorted(map(str, (r.key(shapes) for r in fast.results)))
    assert conforms == fast.conforms


def test_every_shape_has_a_failing_fixture() -> None:
    shapes = shapes_graph()
    named = {str(s).removeprefix(SHP) for s in shapes.subjects() if str(s).startswith(SHP)}
    named -= {"ontology", "knowledge", "cases"}  # the files' own headers
    containers = {str(s).removeprefix(SHP) for s in shapes.subjects(SH.property, None)}
    failing = {shape for counts in EXPECTED.values() for shape, n in counts.items() if n > 0}
    assert named - containers - failing == set()


def test_every_constraint_has_a_severity_and_message() -> None:
    shapes = shapes_graph()
    constrained = set(shapes.subjects(SH.path, None)) | set(shapes.subjects(SH.sparql, None)) | set(
        shapes.subjects(SH["or"], None))
    for shape in constrained:
        if (None, SH["or"], None) in shapes and shape not in set(shapes.subjects(SH.severity, None)):
            # members of sh:or lists are parts of a constraint, not constraints of their own
            if not isinstance(shape, URIRef):
                continue
        assert shapes.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info), shape
        messages = list(shapes.objects(shape, SH.message)) + [
            m for c in shapes.objects(shape, SH.sparql) for m in shapes.objects(c, SH.message)]
        assert messages, shape


def test_xref_prefixes_match_the_prefix_table() -> None:
    from pnet_kg.prefixes import xref_prefixes

    pattern = str(shapes_graph().value(URIRef(SHP + "Xref-prefix"), SH.pattern))
    listed = pattern.split("(", 1)[1].split(")", 1)[0].split("|")
    assert sorted(listed) == sorted(xref_prefixes())


@pytest.mark.slow  # pySHACL over the shipped graph; the fixtures compare the engines in the fast set
@pytest.mark.parametrize("n", [100, 1000])
def test_cases_same_as_pyshacl(tmp_path: Path, n: int) -> None:
    text, expected = synthetic_cases(n, seed=7, bad_every=20)
    data = tmp_path / "cases.nt"
    data.write_text(text, encoding="utf-8")
    shapes = _shapes_file("cases")
    fast = validate(data, shapes=shapes, engine="fast")
    assert Counter(str(r.shape).removeprefix(SHP) for r in fast.results) == expected
    ref = validate(data, shapes=shapes, engine="pyshacl")
    fast_keys = Counter(r.key(shapes) for r in fast.results)
    ref_keys = Counter(r.key(shapes) for r in ref.results)
    assert fast_keys == ref_keys
    assert fast.conforms is ref.conforms is False
    import pyshacl_turbo

    from pnet_kg.dataset import Dataset
    from pnet_kg.validate import results_from_report

    graph = Dataset.open(data).graph
    _, report, _ = pyshacl_turbo.validate(graph, shacl_graph=shapes)
    assert Counter(r.key(shapes) for r in results_from_report(report, graph, shapes)) == fast_keys


def test_shipped_graph_has_no_violations() -> None:
    report = validate(engine="fast")
    violations = [f"{r.focus} {r.shape} {r.value}" for r in report.results if r.severity == "Violation"]
    assert violations == [], report.text


def test_report_graph_and_json() -> None:
    report = validate(SHAPES / "cases-bad.ttl", shapes=_shapes_file("cases"))
    g = report.graph
    assert len(list(g.subjects(None, SH.ValidationResult))) == len(report.results)
    body = json.loads(report.to_json())
    assert body["conforms"] is False and body["counts"]["violation"] == report.count("Violation")
    assert {"focus", "focus_label", "path", "value", "message", "severity"} <= set(body["results"][0])
    assert "case B1" in report.text and "Violation" in report.text


def test_case_csv_is_validated_through_the_case_reader(tmp_path: Path) -> None:
    csv_file = tmp_path / "cases.csv"
    csv_file.write_text("case_id,histology,primary_subsite,ki67_percent\nA1,net,tail,4\nA2,nec,head,40\n")
    report = validate(csv_file)
    assert report.conforms, report.text


# ---------------------------------------------------------------- the command

HEADER = ("case_id,histology,primary_subsite,tumor_size_mm,invaded_structures,ki67_percent,mitoses_per_2mm2,"
          "functional_syndrome,positive_node_groups,positive_node_count,distant_sites\n")


def test_cli_exit_codes(tmp_path: Path) -> None:
    good = run_cli("validate", str(SHAPES / "cases-good.ttl"))
    assert good.returncode == 0, good.stdout + good.stderr
    assert "conforms" in good.stdout
    bad = run_cli("validate", str(SHAPES / "cases-bad.ttl"))
    assert bad.returncode == 1
    assert "tumour case Ki-67 index" in bad.stdout and "case B1" in bad.stdout


@pytest.mark.parametrize(("content", "name", "needle"), [
    (None, "missing.ttl", "no such file"),
    ("@prefix p: <http://x/> .\np:a p:b .\n", "broken.ttl", "broken.ttl:2"),
    ("", "empty.ttl", "the file is empty"),
    (HEADER + "A1,net,tail,25,,4,,none,splenic,2,\nA2,net,nowhere,15,,1.5,,none,,0,\n", "rows.csv", "rows.csv:3"),
    ("x", "data.xyz", "unknown file type"),
])
def test_cli_bad_input_exits_2(tmp_path: Path, content: str | None, name: str, needle: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = run_cli("validate", str(path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert needle in result.stderr and "Traceback" not in result.stderr


def test_cli_formats_and_output(tmp_path: Path) -> None:
    out = tmp_path / "report.ttl"
    result = run_cli("validate", str(SHAPES / "cases-bad.ttl"), "-O", "turtle", "-o", str(out))
    assert result.returncode == 1
    g = Graph().parse(out, format="turtle")
    assert (None, SH.conforms, None) in g
    as_json = run_cli("validate", str(SHAPES / "cases-bad.ttl"), "-O", "json")
    assert json.loads(as_json.stdout)["conforms"] is False
