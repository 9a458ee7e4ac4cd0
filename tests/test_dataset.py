"""The one way in (:class:`pnet_kg.Dataset`): case and RDF files opened once, provenance of every case,
validation results that point at the input, and ``stage --validate`` equal to the two commands."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import INPUT, run_cli
from rdflib import Literal, URIRef

import pnet_kg
from pnet_kg import Dataset
from pnet_kg.cli.validate import report_as
from pnet_kg.errors import InputError
from pnet_kg.prefixes import PNET
from pnet_kg.validate import shapes_graph

CASES_CSV = INPUT / "query" / "cases.csv"
BAD_TTL = INPUT / "shapes" / "cases-bad.ttl"
HEADER = "case_id,histology,primary_subsite,tumor_size_mm,ki67_percent\n"
#: a shape the case reader cannot know: Ki-67 above 10 % is flagged
KI67_SHAPE = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix pnet: <https://w3id.org/pnet-kg/> .
<urn:test:Ki67Shape> a sh:NodeShape ; sh:targetClass pnet:TumourCase ;
  sh:property [ sh:path pnet:ki67Percent ; sh:maxInclusive 10 ; sh:message "Ki-67 above 10" ] .
"""


def _cases(tmp_path: Path) -> Path:
    path = tmp_path / "cohort.csv"
    path.write_text(HEADER + "A1,net,tail,20,4\nA2,net,head,30,25\nA3,net,body,12,2\n", encoding="utf-8")
    return path


def test_a_case_file_is_read_once_into_the_store_and_the_rdflib_view(tmp_path: Path) -> None:
    path = _cases(tmp_path)
    ds = Dataset.open(path, shipped=False)
    assert [c.case_id for c in ds.cases] == ["A1", "A2", "A3"]
    a2 = URIRef("https://w3id.org/pnet-kg/case/A2")
    assert (a2, PNET.caseId, Literal("A2")) in ds.graph
    assert len(ds.store) == len(ds.graph) > 0
    found = ds.source_of(a2)
    assert found is not None and (found.file, found.line) == (str(path), 3)


def test_rdf_inputs_record_their_file_and_shipped_nodes_none() -> None:
    ds = Dataset.open(BAD_TTL)
    subject = next(s for s in ds.graph.subjects(PNET.caseId, None) if isinstance(s, URIRef))
    found = ds.source_of(subject)
    assert found is not None and found.file == str(BAD_TTL) and found.line is None
    assert ds.source_of(PNET.Liver) is None


def test_one_readability_check_for_every_reader(tmp_path: Path) -> None:
    odd = tmp_path / "data.xyz"
    odd.write_text("x", encoding="utf-8")
    for read in (lambda: Dataset.open(odd), lambda: pnet_kg.load([odd]), lambda: pnet_kg.validate(odd)):
        with pytest.raises(InputError, match="unknown file type '.xyz'"):
            read()


def _ki67_shape(tmp_path: Path) -> Path:
    shapes = tmp_path / "ki67.ttl"
    shapes.write_text(KI67_SHAPE, encoding="utf-8")
    return shapes


def test_validation_results_name_the_case_file_and_line_in_every_report(tmp_path: Path) -> None:
    path, shapes = _cases(tmp_path), _ki67_shape(tmp_path)
    report = pnet_kg.validate(Dataset.open(path), shapes=shapes_graph([shapes]))
    assert [(r.focus_label, r.source_file, r.source_line) for r in report.results] == [("case A2", str(path), 3)]
    assert f"- case A2 [case:A2] (path pnet:ki67Percent, value " in report.text and f"from {path}:3)" in report.text
    as_json = json.loads(report_as(report, "json"))["results"][0]
    assert (as_json["source_file"], as_json["source_line"]) == (str(path), 3)
    rows = list(csv.DictReader(io.StringIO(report_as(report, "csv"))))
    assert [(r["focus"], r["source_file"], r["source_line"]) for r in rows] == [
        ("<https://w3id.org/pnet-kg/case/A2>", str(path), "3")]


@pytest.mark.slow
def test_validate_command_names_the_case_file_and_line(tmp_path: Path) -> None:
    path, shapes = _cases(tmp_path), _ki67_shape(tmp_path)
    text = run_cli("validate", "--shapes", str(shapes), str(path))
    assert text.returncode == 1 and f"from {path}:3" in text.stdout
    rows = list(csv.DictReader(io.StringIO(run_cli("validate", "--shapes", str(shapes), str(path), "-O", "csv").stdout)))
    assert [(r["source_file"], r["source_line"]) for r in rows] == [(str(path), "3")]


def test_validation_results_on_rdf_input_name_the_file() -> None:
    report = pnet_kg.validate(BAD_TTL)
    on_cases = [r for r in report.results if "/case/" in str(r.focus)]
    assert on_cases and all(r.source_file == str(BAD_TTL) and r.source_line is None for r in on_cases)


@pytest.mark.slow
def test_stage_validate_equals_validate_then_stage(tmp_path: Path) -> None:
    path, shapes = _cases(tmp_path), _ki67_shape(tmp_path)
    for extra in ((), ("--shapes", str(shapes))):
        checked = run_cli("validate", *extra, str(path))
        staged = run_cli("stage", str(path))
        both = run_cli("stage", "--validate", *extra, str(path))
        assert both.stdout == staged.stdout and staged.stdout.count("\n") == 4
        assert checked.stdout in both.stderr
        assert both.returncode == checked.returncode == (1 if extra else 0), both.stderr


def test_query_cases_on_rdflib_equals_the_default_engine() -> None:
    """Regression: ``--cases c.csv --engine rdflib`` once failed with "cannot parse as turtle"."""
    on_dataset = pnet_kg.query("case-nodal-classification", Dataset.open(CASES_CSV)).rows
    assert len(on_dataset) > 3
    assert pnet_kg.query("case-nodal-classification", cases=[CASES_CSV]).rows == on_dataset
    assert pnet_kg.query("case-nodal-classification", pnet_kg.load(), cases=[CASES_CSV]).rows == on_dataset
    assert pnet_kg.query("case-nodal-classification", Dataset.open(CASES_CSV).graph).rows == on_dataset


@pytest.mark.slow
def test_query_command_cases_on_rdflib_equals_the_default_engine() -> None:
    args = ("query", "case-nodal-classification", "--cases", str(CASES_CSV), "-O", "csv")
    on_rdflib, default = run_cli(*args, "--engine", "rdflib"), run_cli(*args)
    assert on_rdflib.returncode == default.returncode == 0, on_rdflib.stderr
    assert on_rdflib.stdout == default.stdout and default.stdout.count("\n") > 3


def test_one_dataset_validates_and_stages_as_the_separate_calls(tmp_path: Path) -> None:
    from pnet_kg.staging import stage_dataset

    path = _cases(tmp_path)
    dataset = Dataset.open(path)
    assert pnet_kg.validate(dataset).text == pnet_kg.validate(path).text
    assert [r.as_row() for r in stage_dataset(dataset).results] == [r.as_row() for r in pnet_kg.stage_file(path).results]
