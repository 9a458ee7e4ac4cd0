"""``pnet-kg build``, ``fmt`` and ``stats``."""

from __future__ import annotations

import datetime
import importlib.util
import sys
from pathlib import Path

import click

from ..build import RELEASES, build, check_version, merged_ontology, package_version, stamp_release
from ..dataset import Dataset
from ..docs import write_docs
from ..fmt import format_files, source_files
from ..generate import write
from ..io import render_table
from ..mappings import write_mappings
from ..stats import stats
from .options import emit, output_option, table_format_option


@click.command("build")
@click.option("-d", "--out-dir", type=click.Path(file_okay=False), default="build", show_default=True,
              help="Folder for the release artifacts.")
@click.option("--docs/--no-docs", default=True, show_default=True,
              help="Also write HTML documentation of the ontology (pyLODE).")
@click.option("--version", "version", default=None, metavar="VERSION",
              help="Release version for owl:versionIRI/owl:versionInfo (default: the package version).")
@click.option("--release-date", "release_date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Release date (YYYY-MM-DD) written as dcterms:issued (default: today, UTC).")
def build_cmd(out_dir: str, docs: bool, version: str | None, release_date: datetime.datetime | None) -> None:
    """Write release artifacts (pnet-kg.owl RDF/XML, .ttl, .jsonld, .nt) and pnet-kg.html into the build folder.

    Each artifact is stamped with the release: owl:versionIRI .../releases/VERSION/pnet-kg.owl,
    owl:versionInfo VERSION and dcterms:issued DATE.

    First regenerates the staging-rules module from ontology/templates/ and the SSSOM mapping file
    (as pnet-kg generate does); a copy of the mappings stamped with the release goes beside the artifacts.
    """
    if version is not None:
        check_version(version)  # before anything is written

    generated, changed = write()
    if changed:
        click.echo(f"wrote {generated.target} (generated from ontology/templates/)")
    has_sssom = importlib.util.find_spec("sssom") is not None
    if has_sssom:
        mappings, changed = write_mappings()
        if changed:
            click.echo(f"wrote {mappings} (SSSOM, from the graph's cross-references)")
    else:
        click.echo("SSSOM mapping file not regenerated: sssom-py is not installed (pip install 'pnet-kg[curation]')",
                   err=True)

    release = version if version is not None else package_version()
    issued = release_date.date() if release_date else datetime.datetime.now(datetime.timezone.utc).date()
    for artifact in build(out_dir, version=release, issued=issued):
        click.echo(f"wrote {artifact.path} ({artifact.format}, {artifact.triples} triples)")
    if has_sssom:
        stamp = {"mapping_set_version": f"{RELEASES}{release}/pnet-kg.sssom.tsv", "mapping_date": issued.isoformat()}
        copy, _ = write_mappings(Path(out_dir) / "pnet-kg.sssom.tsv", release=stamp)
        click.echo(f"wrote {copy} (SSSOM mappings of the release)")
    if docs:
        page = write_docs(Path(out_dir), stamp_release(merged_ontology(), release, issued))
        if page is None:
            click.echo("HTML documentation not written: pyLODE cannot be imported (pip install pylode)", err=True)
        else:
            click.echo(f"wrote {page} (HTML documentation)")


@click.command("fmt")
@click.option("--check", is_flag=True, help="Only report files that are not canonical; exit 1 if any.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
def fmt_cmd(check: bool, files: tuple[str, ...]) -> None:
    """Rewrite the Turtle sources (or FILES) in canonical form; --check only reports."""
    paths = [Path(f) for f in files] or source_files()
    results = format_files(paths, check=check)
    changed = [r.path for r in results if r.changed]
    for path in changed:
        click.echo(f"{'not canonical' if check else 'reformatted'}: {path}")
    click.echo(f"{len(results)} files, {len(changed)} {'not canonical' if check else 'reformatted'}", err=True)
    if check and changed:
        sys.exit(1)


@click.command("stats")
@table_format_option()
@output_option
def stats_cmd(output_format: str, output: str | None) -> None:
    """Print counts of classes, properties, individuals, claims and sources, and claims per source.

    Per source: the claims it states, and the claims of other sources that rest on it (cite it).
    """
    result = stats(Dataset.open())
    rows = [{"what": k.replace("_", " "), "count": v} for k, v in result.counts.items()]
    text = render_table(rows, ["what", "count"], output_format)
    if result.claims_per_source:
        per = [{"source": k, "claims": v, "claims_resting_on_it": result.claims_resting_on.get(k, 0)}
               for k, v in result.claims_per_source.items()]
        text += "\n" + render_table(per, ["source", "claims", "claims_resting_on_it"], output_format)
    emit(text, output)
