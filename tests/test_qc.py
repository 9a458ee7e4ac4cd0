"""``pnet-kg qc``: one ROBOT-style report of the SHACL shapes and the QC queries, with file and line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import run_cli
from pnet_kg.errors import QueryError
from pnet_kg.qc import COLUMNS, qc, query_level
from pnet_kg.resources import data_dir, ontology_dir


@pytest.fixture
def onto(tmp_path: Path) -> Path:
    target = tmp_path / "ontology"
    shutil.copytree(ontology_dir(), target)
    return target


def drop_definition(onto: Path, subject: str = "pnet:NodeGroup_celiac") -> int:
    """Remove the definition of ``subject`` from the anatomy module; return the line its block starts on."""
    path = onto / "anatomy.ttl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index(subject + "\n") + 1
    end = next(i for i in range(start, len(lines)) if lines[i].strip() == ".")
    [definition] = [i for i in range(start, end) if lines[i].lstrip().startswith("obo:IAO_0000115 ")]
    del lines[definition]
    path.write_text("".join(lines), encoding="utf-8")
    return start


def test_the_shipped_ontology_passes() -> None:
    report = qc()
    assert not report.fails("ERROR"), report.render()
    assert report.render().splitlines()[0].split("\t") == list(COLUMNS)


def test_a_planted_violation_is_named_with_file_and_line(onto: Path) -> None:
    line = drop_definition(onto)
    report = qc(onto)
    [problem] = report.problems
    assert (problem.level, problem.rule, problem.subject) == ("ERROR", "Term-definition", "pnet:NodeGroup_celiac")
    assert problem.file.endswith("anatomy.ttl") and problem.line == line
    assert "definition" in problem.message and report.fails("ERROR")


@pytest.mark.slow
def test_qc_command_exits_1_on_a_planted_violation(onto: Path, tmp_path: Path) -> None:
    line = drop_definition(onto)
    result = run_cli("qc", "--ontology", str(onto))
    assert result.returncode == 1, result.stderr
    [row] = [r.split("\t") for r in result.stdout.splitlines()[1:]]
    assert row[:3] == ["ERROR", "Term-definition", "pnet:NodeGroup_celiac"]
    assert row[-2].endswith("anatomy.ttl") and row[-1] == str(line)
    assert "qc: 1 ERROR, 0 WARN, 0 INFO" in result.stderr

    out = tmp_path / "report.json"
    as_json = run_cli("qc", "--ontology", str(onto), "-O", "json", "-o", str(out), "--fail-on", "warn")
    assert as_json.returncode == 1 and as_json.stdout == ""
    [record] = json.loads(out.read_text(encoding="utf-8"))
    assert record["subject"] == "pnet:NodeGroup_celiac" and record["line"] == line
    assert run_cli("qc", "-O", "md").stdout.startswith("| level | rule | subject |")


def test_fail_on_sets_the_level_that_fails(onto: Path) -> None:
    # A source that no claim states or rests on is a WARN of queries/qc/source-without-claim-violation.rq.
    sources = onto / "knowledge" / "sources.ttl"
    text = sources.read_text(encoding="utf-8")
    start = text.index("pnet:Source_Cusati2012\n")
    block = text[start:text.index("\n.\n", start) + 3]
    planted = block.replace("pnet:Source_Cusati2012", "pnet:Source_Unused").replace("Cusati et al. 2012", "unused")
    sources.write_text(text + "\n" + planted, encoding="utf-8")
    report = qc(onto)
    warns = [p for p in report.problems if p.rule == "source_without_claim"]
    assert [(p.level, p.subject) for p in warns] == [("WARN", "pnet:Source_Unused")]
    assert warns[0].file.endswith("sources.ttl") and warns[0].line is not None
    assert not report.fails("ERROR") and report.fails("WARN") and report.fails("INFO")


@pytest.mark.slow
def test_a_problem_of_a_generated_rule_points_at_its_table_row(onto: Path) -> None:
    table = onto / "templates" / "criterion-rules.tsv"
    lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
    [number] = [i for i, x in enumerate(lines, 1) if x.startswith("WHO2019_G3_ki67\t")]
    # the G3 row made a copy of the G2 row's cells: its worded label is the G2 rule's (a QC clash, not a bad row)
    lines[number - 1] = lines[number - 1].replace("\tG3\tki67_percent\t20\tno\t\t\t",
                                                  "\tG2\tki67_percent\t3\tyes\t20\tyes\t")
    table.write_text("".join(lines), encoding="utf-8")
    from pnet_kg.generate import write

    write(onto)
    clash = [p for p in qc(onto).problems if p.subject == "pnet:Rule_WHO2019_G3_ki67"]
    assert clash and all(p.file.endswith("criterion-rules.tsv") and p.line == number for p in clash)


def test_every_qc_query_declares_a_level_the_query_agrees_with(tmp_path: Path) -> None:
    queries = sorted((data_dir("queries") / "qc").glob("*-violation.rq"))
    assert queries
    for path in queries:
        text = path.read_text(encoding="utf-8")
        assert f'BIND("{query_level(text, path)}" AS ?level)' in text
    text = queries[0].read_text(encoding="utf-8")
    with pytest.raises(QueryError, match="header says WARN"):
        query_level(text.replace("# level: ERROR", "# level: WARN"), tmp_path / "x-violation.rq")
    with pytest.raises(QueryError, match="declares its level"):
        query_level("SELECT * WHERE {}", tmp_path / "x-violation.rq")


def test_label_and_definition_checks_live_in_the_shapes_only() -> None:
    texts = [p.read_text(encoding="utf-8") for p in (data_dir("queries") / "qc").glob("*.rq")]
    assert not any("IAO_0000115" in t or "rdfs:label ?" in t for t in texts)
    shapes = (data_dir("shapes") / "ontology.ttl").read_text(encoding="utf-8")
    assert "shp:Term-definition" in shapes and "shp:Term-label" in shapes
