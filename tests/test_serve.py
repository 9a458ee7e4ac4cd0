"""Issue 7: the local read-only endpoint and the push to a Graph Store, against real Oxigraph servers."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import writable_oxigraph

from pnet_kg.serve import Server, free_port, serve

pytestmark = pytest.mark.slow

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def sparql(url: str, query: str) -> list[dict[str, str]]:
    data = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        bindings = json.load(response)["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in bindings]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Server]:
    with serve(port=free_port()) as server:
        yield server


def test_endpoint_serves_the_whole_graph(endpoint: Server, graph) -> None:  # type: ignore[no-untyped-def]
    [row] = sparql(endpoint.query_url, COUNT)
    assert int(row["n"]) == len(graph)
    assert endpoint.url.startswith("http://127.0.0.1:")


def test_endpoint_has_a_query_page(endpoint: Server) -> None:
    with urllib.request.urlopen(endpoint.url, timeout=10) as response:
        assert response.status == 200
        assert "html" in response.headers.get("Content-Type", "")


def test_endpoint_refuses_updates_and_graph_store_writes(endpoint: Server) -> None:
    update = urllib.request.Request(endpoint.url + "update", data=urllib.parse.urlencode(
        {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}).encode())
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(update, timeout=10)
    assert refused.value.code in (403, 405)
    put = urllib.request.Request(endpoint.url + "store?default", data=b"<urn:a> <urn:b> <urn:c> .\n", method="PUT",
                                 headers={"Content-Type": "application/n-triples"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(put, timeout=10)
    assert refused.value.code in (403, 405)


def test_cli_serve_prints_url_and_stops_on_sigterm_leaving_no_process(tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "pnet_kg", "serve", "--port", "0", "--location", str(tmp_path / "db")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "http://127.0.0.1:" in line
        url = line.split()[-1]
        assert int(sparql(url, COUNT)[0]["n"]) > 1000
        assert process.stdout.readline().startswith("query page: http://127.0.0.1:")
        # the printed link opens the page with the regional-or-distant query on this endpoint
        link = process.stdout.readline().split()[-1]
        fragment = urllib.parse.parse_qs(urllib.parse.urlsplit(link).fragment)
        assert fragment["endpoint"] == [url]
        import pnet_kg

        assert len(sparql(url, fragment["query"][0])) == len(pnet_kg.query("node-classification").rows) >= 100
        children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
        assert children, "the Oxigraph server runs as a child process"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        for pid in children:
            assert subprocess.run(["kill", "-0", pid], capture_output=True).returncode != 0, "server left behind"
    finally:
        if process.poll() is None:
            process.kill()
    # the kept location is reused without reloading when nothing changed
    from pnet_kg.serve import prepare_location

    assert prepare_location(tmp_path / "db") is False


@pytest.fixture()
def writable_store(tmp_path: Path) -> Iterator[str]:
    with writable_oxigraph(tmp_path / "w") as base:
        yield base


def test_push_replaces_module_graphs_and_uploads_cases_in_chunks(writable_store: str, graph, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from pnet_kg.load import load_modules
    from pnet_kg.push import push

    cases = tmp_path / "cases.csv"
    cases.write_text(
        "case_id,histology,primary_subsite,tumor_size_mm,invaded_structures,ki67_percent,mitoses_per_2mm2,"
        "functional_syndrome,positive_node_groups,positive_node_count,distant_sites\n"
        "A1,net,tail,25,,4,,none,splenic,2,\nA2,net,head,15,,1.5,,insulinoma,,0,liver;bone\n"
    )
    for _ in range(2):  # a second push replaces, it does not duplicate
        pushed = push(writable_store + "store", [cases], chunk_triples=7)
    modules = load_modules()
    assert {p.graph for p in pushed} == set(modules) | {"https://w3id.org/pnet-kg/cases"}
    [row] = sparql(writable_store + "query", "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert int(row["n"]) == len(modules) + 1
    for iri, module in modules.items():
        [row] = sparql(writable_store + "query", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
        assert int(row["n"]) == len(module), iri
    [row] = sparql(writable_store + "query",
                   "SELECT (COUNT(?c) AS ?n) WHERE { ?c a <https://w3id.org/pnet-kg/TumourCase> }")
    assert int(row["n"]) == 2


def test_push_reports_an_unreachable_endpoint_clearly() -> None:
    from pnet_kg.errors import PnetKgError
    from pnet_kg.push import push

    with pytest.raises(PnetKgError, match="cannot reach"):
        push(f"http://127.0.0.1:{free_port()}/store")
