"""``pnet-kg qc``: one ROBOT-style report of the SHACL shapes and the QC queries over the ontology."""

from __future__ import annotations

import sys

import click

from ..qc import qc
from .options import emit, output_format_option, output_option


@click.command("qc")
@output_format_option(["tsv", "md", "json"], "tsv", "Report format: TSV (as robot report writes), Markdown or JSON.")
@click.option("--fail-on", type=click.Choice(["ERROR", "WARN", "INFO"], case_sensitive=False), default="ERROR",
              show_default=True, help="Exit 1 when a problem is at this level or a more severe one.")
@click.option("--ontology", "directory", type=click.Path(file_okay=False, exists=True), default=None,
              help="Ontology folder to check (with catalog-v001.xml); default: the shipped one.")
@output_option
def qc_cmd(output_format: str, fail_on: str, directory: str | None, output: str | None) -> None:
    """Check the ontology: SHACL shapes and queries/qc/*-violation.rq, one row a problem.

    Columns: level (ERROR, WARN, INFO), rule, subject, property, value, message, and the file
    and line where the subject is defined (the table row for a generated rule).
    Exit codes: 0 nothing at --fail-on or worse, 1 otherwise, 2 unreadable input.
    """
    report = qc(directory)
    emit(report.render(output_format), output)
    click.echo(f"qc: {report.summary()}", err=True)
    sys.exit(1 if report.fails(fail_on.upper()) else 0)
