"""``pnet-kg cases import`` and ``pnet-kg cases synth``."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from ..cases import iter_cases, write_case_table, write_rdf
from ..errors import InputError
from ..io import STDOUT, atomic_writer, is_stream
from ..progress import case_progress
from ..rules import load_rules
from ..synth import synth_cases, write_synth
from .options import case_column_options, output_format_option, output_option


@click.group("cases")
def cases_group() -> None:
    """Tumour case files: import them as RDF, or write a synthetic cohort."""


def report_errors(errors: list[InputError]) -> None:
    """List the rows skipped under --keep-going on standard error."""
    for error in errors:
        click.echo(f"pnet-kg: skipped: {error}", err=True)
    if errors:
        click.echo(f"pnet-kg: {len(errors)} bad row(s) skipped", err=True)


@cases_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@output_option
@output_format_option(["ttl", "nt"], None, "RDF format (default: from the output suffix, else Turtle).")
@click.option("--keep-going", is_flag=True, help="Skip bad rows (listed on standard error, exit 1) instead of stopping.")
@case_column_options
def import_cmd(file: str, output: str | None, output_format: str | None, keep_going: bool) -> None:
    """Check a CSV or JSON case FILE (the case-file contract) and write its cases as RDF.

    Exit codes: 0 all rows imported; 1 some rows skipped (--keep-going); 2 bad input, nothing written.
    """
    rdf_format = output_format or ("nt" if output and output.endswith(".nt") else "ttl")
    errors: list[InputError] = []
    path = Path(file)
    vocab = load_rules().vocabulary
    with case_progress(path, "import") as bar:  # a count, its total and an ETA, on a terminal
        cases = iter_cases(path, keep_going=keep_going, errors=errors, vocab=vocab)
        progress = lambda _case: bar.update()  # noqa: E731
        if output is not None and not is_stream(output):
            with atomic_writer(output) as handle:
                n = write_rdf(cases, handle, rdf_format, vocab, progress)  # type: ignore[arg-type]
        else:
            # spool first, so that an error never leaves half a graph on standard output, a pipe or a device
            with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
                n = write_rdf(cases, spool, rdf_format, vocab, progress)  # type: ignore[arg-type]
                spool.seek(0)
                with atomic_writer(output or STDOUT) as handle:
                    for chunk in iter(lambda: spool.read(1 << 20), ""):
                        handle.write(chunk)
    report_errors(errors)
    click.echo(f"imported {n} case(s){f' into {output}' if output else ''}", err=True)
    if errors:
        sys.exit(1)


@cases_group.command("synth")
@click.option("-n", "--n", "n", type=click.IntRange(min=0), required=True, help="Number of cases.")
@click.option("-s", "--seed", type=int, default=0, show_default=True, help="Random seed (same seed, same cohort).")
@output_option
@output_format_option(["csv", "json"], None, "Case-file format (default: from the output suffix, else CSV).")
def synth_cmd(n: int, seed: int, output: str | None, output_format: str | None) -> None:
    """Write a synthetic cohort in the case-file contract; nodal and liver proportions come from claims in the graph."""
    chosen = output_format or ("json" if output and output.endswith(".json") else "csv")
    if output is not None:
        count = write_synth(output, n, seed, chosen)
        click.echo(f"wrote {count} synthetic case(s) to {output}", err=True)
    else:
        with atomic_writer(STDOUT) as handle:
            write_case_table(synth_cases(n, seed), handle, "json" if chosen == "json" else "csv")
