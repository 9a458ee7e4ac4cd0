"""``pnet-kg reason``: HermiT (or the owlrl OWL 2 RL closure) over the shipped graph and FILES."""

from __future__ import annotations

import sys

import click

from ..dataset import Dataset
from ..reason import reason
from .options import case_column_options, output_option


@click.command("reason")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--reasoner", type=click.Choice(["hermit", "owlrl"]), default="hermit", show_default=True,
              help="hermit: OWL 2 DL through owlready2 (needs Java; falls back to owlrl without it). "
                   "owlrl: OWL 2 RL closure in pure Python.")
@click.option("--explain/--no-explain", default=True, show_default=True,
              help="Find a minimal set of axioms behind an inconsistency or unsatisfiable class.")
@case_column_options
@output_option
def reason_cmd(files: tuple[str, ...], reasoner: str, explain: bool, output: str | None) -> None:
    """Check the ontology, knowledge and FILES (e.g. case data) with a reasoner.

    Prints consistency, unsatisfiable classes with the axioms that cause them, and the
    inferred subclass links and individual types; -o writes the inferred triples
    (Turtle, or the format of the file suffix). Exit 0 consistent with no unsatisfiable
    class, 1 inconsistent or unsatisfiable classes, 2 bad input.
    """
    report = reason(Dataset.open(files), reasoner=reasoner, explain=explain)  # type: ignore[arg-type]
    click.echo(report.summary(), nl=False)
    if output is not None:
        report.write(output)
        click.echo(f"wrote {len(report.inferred)} inferred triples to {output}", err=True)
    if not report.ok:
        sys.exit(1)
