"""``pnet-kg validate``: the shipped graph plus FILES against the SHACL shapes."""

from __future__ import annotations

import click

from ..dataset import Dataset
from ..io import render_table
from ..validate import ValidationReport, shapes_graph, validate
from ..validate.report import CSV_COLUMNS, report_rows
from .options import case_column_options, emit, finish, output_format_option, output_option

#: report formats: text for people, the standard SHACL results graph, JSON, one CSV row per result
REPORT_FORMATS = ("text", "turtle", "json", "csv")


@click.command("validate")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@output_format_option(REPORT_FORMATS, "text",
                      "Report format: text grouped by shape, the sh:ValidationReport graph, JSON, or CSV.")
@click.option("--engine", type=click.Choice(["auto", "fast", "pyshacl"]), default="auto", show_default=True,
              help="fast: shapes compiled to SPARQL on pyoxigraph; pyshacl: the reference validator.")
@click.option("--shapes", "shape_files", multiple=True, type=click.Path(dir_okay=False),
              help="Validate against these shapes files instead of the shipped shapes/ (repeatable).")
@click.option("--no-shipped", is_flag=True, help="Validate FILES alone, without the shipped graph.")
@click.option("--keep-going", is_flag=True, help="Skip bad rows of case files (listed in the report).")
@click.option("--allow-warnings", is_flag=True,
              help="Conform (exit 0) when every result is a Warning or Info; by default any result fails.")
@case_column_options
@output_option
def validate_cmd(files: tuple[str, ...], output_format: str, engine: str, shape_files: tuple[str, ...],
                 no_shipped: bool, keep_going: bool, allow_warnings: bool, output: str | None) -> None:
    """Validate the shipped graph plus FILES (Turtle, N-Triples, JSON-LD, RDF/XML, case CSV/JSON).

    Exit codes: 0 conforms (no result at all, as SHACL defines it; with --allow-warnings, no
    Violation), 1 does not conform, 2 unreadable input.
    """
    shapes = shapes_graph(shape_files) if shape_files else None
    # the fast engine queries the store: case files go into it while they are read
    dataset = Dataset.open(list(files), shipped=not no_shipped, keep_going=keep_going, stream=engine != "pyshacl")
    report = validate(dataset, shapes=shapes, engine=engine,  # type: ignore[arg-type]
                      allow_warnings=allow_warnings)
    emit(report_as(report, output_format), output)
    if output is not None or output_format != "text":
        click.echo(report.text.splitlines()[-1], err=True)
    finish(0 if report.conforms else 1)


def report_as(report: ValidationReport, output_format: str) -> str:
    """The report in one of :data:`REPORT_FORMATS`."""
    if output_format == "turtle":
        return report.graph.serialize(format="turtle")
    if output_format == "json":
        return report.to_json()
    if output_format == "csv":
        return render_table(report_rows(report), CSV_COLUMNS, "csv")
    return report.text
