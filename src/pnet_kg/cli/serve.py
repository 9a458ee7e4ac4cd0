"""``pnet-kg serve`` and ``pnet-kg push``."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from types import FrameType

import click

from ..dataset import Dataset
from ..errors import PnetKgError
from ..push import DEFAULT_CASE_GRAPH, push
from ..query import get_query, with_prologue
from ..serve import serve
from .options import case_column_options


@click.command("serve")
@click.option("--cases", "cases", multiple=True, type=click.Path(dir_okay=False),
              help="Case file (CSV/JSON, imported on the fly) or RDF file to serve with the graph; repeatable.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True, help="Port on 127.0.0.1 (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; only 127.0.0.1 is supported, by design.")
@click.option("--location", type=click.Path(file_okay=False),
              help="Keep the store in this folder between runs (reloaded only when the data changed).")
@click.option("--timeout", "timeout_s", type=click.IntRange(min=1), default=60, show_default=True,
              help="Query time limit in seconds; a query over it gets HTTP 503.")
@case_column_options
def serve_cmd(cases: tuple[str, ...], port: int, host: str, location: str | None, timeout_s: int) -> None:
    """Start a read-only SPARQL 1.1 endpoint (Oxigraph server) with its query page; Ctrl-C stops it."""
    if host != "127.0.0.1":
        raise PnetKgError("pnet-kg serve binds 127.0.0.1 only; put a reverse proxy in front to publish it")
    server = serve(Dataset.open(cases), port=port, location=location, timeout_s=timeout_s)

    stop_requested: list[float] = []

    def request_stop(signum: int, frame: FrameType | None) -> None:
        # Only signal the child here: waiting for it inside a signal handler would deadlock with the
        # wait() of the main loop below, which owns the subprocess lock.
        if server.process is not None and server.process.poll() is None:
            server.process.send_signal(signal.SIGTERM)
        stop_requested.append(time.monotonic())

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    click.echo(f"pnet-kg SPARQL endpoint (read-only): {server.query_url}")
    click.echo(f"query page: {server.url}   (Ctrl-C to stop)")
    click.echo(f"regional or distant nodes, in the page: {server.page_link(_example_query())}")
    sys.stdout.flush()
    assert server.process is not None
    while True:
        try:
            code = server.process.wait(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            # the read-only server has nothing to save; do not wait on idle keep-alive connections
            if stop_requested and time.monotonic() - stop_requested[0] > 3:
                server.process.kill()
    server.stop()
    if stop_requested:
        click.echo("stopped", err=True)
        return
    raise PnetKgError(f"the Oxigraph server exited with code {code}")


def _example_query() -> str:
    # The named query without its header comment, so that the link stays short enough to paste.
    body = "\n".join(line for line in get_query("node-classification").text.splitlines()
                     if not line.lstrip().startswith("#"))
    return with_prologue(body.strip() + "\n")


@click.command("push")
@click.option("--endpoint", required=True, help="SPARQL 1.1 Graph Store Protocol URL (e.g. http://host:3030/ds/data).")
@click.option("--graph", "case_graph", default=DEFAULT_CASE_GRAPH, show_default=True,
              help="Named graph for the case files.")
@click.option("--cases", "cases", multiple=True, type=click.Path(dir_okay=False),
              help="Case file (CSV/JSON) or RDF file to upload; repeatable.")
@click.option("--chunk", "chunk_triples", type=click.IntRange(min=1), default=50_000, show_default=True,
              help="About this many triples per request for case data (never cutting a case).")
@click.option("--update-endpoint", metavar="URL", default=None,
              help="The store's SPARQL Update URL: upload into temporary graphs, then replace all in one "
                   "update (all or nothing).")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=0, min_open=True), default=60, show_default=True,
              help="Seconds to wait for each request.")
@case_column_options
def push_cmd(endpoint: str, case_graph: str, cases: tuple[str, ...], chunk_triples: int,
             update_endpoint: str | None, timeout_s: float) -> None:
    """Upload the ontology modules (one named graph each, replaced) and case files to a triple store.

    Redirects are errors (never followed). With --update-endpoint the push is all or nothing;
    without it, a failure lists the graphs already replaced. Basic-auth credentials, if needed,
    are read from PNET_KG_USER and PNET_KG_PASSWORD (or the URL), and never printed.
    """
    for pushed in push(endpoint, Dataset.open(cases), case_graph=case_graph, chunk_triples=chunk_triples, progress=True,
                       update_endpoint=update_endpoint, timeout_s=timeout_s):
        click.echo(f"{pushed.graph}: {pushed.triples} triples")
