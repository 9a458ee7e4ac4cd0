"""``pnet-kg demo``: the main job, end to end, on a synthetic cohort."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import click

from ..build import build
from ..cases import read_cases, write_cases
from ..docs import write_docs
from ..io import atomic_write_text, render_table
from ..query import query
from ..staging import stage_file
from ..stats import stats
from ..synth import write_synth
from ..validate import validate


def _step(title: str) -> float:
    click.secho(f"\n== {title}", bold=True)
    return time.perf_counter()


def _done(start: float) -> None:
    click.echo(f"   ({time.perf_counter() - start:.2f} s)")


@click.command("demo")
@click.option("-d", "--out-dir", type=click.Path(file_okay=False), default="build", show_default=True,
              help="Folder for the artifacts and the demo cohort.")
@click.option("-n", "--n", "n", type=click.IntRange(1), default=1000, show_default=True,
              help="Cases in the synthetic cohort.")
@click.option("-s", "--seed", type=int, default=1, show_default=True, help="Random seed of the cohort.")
def demo_cmd(out_dir: str, n: int, seed: int) -> None:
    """Build the release artifacts, show what the graph holds, then synthesise a cohort and
    import, validate, stage and query it."""
    out = Path(out_dir)
    start = _step(f"build: release artifacts in {out}/")
    for artifact in build(out):
        click.echo(f"   {artifact.path}  ({artifact.triples} triples)")
    docs = write_docs(out)
    if docs is not None:
        click.echo(f"   {docs}  (HTML documentation)")
    _done(start)

    start = _step("what the graph holds")
    result = stats()
    click.echo(render_table([{"what": k.replace("_", " "), "count": v} for k, v in result.counts.items()],
                            ["what", "count"]), nl=False)
    _done(start)

    cohort = out / "demo" / "cohort.csv"
    start = _step(f"synthesise {n} cases (seed {seed}) from the claims in the graph: {cohort}")
    write_synth(cohort, n, seed)
    _done(start)

    start = _step("import: case file -> RDF")
    cases = read_cases(cohort).cases
    rdf = out / "demo" / "cohort.nt"
    write_cases(cases, rdf, "nt")
    click.echo(f"   {len(cases)} cases -> {rdf}")
    _done(start)

    start = _step("validate: SHACL shapes over the graph and the cohort")
    report = validate([rdf])
    by_severity = Counter(r.severity for r in report.results)
    click.echo(f"   conforms: {report.conforms}; results by severity: {dict(by_severity) or 'none'}")
    _done(start)

    start = _step("stage: AJCC 8th edition, rules read from the graph")
    run = stage_file(cohort)
    staged = out / "demo" / "staged.csv"
    rows = [r.as_row() for r in run.results]
    atomic_write_text(staged, render_table(rows, list(rows[0]), "csv"))
    click.echo(render_table(rows[:5], list(rows[0])), nl=False)
    click.echo(f"   ... {len(rows)} rows -> {staged}")
    stages = Counter(r.stage for r in run.results)
    click.echo("   stage groups: " + ", ".join(f"{k} {v}" for k, v in sorted(stages.items())))
    _done(start)

    start = _step("query: cases with distant nodal spread but no liver metastasis")
    answer = query("cases-distant-nodes-without-liver", cases=[rdf])
    click.echo(f"   {len(answer)} rows; first 5:")
    click.echo(render_table(answer.rows[:5], answer.columns), nl=False)
    _done(start)
