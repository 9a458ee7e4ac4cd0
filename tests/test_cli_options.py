"""One option letter, one meaning (issue 18); one spelling of a typed value in every format (issue 18);
no spreadsheet formula in CSV output (issue 12)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import click
import pytest
from conftest import INPUT, invoke

from pnet_kg.cli import cli
from pnet_kg.io import TABLE_WRITERS, render_table

CASES = INPUT / "query" / "cases.csv"




def all_commands() -> dict[str, click.Context]:
    """Every command and group, each with the context it runs in (a child of its group's, as in use)."""
    root = click.Context(cli, info_name="pnet-kg", **cli.context_settings)
    found: dict[str, click.Context] = {}

    def walk(ctx: click.Context, name: str) -> None:
        found[name] = ctx
        command = ctx.command
        if isinstance(command, click.Group):
            for sub in command.list_commands(ctx):
                sub_command = command.get_command(ctx, sub)
                assert sub_command is not None, sub
                walk(click.Context(sub_command, info_name=sub, parent=ctx), f"{name} {sub}")

    walk(root, "pnet-kg")
    return found


def option_names(ctx: click.Context) -> list[tuple[list[str], list[str]]]:
    """(short names, long names) of each option of the context's command, --help included."""
    out = []
    for param in ctx.command.get_params(ctx):
        if isinstance(param, click.Option):
            names = param.opts + param.secondary_opts
            out.append(([n for n in names if not n.startswith("--")], [n for n in names if n.startswith("--")]))
    return out


def test_one_short_option_letter_means_one_long_option_everywhere() -> None:
    commands = all_commands()
    assert len(commands) > 12
    meaning: dict[str, dict[tuple[str, ...], list[str]]] = defaultdict(lambda: defaultdict(list))
    letters: dict[str, dict[tuple[str, ...], list[str]]] = defaultdict(lambda: defaultdict(list))
    for name, ctx in commands.items():
        for shorts, longs in option_names(ctx):
            for short in shorts:
                meaning[short][tuple(longs)].append(name)
            for long in longs:
                letters[long][tuple(shorts)].append(name)
    clashes = {short: dict(by_long) for short, by_long in meaning.items() if len(by_long) > 1}
    assert not clashes, f"a short option with several meanings: {clashes}"
    # and the other way: a long option has the same short letter (or none) wherever it appears
    uneven = {long: dict(by_short) for long, by_short in letters.items() if len(by_short) > 1}
    assert not uneven, f"a long option with different short letters: {uneven}"
    assert meaning["-f"].keys() == {("--file",)}
    assert meaning["-O"].keys() == {("--output-format", "--format")}
    assert meaning["-o"].keys() == {("--output",)}
    assert len(meaning["-h"]["--help",]) == len(commands), "-h is help on every command"


def test_claims_and_sources_take_columns_and_no_labels() -> None:
    for args in (["claims", "--source", "Source_001"], ["sources", "--claim", "pnet:Rule_SEER_EOD2018_head_celiac"]):
        code, full, err = invoke(*args, "-O", "csv")
        assert code == 0, err
        header = full.splitlines()[0].split(",")
        assert any(c.endswith("_label") for c in header)
        first = header[0]
        code, out, err = invoke(*args, "-O", "csv", "-c", first, "--no-labels")
        assert code == 0, err
        assert out.splitlines()[0] == first
        assert out.splitlines()[1:] == [row.split(",")[0] for row in full.splitlines()[1:]]
        code, _, err = invoke(*args, "-c", "no_such_column")
        assert code == 2 and "no column 'no_such_column'" in err


@pytest.mark.parametrize("args", [
    ["stage", str(CASES)], ["validate", "--no-shipped", str(INPUT / "shapes" / "cases-good.ttl")],
    ["query", "grading-rules"], ["cases", "synth", "-n", "2"]], ids=lambda args: args[0])
def test_long_format_option_still_works_beside_dash_capital_o(args: list[str]) -> None:
    new = invoke(*args, "-O", "json")
    old = invoke(*args, "--output-format", "json")
    older = invoke(*args, "--format", "json")
    assert new == old == older and new[0] in (0, 1), new[2]
    json.loads(new[1])


def test_dash_f_no_longer_means_format() -> None:
    code, _, err = invoke("validate", "-f", "json")
    assert code == 2 and "No such option '-f'" in err


# ---------------------------------------------------------------- one value, one spelling

TYPED = {
    "flag": True, "off": False, "count": 3, "negative": -3, "ratio": Decimal("0.25"), "minus": Decimal("-1.5"),
    "whole": 13.0, "real": 0.1, "inf": float("inf"), "day": dt.date(2021, 6, 5),
    "when": dt.datetime(2021, 6, 5, 10, 30), "none": None,
}
SPELLED = {
    "flag": "true", "off": "false", "count": "3", "negative": "-3", "ratio": "0.25", "minus": "-1.5",
    "whole": "13", "real": "0.1", "inf": "INF", "day": "2021-06-05", "when": "2021-06-05T10:30:00", "none": "",
}


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_delimited_text_spells_typed_values_as_xsd(fmt: str) -> None:
    text = render_table([TYPED], list(TYPED), fmt)
    rows = list(csv.reader(io.StringIO(text), delimiter="," if fmt == "csv" else "\t"))
    assert dict(zip(rows[0], rows[1])) == SPELLED


def test_table_and_markdown_spell_typed_values_as_xsd() -> None:
    for fmt in ("table", "markdown"):
        for column, spelled in SPELLED.items():
            text = render_table([{column: TYPED[column]}], [column], fmt)
            assert text.splitlines()[-1].strip("| ") == spelled, (fmt, column)


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_keeps_types_and_the_same_spelling(fmt: str) -> None:
    text = render_table([TYPED], list(TYPED), fmt)
    record = json.loads(text)[0] if fmt == "json" else json.loads(text.splitlines()[0])
    assert record["flag"] is True and record["off"] is False and record["none"] is None
    assert record["count"] == 3 and record["negative"] == -3 and record["whole"] == 13.0
    assert record["ratio"] == 0.25 and record["minus"] == -1.5, "decimals are JSON numbers, not strings"
    assert '"ratio": 0.25' in text and '"minus": -1.5' in text, "written exactly as the decimal"
    for column in ("inf", "day", "when"):  # no JSON number or date: the text of the other formats
        assert record[column] == SPELLED[column]


def test_json_output_is_json_for_empty_and_odd_tables() -> None:
    assert json.loads(render_table([], ["a"], "json")) == []
    assert json.loads(render_table([{"a": 1}], [], "json")) == [{}]
    assert json.loads(render_table([{"a": Decimal("1E-7")}], ["a"], "json")) == [{"a": 1e-7}]
    assert render_table([], ["a"], "jsonl") == ""


def test_query_booleans_are_true_and_false_in_every_text_format() -> None:
    for fmt in ("csv", "tsv", "table", "markdown"):
        code, out, err = invoke("query", "grading-rules", "-O", fmt, "-c", "grade,upper_inclusive", "--no-labels")
        assert code == 0, err
        assert "false" in out.split() or ",false" in out or "\tfalse" in out, (fmt, out)
        assert "False" not in out and "True" not in out, fmt


# ---------------------------------------------------------------- CSV formula injection


FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)", "\tx", "\rx"]


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_text_cells_that_start_a_formula_are_neutralised(fmt: str) -> None:
    rows = [{"text": value, "number": -3, "decimal": Decimal("-1.5"), "real": -0.5} for value in FORMULAS]
    text = render_table(rows, ["text", "number", "decimal", "real"], fmt)
    parsed = list(csv.reader(io.StringIO(text), delimiter="," if fmt == "csv" else "\t"))[1:]
    assert [row[0] for row in parsed] == ["'" + value for value in FORMULAS]
    assert all(row[1:] == ["-3", "-1.5", "-0.5"] for row in parsed), "numbers keep their sign"


def test_other_formats_keep_text_as_it_is() -> None:
    rows = [{"text": FORMULAS[0]}]
    assert json.loads(render_table(rows, ["text"], "json"))[0]["text"] == FORMULAS[0]
    assert FORMULAS[0] in render_table(rows, ["text"], "table")
    assert render_table([{"text": "a=b", "n": "1-2"}], ["text", "n"], "csv") == "text,n\na=b,1-2\n"


def test_stage_csv_neutralises_a_hostile_case_id(tmp_path: Path) -> None:
    src = tmp_path / "cases.csv"
    lines = CASES.read_text(encoding="utf-8").splitlines()
    header, first = lines[0], lines[1]
    case_id = first.split(",")[0]
    hostile = '"=HYPERLINK(""http://x"",""y"")"'
    src.write_text(header + "\n" + hostile + first[len(case_id):] + "\n", encoding="utf-8")
    code, out, err = invoke("stage", str(src))
    if code == 2:
        pytest.fail(f"the case reader refused the ID, so this test no longer reaches the CSV writer: {err}")
    row = next(csv.reader(io.StringIO(out.splitlines()[1])))
    assert row[0] == "'=HYPERLINK(\"http://x\",\"y\")"
    code, out, _ = invoke("stage", str(src), "-O", "json")
    assert json.loads(out)[0]["case_id"] == '=HYPERLINK("http://x","y")', "JSON keeps the value as it is"


def test_every_table_format_is_covered() -> None:
    assert set(TABLE_WRITERS) == {"table", "csv", "tsv", "json", "jsonl", "markdown"}
