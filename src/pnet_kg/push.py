"""Upload the graph to any SPARQL 1.1 Graph Store Protocol endpoint (Oxigraph, Fuseki, GraphDB, Virtuoso, Neptune).

Each ontology module goes to a named graph called by its ontology IRI, replacing
the previous version (HTTP PUT); case data goes to one named graph, sent in
chunks (PUT for the first, POST for the rest). Credentials for basic
authentication come from the environment (``PNET_KG_USER``, ``PNET_KG_PASSWORD``),
never from the command line.
"""

from __future__ import annotations

import base64
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import PnetKgError
from .load import load_modules

DEFAULT_CASE_GRAPH = "https://w3id.org/pnet-kg/cases"


@dataclass(frozen=True)
class PushedGraph:
    """One named graph written to the store."""

    graph: str
    triples: int


def graph_url(endpoint: str, graph: str) -> str:
    """The Graph Store Protocol URL of a named graph (indirect identification, ``?graph=``).

    >>> graph_url("http://127.0.0.1:7878/store", "https://w3id.org/pnet-kg/core.owl")
    'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fw3id.org%2Fpnet-kg%2Fcore.owl'
    """
    separator = "&" if urllib.parse.urlparse(endpoint).query else "?"
    return f"{endpoint}{separator}{urllib.parse.urlencode({'graph': graph})}"


def _auth_header() -> dict[str, str]:
    user, password = os.environ.get("PNET_KG_USER"), os.environ.get("PNET_KG_PASSWORD")
    if not user:
        return {}
    token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _send(method: str, url: str, body: bytes) -> None:
    request = urllib.request.Request(url, data=body, method=method,
                                     headers={"Content-Type": "application/n-triples", **_auth_header()})
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace").strip()[:300]
        raise PnetKgError(f"{method} {url}: HTTP {exc.code} {exc.reason}: {detail}") from exc
    except urllib.error.URLError as exc:
        raise PnetKgError(f"{method} {url}: cannot reach the endpoint: {exc.reason}") from exc


def _chunks(lines: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    chunk: list[bytes] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _case_lines(files: Sequence[Path]) -> Iterator[bytes]:
    from .cases import case_ntriples, is_case_file
    from .load import parse_file

    for path in files:
        if is_case_file(path):
            yield from (line + b"\n" for line in case_ntriples(path).splitlines() if line.strip())
        else:
            text = parse_file(path).serialize(format="nt")
            yield from (line.encode() + b"\n" for line in text.splitlines() if line.strip())


def push(endpoint: str, cases: Sequence[str | Path] = (), *, case_graph: str = DEFAULT_CASE_GRAPH,
         chunk_triples: int = 50_000, progress: bool = False) -> list[PushedGraph]:
    """Replace each module's named graph at the Graph Store ``endpoint``, then upload ``cases`` in chunks."""
    from tqdm import tqdm

    pushed = []
    modules = load_modules()
    for iri, graph in tqdm(modules.items(), desc="modules", unit="graph", disable=not progress):
        _send("PUT", graph_url(endpoint, iri), graph.serialize(format="nt", encoding="utf-8"))
        pushed.append(PushedGraph(iri, len(graph)))
    if cases:
        total = 0
        bar = tqdm(desc="cases", unit="triple", disable=not progress)
        for i, chunk in enumerate(_chunks(_case_lines([Path(c) for c in cases]), chunk_triples)):
            _send("PUT" if i == 0 else "POST", graph_url(endpoint, case_graph), b"".join(chunk))
            total += len(chunk)
            bar.update(len(chunk))
        bar.close()
        pushed.append(PushedGraph(case_graph, total))
    return pushed
