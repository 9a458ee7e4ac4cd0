"""``pnet-kg generate``: the staging-rules module from the tables in ``ontology/templates/``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..generate import differences, generate, write
from ..mappings import mappings_dir, mappings_text, require_sssom, write_mappings


@click.command("generate")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 when the committed module differs from what the tables generate.")
@click.option("--ontology", "directory", type=click.Path(file_okay=False, exists=True), default=None,
              help="Ontology folder (with catalog-v001.xml and templates/); default: the shipped one.")
def generate_cmd(check: bool, directory: str | None) -> None:
    """Turn ontology/templates/*.tsv into ontology/knowledge/staging-rules.ttl (pnet-kg build runs this first),
    then write ontology/mappings/pnet-kg.sssom.tsv from the graph's cross-references (needs sssom-py).

    Exit codes: 0 up to date (or written), 1 with --check when the module differs, 2 a bad table row.
    """
    if directory is None:  # the shipped ontology: its mapping file is regenerated (or checked) too
        require_sssom()  # before anything is written

    if check:
        result = generate(directory)
        lines = differences(result)
        for line in lines:
            click.echo(line)
        click.echo(f"{result.target}: {'differs from the tables' if lines else 'up to date'}", err=True)
        stale = directory is None and _mappings_differ()
        sys.exit(1 if lines or stale else 0)
    result, changed = write(Path(directory) if directory else None)
    click.echo(f"{'wrote' if changed else 'up to date'}: {result.target} ({len(result.graph)} triples, "
               f"{len(result.origins)} rows)", err=True)
    if directory is None:
        path, changed = write_mappings()
        click.echo(f"{'wrote' if changed else 'up to date'}: {path} (SSSOM, from the graph's cross-references)", err=True)


def _mappings_differ() -> bool:
    path = mappings_dir() / "pnet-kg.sssom.tsv"
    differs = not path.exists() or path.read_text(encoding="utf-8") != mappings_text()
    click.echo(f"{path}: {'differs from the graph' if differs else 'up to date'}", err=True)
    return differs
