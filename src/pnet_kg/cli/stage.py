"""``pnet-kg stage``."""

from __future__ import annotations

import sys

import click

from .options import emit, output_format_option, output_option


@click.command("stage")
@click.argument("file", type=click.Path(dir_okay=False))
@output_format_option(["csv", "json"], "csv", "Output format.")
@output_option
@click.option("--keep-going", is_flag=True, help="Stage the good rows, list the bad ones on standard error, exit 1.")
def stage_cmd(file: str, output_format: str, output: str | None, keep_going: bool) -> None:
    """Stage every case of a CSV or JSON case FILE: WHO grade, AJCC 8 T, N, M, stage group, node classes, warnings.

    The rules come from the graph. Exit codes: 0 all rows staged; 1 some rows skipped
    (--keep-going); 2 bad input, nothing written.
    """
    from ..io import render_table
    from ..staging import OUTPUT_FIELDS, stage_file
    from .cases import report_errors

    run = stage_file(file, keep_going=keep_going)
    emit(render_table([r.as_row() for r in run.results], OUTPUT_FIELDS, output_format), output)
    report_errors(run.errors)
    if run.errors:
        sys.exit(1)
