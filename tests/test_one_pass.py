"""The one pass (``stage --validate``) and what makes it fast: cases loaded into the store while they
are read (a loader thread), value-type checks run on a predicate's distinct objects, the SHACL
queries side by side. Each shortcut must give what the plain way gives."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import INPUT, run_cli

import pnet_kg
from pnet_kg import Dataset
from pnet_kg import dataset as dataset_module
from pnet_kg.errors import InputErrors
from pnet_kg.synth import write_synth
from pnet_kg.validate import runner
from pnet_kg.validate.report import CSV_COLUMNS

BAD_TTL = INPUT / "shapes" / "cases-bad.ttl"


def _quads(dataset: Dataset) -> set[str]:
    return {str(q) for q in dataset.store}


def test_streamed_cases_are_the_same_triples_as_cases_loaded_on_first_use(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cohort.csv"
    write_synth(path, 300, 7)
    monkeypatch.setattr(dataset_module, "_BATCH", 40)  # several batches, the last one short
    streamed = Dataset(shipped=False)
    streamed.add_case_file(path, stream=True)
    lazy = Dataset(shipped=False)
    lazy.add_case_file(path)
    assert len(streamed.cases) == len(lazy.cases) == 300
    assert _quads(streamed) == _quads(lazy)
    assert len(_quads(streamed)) > 300 * 5


def test_a_bad_row_while_streaming_raises_and_stops_the_loader(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cohort.csv"
    write_synth(path, 200, 3)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[150] = lines[150].replace(",net,", ",nett,", 1)
    path.write_text("".join(lines), encoding="utf-8")
    monkeypatch.setattr(dataset_module, "_BATCH", 20)
    before = threading.active_count()
    dataset = Dataset(shipped=False)
    with pytest.raises(InputErrors, match=r"cohort\.csv:151: field 'histology'"):
        dataset.add_case_file(path, stream=True)
    assert dataset._loader is None and threading.active_count() == before


def test_value_checks_on_distinct_objects_give_the_results_of_the_checks_on_every_triple(
        monkeypatch: pytest.MonkeyPatch) -> None:
    by_objects = pnet_kg.validate(BAD_TTL, engine="fast")
    monkeypatch.setattr(runner, "DISTINCT_LIMIT", 0)  # every predicate has "too many" objects: the plain queries
    by_triples = pnet_kg.validate(BAD_TTL, engine="fast")
    assert by_objects.text == by_triples.text
    found = {(str(r.constraint).rsplit("#")[-1], str(r.path).rsplit("/")[-1]) for r in by_objects.results}
    # value-type checks of each kind the runner now tests per object: class, datatype, range, sh:or
    assert {("ClassConstraintComponent", "hasPrimarySubsite"), ("DatatypeConstraintComponent", "mitosesPer2mm2"),
            ("MaxInclusiveConstraintComponent", "ki67Percent"), ("MinExclusiveConstraintComponent", "tumourSizeMm"),
            ("OrConstraintComponent", "hasSite")} <= found


def test_stage_validate_reports_a_bad_case_file_row_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "cohort.csv"
    write_synth(path, 50, 5)
    text = path.read_text(encoding="utf-8").replace(",net,", ",nett,", 1)
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "staged.csv"
    result = run_cli("stage", "--validate", str(path), "-o", str(out))
    assert result.returncode == 2 and "field 'histology'" in result.stderr and not out.exists()


KI67_SHAPE = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix pnet: <https://w3id.org/pnet-kg/> .
<urn:test:Ki67Shape> a sh:NodeShape ; sh:targetClass pnet:TumourCase ;
  sh:property [ sh:path pnet:ki67Percent ; sh:maxInclusive 10 ; sh:message "Ki-67 above 10" ] .
"""


def test_in_its_own_process_stage_validate_ends_with_its_output_flushed_and_its_exit_code(tmp_path: Path) -> None:
    # the script ends the process without freeing the store (cli.options.finish): nothing may be lost
    path, shapes = tmp_path / "cohort.csv", tmp_path / "ki67.ttl"
    write_synth(path, 300, 11)
    shapes.write_text(KI67_SHAPE, encoding="utf-8")
    in_process = run_cli("stage", "--validate", "--shapes", str(shapes), str(path))
    own = run_cli("stage", "--validate", "--shapes", str(shapes), str(path), new_process=True)
    assert own.returncode == in_process.returncode == 1
    assert own.stdout == in_process.stdout and len(own.stdout.splitlines()) == 301
    assert own.stderr == in_process.stderr and "does not conform" in own.stderr
    checked = run_cli("validate", str(path), "-O", "csv", new_process=True)
    assert checked.returncode == 0 and checked.stdout.splitlines() == [",".join(CSV_COLUMNS)]
    assert "conforms: 0 violations" in checked.stderr
