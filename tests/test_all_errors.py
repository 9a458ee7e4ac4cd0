"""All errors at once (issue 18): a case file with bad rows reports every bad row, as linters do,
on every command that reads case files, exits 2 and writes nothing."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from conftest import invoke

from pnet_kg import InputError, InputErrors, PnetKgError, read_cases
from pnet_kg.cases import iter_cases
from pnet_kg.cases.table import ERROR_LIMIT
from pnet_kg.staging import stage_file

HEADER = ["case_id", "histology", "primary_subsite", "tumor_size_mm", "ki67_percent", "positive_node_groups"]
GOOD = ["net", "tail", "20", "4", "splenic"]




def write_cases(path: Path, bad: int, good: int = 5) -> Path:
    """A case file: ``good`` good rows, then ``bad`` rows, each bad in one field (cycling through three kinds)."""
    rows = [[f"G{i}", *GOOD] for i in range(good)]
    for i in range(bad):
        row = [f"B{i}", *GOOD]
        kind = i % 3
        if kind == 0:
            row[4] = "abc"  # ki67_percent: not a number
        elif kind == 1:
            row[1] = "nett"  # histology: unknown code
        else:
            row[3] = "-5"  # tumor_size_mm: out of range
        rows.append(row)
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def expected_fields(bad: int) -> list[str]:
    return [("ki67_percent", "histology", "tumor_size_mm")[i % 3] for i in range(bad)]


def test_read_cases_raises_one_error_carrying_every_bad_row(tmp_path: Path) -> None:
    path = write_cases(tmp_path / "c.csv", bad=10)
    with pytest.raises(InputErrors) as caught:
        read_cases(path)
    exc = caught.value
    assert isinstance(exc, InputError) and isinstance(exc, PnetKgError)
    assert [(e.file, e.line, e.field) for e in exc.errors] == [
        (str(path), 7 + i, field) for i, field in enumerate(expected_fields(10))]
    assert exc.more == 0 and exc.count == 10
    lines = str(exc).splitlines()
    assert len(lines) == 10
    assert lines[0] == f"{path}:7: field 'ki67_percent': not a number (value 'abc')"
    # the first error's location, so that code reading .line/.field of one InputError still works
    assert (exc.file, exc.line, exc.field) == (str(path), 7, "ki67_percent")


def test_iter_cases_yields_nothing_after_a_bad_row_and_still_reports_all(tmp_path: Path) -> None:
    path = write_cases(tmp_path / "c.csv", bad=2, good=0)
    with path.open("a") as handle:
        handle.write("G9,net,tail,20,4,splenic\n")
    seen = []
    with pytest.raises(InputErrors) as caught:
        for case in iter_cases(path):
            seen.append(case.case_id)
    assert seen == []
    assert [e.line for e in caught.value.errors] == [2, 3]


def test_a_fatal_error_after_bad_rows_is_reported_with_them(tmp_path: Path) -> None:
    path = write_cases(tmp_path / "c.csv", bad=2, good=1)
    with path.open("a") as handle:
        handle.write('G9,"net\n')  # an unclosed quote: the file cannot be read on
    with pytest.raises(InputErrors) as caught:
        read_cases(path)
    messages = [e.message for e in caught.value.errors]
    assert len(messages) == 3 and messages[2].startswith("malformed CSV")


def test_keep_going_still_collects_into_errors(tmp_path: Path) -> None:
    path = write_cases(tmp_path / "c.csv", bad=4, good=3)
    run = read_cases(path, keep_going=True)
    assert len(run.cases) == 3 and [e.field for e in run.errors] == expected_fields(4)


def test_more_than_the_limit_are_counted(tmp_path: Path) -> None:
    path = write_cases(tmp_path / "c.csv", bad=150)
    with pytest.raises(InputErrors) as caught:
        stage_file(path)
    assert ERROR_LIMIT == 100
    assert len(caught.value.errors) == 100 and caught.value.more == 50
    assert str(caught.value).splitlines()[-1] == "... and 50 more errors"


def test_one_bad_row_reads_as_before(tmp_path: Path) -> None:
    path = write_cases(tmp_path / "c.csv", bad=1)
    with pytest.raises(InputErrors) as caught:
        read_cases(path)
    assert str(caught.value) == f"{path}:7: field 'ki67_percent': not a number (value 'abc')"


def _commands(bad: Path, out: Path) -> dict[str, list[str]]:
    return {
        "stage": ["stage", str(bad), "-o", str(out)],
        "validate": ["validate", str(bad), "-o", str(out)],
        "cases import": ["cases", "import", str(bad), "-o", str(out)],
        "query --cases": ["query", "cases-distant-nodes-without-liver", "--cases", str(bad), "-o", str(out)],
        "reason": ["reason", "--reasoner", "owlrl", str(bad), "-o", str(out)],
        "serve": ["serve", "--port", "0", "--cases", str(bad)],
        "evidence": ["evidence", str(bad), "-o", str(out)],
    }


@pytest.mark.parametrize("command", ["stage", "validate", "cases import", "query --cases", "reason", "serve",
                                     "evidence"])
def test_every_command_lists_every_bad_row_exits_2_and_writes_nothing(tmp_path: Path, command: str) -> None:
    bad = write_cases(tmp_path / "bad.csv", bad=10)
    out = tmp_path / "out.txt"
    code, stdout, stderr = invoke(*_commands(bad, out)[command])
    assert code == 2, stderr
    assert not out.exists() and stdout == ""
    listed = re.findall(r"^pnet-kg: error: (.+?):(\d+): field '(\w+)'", stderr, flags=re.M)
    assert listed == [(str(bad), str(7 + i), field) for i, field in enumerate(expected_fields(10))]
    assert stderr.splitlines()[-1] == "pnet-kg: 10 errors"


def test_the_command_line_lists_100_then_counts_the_rest(tmp_path: Path) -> None:
    bad = write_cases(tmp_path / "bad.csv", bad=150)
    out = tmp_path / "out.ttl"
    code, stdout, stderr = invoke("cases", "import", str(bad), "-o", str(out))
    assert code == 2 and not out.exists()
    lines = stderr.splitlines()
    assert len([ln for ln in lines if re.match(r"pnet-kg: error: .+:\d+: field", ln)]) == 100
    assert lines[-2:] == ["pnet-kg: error: ... and 50 more errors", "pnet-kg: 150 errors"]


@pytest.mark.slow
def test_push_lists_every_bad_row_and_replaces_nothing(tmp_path: Path) -> None:
    from conftest import writable_oxigraph

    bad = write_cases(tmp_path / "bad.csv", bad=10)
    with writable_oxigraph(tmp_path / "store") as base:
        code, stdout, stderr = invoke("push", "--endpoint", base + "store", "--update-endpoint", base + "update",
                                      "--cases", str(bad))
        import json
        import urllib.parse
        import urllib.request

        query = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
        with urllib.request.urlopen(f"{base}query?{query}", timeout=10) as response:
            left = int(json.loads(response.read())["results"]["bindings"][0]["n"]["value"])
    assert code == 2 and left == 0, stderr
    listed = re.findall(r"^pnet-kg: error: (.+?):(\d+): field '(\w+)'", stderr, flags=re.M)
    assert listed == [(str(bad), str(7 + i), field) for i, field in enumerate(expected_fields(10))]
    # the case files are read and checked whole before the first request: the store was never touched (left == 0)
