"""``pnet-kg query`` (named or ad-hoc SPARQL), ``pnet-kg claims --source`` and ``pnet-kg sources --claim``."""

from __future__ import annotations

import sys
import textwrap

import click
from rdflib import Graph

from ..dataset import Dataset
from ..errors import QueryError
from ..io import TABLE_WRITERS, render_table
from ..query import (allowed_values, ask, bound_text, construct, get_query, list_queries, query, query_form,
                     read_query_file, run)
from .options import (case_column_options, columns_option, emit, labels_option, output_format_option, output_option,
                      table_format_option)

#: -O of a CONSTRUCT or DESCRIBE query, and the rdflib syntax of each.
RDF_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--param {pair!r}: expected NAME=VALUE")
        params[name.strip()] = value
    return params


def _target(endpoint: str | None, engine: str | None = None, cases: tuple[str, ...] = ()) -> Dataset | Graph | str:
    """Where the query runs: the endpoint, else the dataset of the shipped graph and the ``--cases``
    files (its pyoxigraph store; with ``--engine rdflib``, its rdflib view)."""
    if endpoint is not None:
        return endpoint
    dataset = Dataset.open(cases)
    return dataset.graph if engine == "rdflib" else dataset


def _catalogue_text(fmt: str) -> str:
    rows = [{"name": q.name, "scope": q.scope, "parameters": ", ".join(
        f"{p.name}={'REQUIRED' if p.required else p.default}" for p in q.params), "title": q.title}
        for q in list_queries()]
    return render_table(rows, ["name", "scope", "parameters", "title"], fmt)


def _describe(name: str) -> str:
    q = get_query(name)
    lines = [f"{q.name}: {q.title}", "", q.question, ""]
    if q.params:
        lines.append("parameters:")
        for p in q.params:
            lines.append(f"  {p.describe()}")
            if p.description:
                lines.append(f"      {p.description}")
            if p.domain:  # every value the shipped graph allows, not a sample
                values = allowed_values(p)
                lines += textwrap.wrap(f"allowed ({len(values)}): {', '.join(values)}", 100,
                                       initial_indent="      ", subsequent_indent="        ")
    else:
        lines.append("parameters: none")
    lines += [f"scope: {q.scope}", f"example: {q.example}", ""]
    return "\n".join(lines)


@click.command("query")
@click.argument("name", required=False)
@click.option("--list", "list_", is_flag=True, help="List the named queries with their parameters.")
@click.option("--describe", is_flag=True, help="Show the question, parameters and example of query NAME.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter of the named query (repeatable).")
@click.option("-f", "--file", "file_", type=click.Path(dir_okay=False), default=None,
              help="Run the SPARQL query in FILE instead of a named query: SELECT prints rows, ASK prints "
                   "true or false (exit 0 or 1), CONSTRUCT and DESCRIBE write RDF (-O ttl, nt or jsonld).")
@click.option("--cases", multiple=True, type=click.Path(dir_okay=False),
              help="Case file (CSV, JSON or RDF) to load beside the graph, on either engine (repeatable).")
@case_column_options
@click.option("--endpoint", metavar="URL", default=None,
              help="Run on this SPARQL 1.1 endpoint instead of the local graph.")
@click.option("--engine", type=click.Choice(["rdflib", "oxigraph"]), default=None,
              help="Local engine (default: oxigraph, the embedded pyoxigraph store).")
@labels_option
@columns_option
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=0, min_open=True), default=60, show_default=True,
              help="Stop a query that runs longer than this many seconds (exit 2).")
@click.option("--allow-service", is_flag=True,
              help="Let the query use SERVICE, which sends requests to other endpoints (refused by default).")
@output_format_option([*sorted(TABLE_WRITERS), *RDF_FORMATS], None,
                      "Output format: a table format for SELECT (default: table), an RDF format for CONSTRUCT "
                      "and DESCRIBE (default: ttl).")
@output_option
def query_cmd(name: str | None, list_: bool, describe: bool, params: tuple[str, ...], file_: str | None,
              cases: tuple[str, ...], endpoint: str | None, engine: str | None, labels: bool,
              columns: list[str], timeout_s: float, allow_service: bool, output_format: str | None,
              output: str | None) -> None:
    """Run the named query NAME (see --list), or a SPARQL file with --file, and print its rows.

    A query file may hold any read form: SELECT prints rows; ASK prints true or false and exits
    0 for true, 1 for false; CONSTRUCT and DESCRIBE write RDF (-O ttl, nt or jsonld; -o FILE).
    SPARQL Update (INSERT, DELETE, LOAD, CLEAR...) is refused.

    \b
    Examples:
      pnet-kg query --list
      pnet-kg query --file liver-sites.rq -O nt -o liver-sites.nt
      pnet-kg query node-classification --param subsite=head --param node_group=celiac
      pnet-kg query case-nodal-classification --cases cohort.csv -O csv
      pnet-kg query therapies --param situation=pnet:ProgressiveDisease --endpoint http://localhost:7878/query
    """
    table_format = output_format if output_format in TABLE_WRITERS else None
    if list_:
        if output_format in RDF_FORMATS:
            raise click.UsageError(f"--list prints a table: -O {', '.join(sorted(TABLE_WRITERS))}")
        emit(_catalogue_text(table_format or "table"), output)
        return
    if name is None and file_ is None:
        raise click.UsageError("give a query NAME, --file FILE or --list")
    if name is not None and file_ is not None:
        raise click.UsageError("give either a query NAME or --file, not both")
    if describe:
        if name is None:
            raise click.UsageError("--describe needs a query NAME")
        emit(_describe(name), output)
        return
    if endpoint is not None and (cases or engine):
        raise click.UsageError("--endpoint cannot be combined with --cases or --engine")
    if file_ is None:
        assert name is not None
        named = get_query(name)
        values = _parse_params(params)
        text, form = bound_text(named, values), "SELECT"
    else:
        if params:
            raise click.UsageError("--param applies to named queries only")
        named, values = None, {}
        text = read_query_file(file_)
        try:
            form = query_form(text)
        except QueryError as exc:
            raise QueryError(f"{file_}: {exc}") from exc
    if form in ("CONSTRUCT", "DESCRIBE") and table_format is not None:
        raise click.UsageError(f"a {form} query gives RDF: -O {', '.join(RDF_FORMATS)}, not {output_format}")
    if form in ("SELECT", "ASK") and output_format in RDF_FORMATS:
        gives = "true or false" if form == "ASK" else f"a table: -O {', '.join(sorted(TABLE_WRITERS))}"
        raise click.UsageError(f"-O {output_format} is for CONSTRUCT and DESCRIBE queries; a{'n' if form == 'ASK' else ''} "
                               f"{form} query prints {gives}")
    target = _target(endpoint, engine, cases)
    try:
        if form == "ASK":
            answer = ask(text, target, timeout_s=timeout_s, allow_service=allow_service)
        elif form == "SELECT":
            result = run(text, target, labels=labels, named=named, params=values, timeout_s=timeout_s,
                         allow_service=allow_service)
        else:
            graph = construct(text, target, timeout_s=timeout_s, allow_service=allow_service)
    except QueryError as exc:
        if file_ is None:
            raise
        raise QueryError(f"{file_}: {exc}") from exc
    if form == "ASK":
        emit("true\n" if answer else "false\n", output)
        if not answer:
            sys.exit(1)  # for scripts: `if pnet-kg query -f q.rq; then ...`
    elif form == "SELECT":
        emit(result.render(table_format or "table", labels=labels, columns=columns), output)
    else:
        syntax = RDF_FORMATS[output_format or "ttl"]
        text = graph.serialize(format=syntax)
        if syntax == "nt":  # one order for the same triples, so that outputs diff
            text = "".join(sorted(text.splitlines(keepends=True)))
        emit(text, output)


@click.command("claims")
@click.option("--source", required=True, metavar="SOURCE",
              help="The source, as a CURIE or bare name (pnet:Source_003, Source_003).")
@click.option("--endpoint", metavar="URL", default=None, help="Run on this SPARQL 1.1 endpoint.")
@labels_option
@columns_option
@table_format_option()
@output_option
def claims_cmd(source: str, endpoint: str | None, labels: bool, columns: list[str], output_format: str,
               output: str | None) -> None:
    """Print the claims of one source (the named query claims-of-source)."""
    result = query("claims-of-source", _target(endpoint), labels=labels, source=source)
    if not result.rows:
        raise QueryError(f"no claims are stated in {source!r} (is it a pnet:Source? see: pnet-kg query term-list "
                         "--param category=pnet:Source)")
    emit(result.render(output_format, labels=labels, columns=columns), output)


@click.command("sources")
@click.option("--claim", required=True, metavar="CLAIM",
              help="The claim, as a CURIE or bare name (pnet:Claim_001_03, Claim_001_03).")
@click.option("--endpoint", metavar="URL", default=None, help="Run on this SPARQL 1.1 endpoint.")
@labels_option
@columns_option
@table_format_option()
@output_option
def sources_cmd(claim: str, endpoint: str | None, labels: bool, columns: list[str], output_format: str,
                output: str | None) -> None:
    """Print the sources of one claim: the source stating it and the cited work it rests on (sources-of-claim)."""
    result = query("sources-of-claim", _target(endpoint), labels=labels, claim=claim)
    if not result.rows:
        raise QueryError(f"{claim!r} is not a claim with a source in the graph")
    emit(result.render(output_format, labels=labels, columns=columns), output)
