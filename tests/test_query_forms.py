"""Every query form (issue 18): SELECT, ASK, CONSTRUCT and DESCRIBE on every engine (pyoxigraph, rdflib,
an endpoint), from the Python API and from ``pnet-kg query --file``; SPARQL Update refused; SERVICE and
the time limit apply to every form."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from conftest import invoke
from rdflib import Graph, Literal, URIRef

from pnet_kg.dataset import Dataset
from pnet_kg.errors import QueryError
from pnet_kg.prefixes import PNET, RDFS
from pnet_kg.query import ask, construct, query_form, run

ASK_TRUE = "ASK { pnet:Liver a pnet:DistantOrganSite }"
ASK_FALSE = "ASK { pnet:Liver a pnet:Subsite }"
CONSTRUCT = "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a pnet:DistantOrganSite ; rdfs:label ?l }"
SELECT_SAME = "SELECT ?s ?l WHERE { ?s a pnet:DistantOrganSite ; rdfs:label ?l }"
DESCRIBE = "DESCRIBE pnet:Liver"
SLOW = "{ ?a ?p ?x . ?b ?q ?y . ?c ?r ?z FILTER(STR(?x) = CONCAT(STR(?y), STR(?z), \"!\")) }"
UPDATES = [
    "INSERT DATA { pnet:Liver rdfs:label 'x' }",
    "PREFIX ex: <http://example.org/>\n# a comment\nDELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL",
    "DROP GRAPH <urn:x>",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
]


class Endpoint:
    """A SPARQL endpoint on 127.0.0.1 backed by a pyoxigraph store; records the Accept header of each request."""

    def __init__(self, store: ox.Store) -> None:
        self.accepts: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                text = urllib.parse.parse_qs(body)["query"][0]
                accept = self.headers.get("Accept", "")
                outer.accepts.append(accept)
                result = store.query(text)
                if isinstance(result, ox.QueryTriples):
                    media = "application/n-triples" if "application/n-triples" in accept else "text/turtle"
                    fmt = ox.RdfFormat.N_TRIPLES if media == "application/n-triples" else ox.RdfFormat.TURTLE
                    payload = result.serialize(format=fmt)
                else:
                    media = "application/sparql-results+json"
                    payload = result.serialize(format=ox.QueryResultsFormat.JSON)
                self.send_response(200)
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def endpoint(graph: Graph) -> Iterator[Endpoint]:
    served = Endpoint(Dataset.open(graph, shipped=False).store)
    yield served
    served.close()


ENGINES = ["pyoxigraph", "rdflib", "endpoint"]


def target(engine: str, graph: Graph, endpoint: Endpoint) -> Any:
    return {"pyoxigraph": None, "rdflib": graph, "endpoint": endpoint.url}[engine]


@pytest.mark.parametrize("engine", ENGINES)
def test_ask_answers_true_and_false(engine: str, graph: Graph, endpoint: Endpoint) -> None:
    on = target(engine, graph, endpoint)
    assert ask(ASK_TRUE, on) is True
    assert ask(ASK_FALSE, on) is False
    if engine == "endpoint":
        assert endpoint.accepts[-1] == "application/sparql-results+json"


@pytest.mark.parametrize("engine", ENGINES)
def test_construct_gives_the_triples_select_finds(engine: str, graph: Graph, endpoint: Endpoint) -> None:
    on = target(engine, graph, endpoint)
    built = construct(CONSTRUCT, on)
    assert isinstance(built, Graph)
    rows = run(SELECT_SAME, on, labels=False).rows
    expected = {(URIRef(PNET + r["s"].removeprefix("pnet:")), r["l"]) for r in rows}
    assert len(expected) >= 3
    assert {(s, str(o)) for s, p, o in built} == expected
    assert {p for _, p, _ in built} == {RDFS.label}
    assert dict(built.namespaces())["pnet"] == URIRef(PNET)  # the project's prefixes, for Turtle output
    if engine == "endpoint":
        assert endpoint.accepts[-2].startswith("application/n-triples")


@pytest.mark.parametrize("engine", ENGINES)
def test_describe_gives_the_resource(engine: str, graph: Graph, endpoint: Endpoint) -> None:
    described = construct(DESCRIBE, target(engine, graph, endpoint))
    assert (PNET.Liver, RDFS.label, Literal("liver", lang="en")) in described
    assert set(described.subjects()) >= {PNET.Liver}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("text", UPDATES)
def test_updates_are_refused_on_every_engine(engine: str, text: str, graph: Graph, endpoint: Endpoint) -> None:
    on = target(engine, graph, endpoint)
    before = len(graph)
    for call in (run, ask, construct):
        with pytest.raises(QueryError, match=r"SPARQL Update \(\w+\) is not run"):
            call(text, on)  # type: ignore[operator]
    assert len(graph) == before


@pytest.mark.parametrize("call,text", [(run, ASK_TRUE), (ask, SELECT_SAME), (construct, ASK_TRUE),
                                       (ask, DESCRIBE), (run, CONSTRUCT)])
def test_a_form_given_to_the_wrong_function_names_the_right_one(call: Any, text: str) -> None:
    form = query_form(text)
    right = {"SELECT": "run", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "construct"}[form]
    with pytest.raises(QueryError, match=rf"this is an? {form} query: run it with pnet_kg.query.{right}"):
        call(text)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("call,text", [
    (ask, "ASK { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"),
    (construct, "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"),
    (construct, "DESCRIBE ?s WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"),
])
def test_service_is_refused_in_every_form(engine: str, call: Any, text: str, graph: Graph,
                                          endpoint: Endpoint) -> None:
    asked = len(endpoint.accepts)
    with pytest.raises(QueryError, match="SERVICE"):
        call(text, target(engine, graph, endpoint))
    assert len(endpoint.accepts) == asked  # refused before any request


# pyoxigraph has no cancel call: its native query thread runs on after the time limit, using a core
# for the rest of the test process, so that engine's case is slow (rdflib's stops at once).
@pytest.mark.parametrize("engine", [pytest.param("pyoxigraph", marks=pytest.mark.slow), "rdflib"])
@pytest.mark.parametrize("call,text", [(ask, f"ASK {SLOW}"), (construct, f"CONSTRUCT {{ ?a ?p ?x }} WHERE {SLOW}")])
def test_the_time_limit_stops_every_form(engine: str, call: Any, text: str, graph: Graph) -> None:
    on = None if engine == "pyoxigraph" else graph
    started = time.monotonic()
    with pytest.raises(QueryError, match="did not finish within 0.3 s"):
        call(text, on, timeout_s=0.3)
    assert time.monotonic() - started < 2


def test_the_time_limit_stops_an_endpoint_for_every_form() -> None:
    class Stall(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            time.sleep(3)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Stall)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    try:
        for call, text in ((ask, ASK_TRUE), (construct, CONSTRUCT)):
            started = time.monotonic()
            with pytest.raises(QueryError):
                call(text, url, timeout_s=0.3)
            assert time.monotonic() - started < 2.5
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- the command line




def engine_args(engine: str, endpoint: Endpoint) -> list[str]:
    return {"pyoxigraph": [], "rdflib": ["--engine", "rdflib"], "endpoint": ["--endpoint", endpoint.url]}[engine]


@pytest.mark.parametrize("engine", ENGINES)
def test_cli_ask_prints_true_or_false_and_exits_0_or_1(engine: str, tmp_path: Path, endpoint: Endpoint) -> None:
    for text, answer, code in ((ASK_TRUE, "true", 0), (ASK_FALSE, "false", 1)):
        query = tmp_path / "q.rq"
        query.write_text(text)
        assert invoke("query", "--file", str(query), *engine_args(engine, endpoint)) == (code, answer + "\n", "")


@pytest.mark.parametrize("engine,fmt,syntax", [
    *[("pyoxigraph", fmt, syntax) for fmt, syntax in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"),
                                                       (None, "turtle"))],
    ("rdflib", None, "turtle"), ("endpoint", "nt", "nt")])
def test_cli_construct_and_describe_write_rdf(engine: str, fmt: str | None, syntax: str, tmp_path: Path,
                                              graph: Graph, endpoint: Endpoint) -> None:
    for text in (CONSTRUCT, DESCRIBE):
        query = tmp_path / "q.rq"
        query.write_text(text)
        out = tmp_path / "out.rdf"
        code, stdout, stderr = invoke("query", "-f", str(query), *engine_args(engine, endpoint),
                                      *(["-O", fmt] if fmt else []), "-o", str(out))
        assert (code, stdout, stderr) == (0, "", "")
        written = Graph().parse(out, format=syntax)
        expected = construct(text, graph)
        assert len(written) == len(expected) > 0
        assert set(written) == set(expected)


def test_cli_nt_output_is_sorted_and_stdout_works(tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text(CONSTRUCT)
    code, stdout, _ = invoke("query", "-f", str(query), "-O", "nt")
    lines = stdout.splitlines()
    assert code == 0 and lines == sorted(lines) and all(ln.endswith(" .") for ln in lines)


@pytest.mark.parametrize("text", UPDATES)
def test_cli_refuses_updates_with_a_clear_message(text: str, tmp_path: Path) -> None:
    query = tmp_path / "update.rq"
    query.write_text(text)
    code, stdout, stderr = invoke("query", "--file", str(query))
    assert code == 2 and stdout == ""
    assert stderr.startswith(f"pnet-kg: error: {query}: SPARQL Update (")
    assert "never changes them" in stderr and "expected CONSTRUCT" not in stderr


def test_cli_refuses_a_format_that_does_not_fit_the_form(tmp_path: Path) -> None:
    for text, fmt in ((CONSTRUCT, "csv"), (SELECT_SAME, "ttl"), (ASK_TRUE, "nt")):
        query = tmp_path / "q.rq"
        query.write_text(text)
        code, stdout, stderr = invoke("query", "-f", str(query), "-O", fmt)
        assert code == 2 and stdout == "" and "-O" in stderr, (text, fmt, stderr)


def test_cli_select_from_a_file_still_prints_rows(tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text(SELECT_SAME)
    code, stdout, _ = invoke("query", "-f", str(query), "-O", "json", "--no-labels")
    assert code == 0 and {"s": "pnet:Liver", "l": "liver"} in json.loads(stdout)
