"""Harm from hostile input, and tracebacks (issue 12): each test is named for what it guards.

HTTP peers (a store that redirects, fails or stalls; an endpoint that answers garbage; a host
serving a JSON-LD context) are tiny http.server instances on 127.0.0.1 made by the test.
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import pnet_kg
from pnet_kg.errors import InputError, PnetKgError, QueryError

# ---------------------------------------------------------------- a scriptable local HTTP peer


class Peer:
    """Records every request; ``answer(method, path, body)`` returns (status, headers, body)."""

    def __init__(self, answer: Callable[[str, str, bytes], tuple[int, dict[str, str], bytes]]) -> None:
        self.answer = answer
        self.requests: list[dict[str, Any]] = []
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                peer.requests.append({"method": self.command, "path": self.path, "body": body,
                                      "headers": dict(self.headers)})
                status, headers, payload = peer.answer(self.command, self.path, body)
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except ConnectionError:
                    pass  # the client under test gave up (a timeout test): expected

            do_GET = do_POST = do_PUT = do_DELETE = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def peer(answer: Callable[[str, str, bytes], tuple[int, dict[str, str], bytes]]) -> Iterator[Peer]:
    p = Peer(answer)
    try:
        yield p
    finally:
        p.close()


def ok(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
    return 204, {}, b""


@pytest.fixture(scope="module")
def case_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pnet_kg.cases import write_case_table

    path = tmp_path_factory.mktemp("cases") / "cohort.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        write_case_table(pnet_kg.synth_cases(12, seed=3), handle, "csv")
    return path


@pytest.fixture(scope="module")
def _modules() -> dict[str, Any]:
    from pnet_kg.load import load_modules

    return load_modules()


@pytest.fixture(autouse=True)
def _parse_modules_once(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    # push() parses the 13 modules on every call (about 1 s); these tests are about what it sends
    if "push" in request.node.name:
        modules = request.getfixturevalue("_modules")
        monkeypatch.setattr("pnet_kg.push.load_modules", lambda: modules)


# ---------------------------------------------------------------- serve --location


def test_serve_location_refuses_a_foreign_non_empty_folder_and_deletes_nothing(tmp_path: Path) -> None:
    from pnet_kg.serve import prepare_location

    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "chapter1.tex").write_text("years of work")
    with pytest.raises(PnetKgError, match="not empty and is not a store made by pnet-kg serve"):
        prepare_location(folder)
    assert (folder / "chapter1.tex").read_text() == "years of work"
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    with pytest.raises(PnetKgError, match="must be a folder"):
        prepare_location(a_file)
    assert a_file.read_text() == "x"


# ---------------------------------------------------------------- push


def test_push_refuses_a_redirect_and_forwards_neither_data_nor_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    from pnet_kg.push import push

    monkeypatch.setenv("PNET_KG_USER", "alice")
    monkeypatch.setenv("PNET_KG_PASSWORD", "s3cret")
    with peer(ok) as elsewhere:
        target = elsewhere.url.replace("http://", "http://mallory:pw@") + "steal"
        with peer(lambda m, p, b: (302, {"Location": target}, b"")) as store:
            with pytest.raises(PnetKgError) as caught:
                push(store.url + "store")
        assert elsewhere.requests == []  # nothing followed the redirect
    message = str(caught.value)
    assert "HTTP 302" in message and "never follows redirects" in message
    assert "mallory:pw" not in message and "http://***@127.0.0.1" in message
    assert len(store.requests) == 1


def _case_blocks(case_file: Path) -> list[set[bytes]]:
    from pnet_kg.cases import case_rdf, iter_cases
    from pnet_kg.rules import load_rules

    vocab = load_rules().vocabulary
    return [{line.encode() for line in case_rdf(c, vocab, "nt").splitlines() if line.strip()}
            for c in iter_cases(case_file, vocab=vocab)]


def test_push_never_cuts_a_case_across_requests(case_file: Path) -> None:
    from pnet_kg.push import DEFAULT_CASE_GRAPH, graph_url, push

    with peer(ok) as store:
        pushed = push(store.url + "store", [case_file], chunk_triples=7)
    case_path = graph_url("/store", DEFAULT_CASE_GRAPH)
    bodies = [set(r["body"].splitlines()) for r in store.requests if r["path"] == case_path]
    assert len(bodies) > 1  # chunked at all
    blocks = _case_blocks(case_file)
    for block in blocks:
        assert sum(1 for body in bodies if body & block) == 1, "a case was split across requests"
    assert pushed[-1].triples == sum(len(b) for b in blocks)
    methods = [r["method"] for r in store.requests if r["path"] == case_path]
    assert methods[0] == "PUT" and set(methods[1:]) == {"POST"}


def test_push_chunk_and_timeout_must_be_positive(case_file: Path) -> None:
    from pnet_kg.cli import cli
    from pnet_kg.push import push

    with pytest.raises(InputError, match="chunk_triples must be an integer >= 1"):
        push("http://127.0.0.1:9/store", [case_file], chunk_triples=0)
    with pytest.raises(InputError, match="timeout_s"):
        push("http://127.0.0.1:9/store", timeout_s=0)
    result = CliRunner().invoke(cli, ["push", "--endpoint", "http://127.0.0.1:9/store", "--chunk", "0"])
    assert result.exit_code == 2 and "--chunk" in result.output


def _failing_at(n: int) -> Callable[[str, str, bytes], tuple[int, dict[str, str], bytes]]:
    count = {"n": 0}

    def answer(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        if path.startswith("/update"):
            return 204, {}, b""
        count["n"] += 1
        return (500, {}, b"disk full") if count["n"] == n else (204, {}, b"")

    return answer


def test_push_all_or_nothing_leaves_the_store_untouched_when_a_request_fails(case_file: Path) -> None:
    from pnet_kg.push import push

    with peer(_failing_at(4)) as store:
        with pytest.raises(PnetKgError, match="nothing was replaced at the store") as caught:
            push(store.url + "store", [case_file], update_endpoint=store.url + "update")
    writes = [r for r in store.requests if r["path"].startswith("/store")]
    assert all("urn%3Apnet-kg%3Apush%3A" in r["path"] for r in writes)  # only temporary graphs written
    updates = [r["body"].decode() for r in store.requests if r["path"] == "/update"]
    assert updates and not any("MOVE" in u for u in updates)
    assert all(u.startswith("DROP SILENT GRAPH <urn:pnet-kg:push:") for u in updates)  # temporaries removed
    assert "HTTP 500" in str(caught.value)


def test_push_all_or_nothing_replaces_every_graph_in_one_update(case_file: Path) -> None:
    from pnet_kg.push import push

    with peer(ok) as store:
        pushed = push(store.url + "store", [case_file], update_endpoint=store.url + "update", chunk_triples=10)
    updates = [r for r in store.requests if r["path"] == "/update"]
    assert len(updates) == 1
    text = updates[0]["body"].decode()
    assert updates[0]["headers"]["Content-Type"] == "application/sparql-update"
    for graph in pushed:
        assert f"TO <{graph.graph}>" in text
    assert text.count("MOVE <urn:pnet-kg:push:") == len(pushed)


def test_push_without_update_endpoint_names_exactly_the_graphs_replaced(case_file: Path) -> None:
    from pnet_kg.load import load_modules
    from pnet_kg.push import push

    modules = list(load_modules())
    with peer(_failing_at(4)) as store:
        with pytest.raises(PnetKgError) as caught:
            push(store.url + "store", [case_file])
    message = str(caught.value)
    assert f"replaced: {', '.join(modules[:3])}\n" in message
    from pnet_kg.push import DEFAULT_CASE_GRAPH

    # the failed PUT (the fourth) replaced nothing: its graph is among those not written
    assert f"not written: {', '.join([*modules[3:], DEFAULT_CASE_GRAPH])}" in message


def test_push_times_out_instead_of_waiting_300_s() -> None:
    from pnet_kg.push import push

    def stall(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        time.sleep(3)
        return 204, {}, b""

    with peer(stall) as store:
        started = time.monotonic()
        with pytest.raises(PnetKgError, match="no answer within 0.3 s"):
            push(store.url + "store", timeout_s=0.3)
        assert time.monotonic() - started < 2.5


def test_push_takes_credentials_from_the_url_and_never_shows_them() -> None:
    from pnet_kg.push import push

    with peer(lambda m, p, b: (401, {}, b"who are you")) as store:
        url = store.url.replace("http://", "http://bob:hunter2@") + "store"
        with pytest.raises(PnetKgError) as caught:
            push(url)
    assert "hunter2" not in str(caught.value) and "HTTP 401" in str(caught.value)
    assert store.requests[0]["headers"]["Authorization"] == "Basic Ym9iOmh1bnRlcjI="


# ---------------------------------------------------------------- credentials in messages


def test_credentials_in_an_endpoint_url_are_redacted_in_cli_messages() -> None:
    from pnet_kg.cli import main

    stderr = io.StringIO()
    url = "http://bob:hunter2@127.0.0.1:9/sparql"
    for argv in (["query", "term-list", "-p", "category=pnet:Drug", "--endpoint", url],
                 ["push", "--endpoint", url]):
        with redirect_stderr(stderr), _own_sigterm(), pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2
    assert "hunter2" not in stderr.getvalue() and "http://***@127.0.0.1:9" in stderr.getvalue()


@contextmanager
def _own_sigterm() -> Iterator[None]:
    # main() installs its SIGTERM handler; give pytest its own back
    saved = signal.getsignal(signal.SIGTERM)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, saved)


# ---------------------------------------------------------------- no requests on the user's behalf


SERVICE_QUERY = "SELECT * WHERE { SERVICE <%s> { ?s ?p ?o } }"


def test_service_is_refused_by_default_on_every_engine(graph: Any) -> None:
    from pnet_kg.query import run

    with peer(ok) as remote:
        for on in (None, graph, remote.url + "sparql"):
            with pytest.raises(QueryError, match="SERVICE"):
                run(SERVICE_QUERY % (remote.url + "sparql"), on)
        assert remote.requests == []
    from pnet_kg.cli import cli

    result = CliRunner().invoke(cli, ["query", "--help"])
    assert "--allow-service" in result.output


def test_malformed_json_from_a_service_is_a_query_error_not_a_traceback(graph: Any) -> None:
    from pnet_kg.query import run

    with peer(lambda m, p, b: (200, {"Content-Type": "application/sparql-results+json"}, b"{oops")) as remote:
        with pytest.raises(QueryError):
            run(SERVICE_QUERY % (remote.url + "sparql"), graph, allow_service=True)


@pytest.mark.parametrize("payload", [b"{oops", b"[1, 2]", b'{"results": 5}', b'{"head": {"vars": ["x"]}, '
                                     b'"results": {"bindings": [{"x": 3}]}}', b"[" * 100_000, b"\xff\xfe"])
def test_malformed_json_from_an_endpoint_is_a_query_error(payload: bytes) -> None:
    from pnet_kg.query import run

    with peer(lambda m, p, b: (200, {"Content-Type": "application/sparql-results+json"}, payload)) as remote:
        with pytest.raises(QueryError, match="SPARQL JSON results"):
            run("SELECT ?x WHERE { ?x ?p ?o }", remote.url + "sparql")


def test_a_remote_jsonld_context_is_never_fetched(tmp_path: Path) -> None:
    with peer(lambda m, p, b: (200, {"Content-Type": "application/ld+json"}, b'{"@context": {}}')) as host:
        doc = tmp_path / "data.jsonld"
        doc.write_text(json.dumps({"@context": host.url + "context.jsonld", "@id": "urn:x", "name": "y"}))
        with pytest.raises(InputError, match="remote @context") as caught:
            pnet_kg.load([doc])
        nested = tmp_path / "nested.jsonld"
        nested.write_text(json.dumps({"@context": [{"@vocab": "urn:v#"}],
                                      "@graph": [{"@context": host.url + "c", "@id": "urn:z"}]}))
        with pytest.raises(InputError, match="remote @context"):
            pnet_kg.load([nested])
        assert host.requests == []
    assert str(doc) in str(caught.value)


SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"


def test_every_engine_stops_a_query_at_its_timeout(graph: Any) -> None:
    from pnet_kg.query import run

    for on in (None, graph):
        started = time.monotonic()
        with pytest.raises(QueryError, match="did not finish within 0.3 s"):
            run(SLOW_QUERY, on, timeout_s=0.3)
        assert time.monotonic() - started < 2

    def stall(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        time.sleep(3)
        return 200, {}, b"{}"

    with peer(stall) as remote:
        started = time.monotonic()
        with pytest.raises(QueryError):
            run("SELECT * { ?s ?p ?o }", remote.url + "sparql", timeout_s=0.3)
        assert time.monotonic() - started < 2.5


# ---------------------------------------------------------------- billion laughs

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "ha">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
 <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:ex#">
  <rdf:Description rdf:about="urn:x"><ex:laugh>&i;</ex:laugh></rdf:Description>
</rdf:RDF>
"""


@pytest.mark.parametrize("suffix", [".rdf", ".owl", ".xml"])
def test_rdf_xml_entity_declarations_are_refused_on_every_path(tmp_path: Path, suffix: str) -> None:
    from pnet_kg.load import parse_file
    from pnet_kg.query import run
    from pnet_kg import Dataset

    laughs = tmp_path / f"laughs{suffix}"
    laughs.write_text(LAUGHS)
    paths: list[Callable[[], object]] = [
        lambda: parse_file(laughs),  # rdflib
        lambda: Dataset.open([laughs], shipped=False),  # the readability check, then pyoxigraph
        lambda: run("SELECT * { ?s ?p ?o } LIMIT 1", cases=[laughs]),  # pyoxigraph bulk load
        lambda: pnet_kg.validate(laughs),
    ]
    for path in paths:
        with pytest.raises(InputError, match="DOCTYPE or ENTITY") as caught:
            path()
        assert str(laughs) in str(caught.value)


# ---------------------------------------------------------------- fmt


@pytest.mark.parametrize("name, text", [
    ("x.nt", "<urn:a> <urn:b> <urn:c> .\n"),
    ("x.owl", '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'),
])
def test_fmt_refuses_non_turtle_files_and_leaves_them_as_they_are(tmp_path: Path, name: str, text: str) -> None:
    from pnet_kg.fmt import format_files

    path = tmp_path / name
    path.write_text(text)
    good = tmp_path / "good.ttl"
    good.write_text("<urn:a> <urn:b> <urn:c> .\n")
    with pytest.raises(InputError, match=r"Turtle sources \(\.ttl\) only"):
        format_files([good, path])
    assert path.read_text() == text
    assert good.read_text() == "<urn:a> <urn:b> <urn:c> .\n"  # nothing rewritten before the refusal


# ---------------------------------------------------------------- tracebacks


@pytest.mark.parametrize("code", [errno.EIO, errno.EACCES, errno.ENOSPC, errno.EROFS])
def test_file_system_errors_give_a_message_not_a_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                           code: int) -> None:
    from pnet_kg.cli import main

    def fail(source: object, target: object) -> None:
        raise OSError(code, os.strerror(code), str(target))

    monkeypatch.setattr(os, "replace", fail)  # the last step of every atomic write
    stderr = io.StringIO()
    with redirect_stderr(stderr), _own_sigterm(), pytest.raises(SystemExit) as exit_:
        main(["query", "--list", "-o", str(tmp_path / "out.txt")])
    assert exit_.value.code == 2
    text = stderr.getvalue()
    assert "Traceback" not in text and os.strerror(code) in text and "out.txt" in text

    def unreadable(*args: object) -> None:  # reading the shipped query files, say, off a failing disk
        raise OSError(code, os.strerror(code), "/site-packages/pnet_kg/data/queries")

    monkeypatch.setattr("pnet_kg.cli.query.list_queries", unreadable)  # where the command looks it up
    stderr = io.StringIO()
    with redirect_stderr(stderr), _own_sigterm(), pytest.raises(SystemExit) as exit_:
        main(["query", "--list"])
    assert exit_.value.code == 2
    assert "Traceback" not in stderr.getvalue() and f"queries: {os.strerror(code)}" in stderr.getvalue()


def test_a_full_tmpdir_gives_a_message_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    from pnet_kg.cases import write_case_table
    from pnet_kg.cli import main

    cases = tmp_path / "c.csv"
    with cases.open("w", encoding="utf-8", newline="") as handle:
        write_case_table(pnet_kg.synth_cases(3), handle, "csv")

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/tmp/spool")

    monkeypatch.setattr(tempfile, "TemporaryFile", full)  # cases import spools standard output there
    stderr = io.StringIO()
    with redirect_stderr(stderr), _own_sigterm(), pytest.raises(SystemExit) as exit_:
        main(["cases", "import", str(cases)])
    assert exit_.value.code == 2
    assert "Traceback" not in stderr.getvalue() and "TMPDIR" in stderr.getvalue()


def _copied_ontology(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from pnet_kg.resources import ontology_dir

    copy = tmp_path / "ontology"
    shutil.copytree(ontology_dir(), copy)
    monkeypatch.setattr(sys.modules["pnet_kg.load"], "ontology_dir", lambda: copy)
    return copy


def test_a_syntax_error_in_a_shipped_module_names_the_file_and_the_real_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = _copied_ontology(tmp_path, monkeypatch)
    core = copy / "core.ttl"
    lines = core.read_text(encoding="utf-8").split("\n")
    wrong = len(lines) * 3 // 4  # deep in the file, where rdflib's own count ran 30-40 lines ahead
    lines[wrong] += " ]]] bogus"
    core.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        pnet_kg.load()
    assert caught.value.file == str(core)
    assert caught.value.line == wrong + 1


def test_a_catalog_entry_pointing_at_a_missing_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = _copied_ontology(tmp_path, monkeypatch)
    (copy / "therapy.ttl").unlink()
    with pytest.raises(PnetKgError, match=r"catalog-v001.xml: the entry for \S+ names \S+therapy.ttl, which does not"):
        pnet_kg.load()


@pytest.mark.parametrize("argv", [["serve", "--port", "70000"], ["serve", "--port", "-1"],
                                  ["serve", "--timeout", "0"]])
def test_ports_and_timeouts_out_of_range_are_usage_errors(argv: list[str]) -> None:
    from pnet_kg.cli import cli

    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 2 and "Invalid value" in result.output
    from pnet_kg.serve import serve

    with pytest.raises(PnetKgError, match="port must be an integer from 1 to 65535"):
        serve(port=70000)


# ---------------------------------------------------------------- the public API's own errors

W = "/tmp/pnet-kg-hostile-never-written.ttl"
WRONG_CALLS: dict[str, Callable[[], object]] = {
    "build(out_dir=42)": lambda: pnet_kg.build(42),  # type: ignore[arg-type]
    "build(formats='owl')": lambda: pnet_kg.build(W, formats="owl"),  # type: ignore[arg-type]
    "build(formats=('xml',))": lambda: pnet_kg.build(W, formats=("xml",)),
    "list_queries(directory=42)": lambda: pnet_kg.list_queries(42),  # type: ignore[arg-type]
    "list_queries(missing folder)": lambda: pnet_kg.list_queries("/no/such/folder"),
    "load(extra=42)": lambda: pnet_kg.load(42),  # type: ignore[arg-type]
    "load(extra=[42])": lambda: pnet_kg.load([42]),  # type: ignore[list-item]
    "load_modules(root=42)": lambda: pnet_kg.load_modules(42),  # type: ignore[arg-type]
    "load_modules(root='urn:x')": lambda: pnet_kg.load_modules("urn:x"),
    "load_owlready(extra=42)": lambda: pnet_kg.load_owlready(42),  # type: ignore[arg-type]
    "load_owlready(graph='g')": lambda: pnet_kg.load_owlready(graph="g"),  # type: ignore[arg-type]
    "query(42)": lambda: pnet_kg.query(42),  # type: ignore[arg-type]
    "query('no-such-query')": lambda: pnet_kg.query("no-such-query"),
    "query(on=42)": lambda: pnet_kg.query("term-list", 42, category="pnet:Drug"),  # type: ignore[arg-type]
    "query(cases=42)": lambda: pnet_kg.query("term-list", cases=42, category="pnet:Drug"),  # type: ignore[arg-type]
    "query(category=42)": lambda: pnet_kg.query("term-list", category=42),
    "query(timeout_s='x')": lambda: pnet_kg.query("term-list", category="pnet:Drug", timeout_s="x"),  # type: ignore[arg-type]
    "query(timeout_s=-1)": lambda: pnet_kg.query("term-list", category="pnet:Drug", timeout_s=-1),
    "read_cases(42)": lambda: pnet_kg.read_cases(42),  # type: ignore[arg-type]
    "read_cases(None)": lambda: pnet_kg.read_cases(None),  # type: ignore[arg-type]
    "read_cases(vocab='x')": lambda: pnet_kg.read_cases("c.csv", vocab="x"),  # type: ignore[arg-type]
    "reason(reasoner='bogus')": lambda: pnet_kg.reason(reasoner="bogus"),  # type: ignore[arg-type]
    "reason(extra_files=42)": lambda: pnet_kg.reason(42),  # type: ignore[arg-type]
    "stage(42)": lambda: pnet_kg.stage(42),  # type: ignore[arg-type]
    "stage(None)": lambda: pnet_kg.stage(None),  # type: ignore[arg-type]
    "stage(rules='x')": lambda: pnet_kg.stage({"case_id": "a"}, rules="x"),  # type: ignore[arg-type]
    "stage_file(42)": lambda: pnet_kg.stage_file(42),  # type: ignore[arg-type]
    "stage_file(rules='x')": lambda: pnet_kg.stage_file("c.csv", rules="x"),  # type: ignore[arg-type]
    "stats(graph='g')": lambda: pnet_kg.stats("g"),  # type: ignore[arg-type]
    "synth_cases('5')": lambda: list(pnet_kg.synth_cases("5")),  # type: ignore[arg-type]
    "synth_cases(-1)": lambda: list(pnet_kg.synth_cases(-1)),
    "synth_cases(seed='x')": lambda: list(pnet_kg.synth_cases(5, seed="x")),  # type: ignore[arg-type]
    "synth_cases(graph='g')": lambda: list(pnet_kg.synth_cases(5, graph="g")),  # type: ignore[arg-type]
    "validate(42)": lambda: pnet_kg.validate(42),  # type: ignore[arg-type]
    "validate(engine='bogus')": lambda: pnet_kg.validate(engine="bogus"),  # type: ignore[arg-type]
    "validate(shapes='s')": lambda: pnet_kg.validate(shapes="s"),  # type: ignore[arg-type]
    "write_cases(42, path)": lambda: pnet_kg.write_cases(42, W),  # type: ignore[arg-type]
    "write_cases([1], path)": lambda: pnet_kg.write_cases([1], W),  # type: ignore[list-item]
    "write_cases(format='xml')": lambda: pnet_kg.write_cases([], W, format="xml"),  # type: ignore[arg-type]
    "write_cases(path=42)": lambda: pnet_kg.write_cases([], 42),  # type: ignore[arg-type]
    "write_cases(vocab='x')": lambda: pnet_kg.write_cases([], W, vocab="x"),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("call", list(WRONG_CALLS))
def test_a_wrong_argument_to_the_public_api_raises_the_packages_own_error(call: str) -> None:
    with pytest.raises(PnetKgError) as caught:
        WRONG_CALLS[call]()
    assert str(caught.value)
    assert not Path(W).exists()  # a refused call writes nothing
