"""``pnet-kg stage``: open the case file as a dataset, (optionally validate it,) stage its cases, write the table."""

from __future__ import annotations

import gc
from concurrent.futures import ThreadPoolExecutor

import click

from ..dataset import Dataset
from ..io import render_table
from ..staging import OUTPUT_FIELDS, stage_dataset
from ..validate import shapes_graph, validate
from .cases import report_errors
from .options import case_column_options, emit, finish, output_format_option, output_option


@click.command("stage")
@click.argument("file", type=click.Path(dir_okay=False))
@output_format_option(["csv", "json"], "csv", "Output format.")
@output_option
@click.option("--keep-going", is_flag=True, help="Stage the good rows, list the bad ones on standard error, exit 1.")
@click.option("--validate", "check", is_flag=True,
              help="Also check the cases against the SHACL shapes in the same pass (report on standard error; "
                   "the stages are still written; exit 1 if the data does not conform).")
@click.option("--shapes", "shape_files", multiple=True, type=click.Path(dir_okay=False),
              help="With --validate: these shapes files instead of the shipped shapes/ (repeatable).")
@case_column_options
def stage_cmd(file: str, output_format: str, output: str | None, keep_going: bool, check: bool,
              shape_files: tuple[str, ...]) -> None:
    """Stage every case of a CSV or JSON case FILE: WHO grade, AJCC 8 T, N, M, stage group, node classes, warnings.

    The rules come from the graph. With --validate the file is read once, checked as
    `pnet-kg validate FILE` would check it (its text report goes to standard error) and
    staged as `pnet-kg stage FILE` would stage it (standard output or -o). Exit codes: 0 all
    rows staged (and, with --validate, the data conforms); 1 some rows skipped (--keep-going)
    or the data does not conform; 2 bad input, nothing written.
    """
    if shape_files and not check:
        raise click.UsageError("--shapes applies with --validate only")
    shapes = shapes_graph(shape_files) if shape_files else None
    dataset = Dataset(shipped=check)  # the shipped graph only to validate against
    dataset.add_case_file(file, keep_going=keep_going, stream=check)  # loaded into the store while read
    # The cases are kept to the end and hold no cycles: the collector need not walk them again while
    # staging makes its results (100,000 cases: 0.4 s less); unfrozen after, for callers in process.
    gc.freeze()
    try:
        # the SHACL queries run in pyoxigraph, which releases the GIL: staging (Python) runs meanwhile
        with ThreadPoolExecutor(1, thread_name_prefix="pnet-kg-validate") as pool:
            checking = pool.submit(validate, dataset, shapes=shapes) if check else None
            run = stage_dataset(dataset)
            table = render_table([r.as_row() for r in run.results], OUTPUT_FIELDS, output_format)
            report = checking.result() if checking is not None else None  # an error: nothing written
        emit(table, output)
    finally:
        gc.unfreeze()
    report_errors(run.errors)
    if report is not None:
        click.echo(report.text, err=True, nl=False)
    finish(1 if run.errors or (report is not None and not report.conforms) else 0)
