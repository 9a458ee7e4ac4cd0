"""Progress with a total (issue 18): long case reads count against a total computed from the file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from pnet_kg import read_cases
from pnet_kg.progress import case_progress, count_rows
from pnet_kg.synth import write_synth

HEADER = "case_id,histology,primary_subsite,ki67_percent"


@pytest.mark.parametrize("text,expected", [
    (f"{HEADER}\nA1,net,tail,4\nA2,net,head,2\n", 2),
    (f"{HEADER}\nA1,net,tail,4\nA2,net,head,2", 2),  # no newline at the end
    (f"\ufeff{HEADER}\r\nA1,net,tail,4\r\n\r\nA2,net,head,2\r\n\r\n", 2),  # BOM, CRLF, blank lines
    (f"{HEADER}\n", 0),
    ("", 0),
])
def test_count_rows_of_csv(tmp_path: Path, text: str, expected: int) -> None:
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    assert count_rows(path) == expected


def test_count_rows_of_json_compact_and_pretty(tmp_path: Path) -> None:
    records = [{"case_id": f"A{i}", "histology": "net", "primary_subsite": "tail", "ki67_percent": 4}
               for i in range(7)]
    for indent in (None, 2):
        path = tmp_path / "c.json"
        path.write_text(json.dumps(records, indent=indent), encoding="utf-8")
        assert count_rows(path) == 7 == len(read_cases(path).cases)


def test_count_rows_of_a_missing_file_is_zero(tmp_path: Path) -> None:
    assert count_rows(tmp_path / "nope.csv") == 0


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_total_is_the_number_of_cases_read(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"cohort.{fmt}"
    write_synth(path, 300, 1, fmt)
    assert count_rows(path) == len(read_cases(path).cases) == 300


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_on_a_terminal_has_the_total_and_ends_at_what_was_read(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.csv"
    path.write_text(f'{HEADER}\nA1,net,tail,4\n"A\n2",net,head,2\n', encoding="utf-8")  # a cell over two lines
    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    with case_progress(path, "import", min_bytes=0) as bar:
        assert bar.total == 3 and not bar.disable  # counted from lines: one too many here
        bar.update(2)
    assert bar.total == 2
    assert "2/2" in screen.getvalue()


def test_no_bar_and_no_count_off_a_terminal_or_for_small_files(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.csv"
    path.write_text(f"{HEADER}\nA1,net,tail,4\n", encoding="utf-8")
    monkeypatch.setattr("sys.stderr", io.StringIO())
    with case_progress(path, "import", min_bytes=0) as bar:
        assert bar.disable and bar.total is None
    monkeypatch.setattr("sys.stderr", Terminal())
    with case_progress(path, "import") as bar:  # 1 MB by default
        assert bar.disable


@pytest.mark.slow
def test_push_counts_cases_against_their_total(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import writable_oxigraph

    from pnet_kg.push import push

    path = tmp_path / "cohort.csv"
    write_synth(path, 40, 1, "csv")
    with writable_oxigraph(tmp_path / "store") as base:
        push(base + "store", [path], chunk_triples=50, progress=True)
    err = capsys.readouterr().err
    assert "40/40" in err and "cases: 100%" in err
