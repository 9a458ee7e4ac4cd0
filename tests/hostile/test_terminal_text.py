"""Text meant for a terminal (the validation report, ``-O table`` and ``-O markdown``) shows a control
character of the data as its escape: a label cannot ring the bell, send an escape sequence or
forge a line. Data formats (CSV, JSON) keep the value as it is. An ill-typed literal of the
user's file is a validation result, not a traceback on standard error."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from conftest import run_cli

#: C0 and C1 controls and DEL, as guard.printable escapes them
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

TTL = r"""@prefix pnet: <https://w3id.org/pnet-kg/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/pnet-kg/case/W1> a pnet:TumourCase ; pnet:caseId "W\u0007\u001b[2J\n1" ;
  pnet:hasDifferentiation pnet:WellDifferentiated ; pnet:hasPrimarySubsite pnet:Subsite_tail ;
  pnet:hasFunctionalStatus pnet:NonFunctional ; pnet:ki67Percent "abc"^^xsd:decimal .
"""


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "odd.ttl"
    path.write_text(TTL, encoding="utf-8")
    return path


def test_the_validation_report_escapes_control_characters_and_prints_no_traceback(tmp_path: Path) -> None:
    result = run_cli("validate", str(_file(tmp_path)))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert not any(CONTROL.search(line) for line in lines)
    hits = [line for line in lines if "case W" in line]
    assert hits and all("W\\x07\\x1b[2J\\n1 [case:W1]" in line for line in hits)
    assert any("ki67Percent" in line and '"abc"' in line for line in hits)  # the ill-typed value is a result
    assert "Traceback" not in result.stderr and "Failed to convert" not in result.stderr


def test_a_table_for_the_terminal_escapes_and_csv_keeps_the_value(tmp_path: Path) -> None:
    query = tmp_path / "ids.rq"
    query.write_text("SELECT ?id WHERE { ?case pnet:caseId ?id }\n", encoding="utf-8")
    path = _file(tmp_path)
    table = run_cli("query", "-f", str(query), "--cases", str(path), "-O", "table", "--no-labels")
    assert table.returncode == 0 and "W\\x07\\x1b[2J\\n1" in table.stdout
    assert not any(CONTROL.search(line) for line in table.stdout.splitlines())
    markdown = run_cli("query", "-f", str(query), "--cases", str(path), "-O", "markdown", "--no-labels")
    assert "| W\\x07\\x1b[2J\\n1 |" in markdown.stdout
    rows = list(csv.reader(io.StringIO(run_cli("query", "-f", str(query), "--cases", str(path), "-O", "csv",
                                               "--no-labels").stdout)))
    assert rows == [["id"], ["W\x07\x1b[2J\n1"]]
