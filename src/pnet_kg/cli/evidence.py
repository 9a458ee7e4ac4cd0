"""``pnet-kg evidence``."""

from __future__ import annotations

import json
import sys

import click

from ..dataset import Dataset
from ..evidence import NOTICE, OUTPUT_FIELDS, evidence_dataset, render_csv
from ..io import render_table
from .cases import report_errors
from .options import case_column_options, emit, output_format_option, output_option


@click.command("evidence")
@click.argument("file", type=click.Path(dir_okay=False))
@output_format_option(["csv", "json", "table"], "csv", "Output format.")
@output_option
@click.option("--keep-going", is_flag=True, help="Match the good rows, list the bad ones on standard error, exit 1.")
@case_column_options
def evidence_cmd(file: str, output_format: str, output: str | None, keep_going: bool) -> None:
    """For every case of a CSV or JSON case FILE: the trials whose population includes it or excludes it
    (with the criterion), and the NCCN guideline categories stated for its situation.

    Evidence lookup for researchers, not a treatment recommendation. A criterion the case
    does not record (e.g. no somatostatin-receptor status) is "unknown", not "excluded".
    Exit codes: 0 all rows matched; 1 some rows skipped (--keep-going); 2 bad input, nothing written.
    """
    dataset = Dataset(shipped=False)  # the trials and guidelines are the matcher's; only the cases are read
    dataset.add_case_file(file, keep_going=keep_going)
    run = evidence_dataset(dataset)
    if output_format == "csv":
        # a comment line before the CSV header (read it with comment="#" in pandas, or skip one line)
        text = f"# {NOTICE}\n" + render_csv(run.results)
    elif output_format == "json":
        rows = [row for result in run.results for row in result.rows()]
        text = json.dumps({"notice": NOTICE, "results": rows}, indent=1, ensure_ascii=False) + "\n"
    else:
        rows = [row for result in run.results for row in result.rows()]
        text = f"# {NOTICE}\n" + render_table(rows, OUTPUT_FIELDS, output_format)
    emit(text, output)
    report_errors(run.errors)
    if run.errors:
        sys.exit(1)
