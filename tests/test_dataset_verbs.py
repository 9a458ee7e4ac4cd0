"""Every verb takes a dataset: ``pnet-kg query`` (either engine), ``serve`` and ``push`` open one
:class:`~pnet_kg.dataset.Dataset` and hand it over; a file that cannot be parsed gives one message,
through :func:`pnet_kg.formats.parse_error`, whichever parser (pyoxigraph or rdflib) rejected it."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import INPUT, run_cli
from rdflib import Graph, Literal, URIRef

from pnet_kg.dataset import Dataset
from pnet_kg.errors import InputError
from pnet_kg.load import parse_file
from pnet_kg.push import DEFAULT_CASE_GRAPH, push
from pnet_kg.rules import load_rules, rules_from_graph
from pnet_kg.serve import prepare_location

CASES_CSV = INPUT / "query" / "cases.csv"
#: an unterminated string on line 3: both parsers stop there
BROKEN_TURTLE = '@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e "unterminated .\nex:f ex:g ex:h .\n'
#: well-formed XML, but not RDF/XML: an rdf:datatype that is no IRI, a node element inside a resource property
BROKEN_RDF_XML = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a">
    <ex:b rdf:resource="http://example.org/c" rdf:datatype="x"><ex:c/></ex:b>
  </rdf:Description>
</rdf:RDF>
"""
BROKEN = {"bad.ttl": ("turtle", BROKEN_TURTLE), "bad.rdf": ("xml", BROKEN_RDF_XML)}


def _error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if "cannot parse as" in line]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_file_gives_one_message_through_validate_and_either_query_engine(tmp_path: Path, name: str) -> None:
    fmt, text = BROKEN[name]
    bad = tmp_path / name
    bad.write_text(text, encoding="utf-8")
    results = {
        "validate": run_cli("validate", str(bad)),
        "query (pyoxigraph)": run_cli("query", "--cases", str(bad), "grading-rules"),
        "query (rdflib)": run_cli("query", "--engine", "rdflib", "--cases", str(bad), "grading-rules"),
    }
    for what, result in results.items():
        assert result.returncode == 2 and "Traceback" not in result.stderr, (what, result.stderr)
        assert result.stdout == "", what
    messages = {what: _error_line(result.stderr) for what, result in results.items()}
    assert len(set(messages.values())) == 1, messages
    assert re.search(rf"{re.escape(str(bad))}(:\d+)?: cannot parse as {fmt}: \S", messages["validate"])


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_rdflib_and_pyoxigraph_reject_a_file_in_the_same_shape(tmp_path: Path, name: str) -> None:
    # The rdflib view parses RDF files again (load.parse_file); its errors go through the same
    # formats.parse_error: the file, the line (rdflib's RDF/XML "file:///...:4:70: " prefix read as
    # the line, not repeated), "cannot parse as FORMAT", the parser's words.
    fmt, text = BROKEN[name]
    bad = tmp_path / name
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as by_rdflib:
        parse_file(bad)
    with pytest.raises(InputError) as by_oxigraph:
        Dataset.open(bad, shipped=False)
    for error in (by_rdflib.value, by_oxigraph.value):
        assert error.file == str(bad) and error.message.startswith(f"cannot parse as {fmt}: ")
        assert "file://" not in str(error) and "\n" not in str(error)
    assert by_rdflib.value.line == (3 if fmt == "turtle" else 4)
    if fmt == "turtle":  # both parsers know the line: the same place
        assert by_oxigraph.value.line == by_rdflib.value.line


def test_query_cases_reach_the_rdflib_view_for_ask_and_construct(tmp_path: Path) -> None:
    ask = tmp_path / "any-case.rq"
    ask.write_text("ASK { ?case a pnet:TumourCase }\n", encoding="utf-8")
    describe = tmp_path / "describe.rq"
    describe.write_text("CONSTRUCT { ?case pnet:caseId ?id } WHERE { ?case pnet:caseId ?id }\n", encoding="utf-8")
    for engine in ("rdflib", "oxigraph"):
        assert run_cli("query", "--engine", engine, "-f", str(ask)).returncode == 1  # false: the shipped graph alone
        found = run_cli("query", "--engine", engine, "-f", str(ask), "--cases", str(CASES_CSV))
        assert (found.returncode, found.stdout) == (0, "true\n"), (engine, found.stderr)
    rdflib_nt = run_cli("query", "--engine", "rdflib", "-f", str(describe), "--cases", str(CASES_CSV), "-O", "nt")
    oxigraph_nt = run_cli("query", "-f", str(describe), "--cases", str(CASES_CSV), "-O", "nt")
    assert rdflib_nt.returncode == oxigraph_nt.returncode == 0
    assert rdflib_nt.stdout == oxigraph_nt.stdout and rdflib_nt.stdout.count("\n") >= 5


def test_the_query_verbs_take_a_dataset_or_its_rdflib_view() -> None:
    from pnet_kg.query import query

    dataset = Dataset.open(CASES_CSV)
    on_store, on_view = query("case-nodal-classification", dataset), query("case-nodal-classification", dataset.graph)
    assert on_store.engine == "pyoxigraph" and on_view.engine == "rdflib"
    assert sorted(on_store.tuples()) == sorted(on_view.tuples()) and len(on_store.rows) > 0


def test_the_shipped_rules_read_from_the_dataset_store_equal_those_read_through_rdflib() -> None:
    from pnet_kg.load import load

    assert load_rules() == rules_from_graph(load())


# ---------------------------------------------------------------- serve


def _served(location: Path) -> set[tuple[str, str, str]]:
    store = ox.Store.read_only(str(location))
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in store}


def test_serve_stores_the_dataset_and_reuses_it_only_when_its_files_are_unchanged(tmp_path: Path) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_text(CASES_CSV.read_text(encoding="utf-8"), encoding="utf-8")
    db = tmp_path / "db"
    dataset = Dataset.open(cases)
    assert prepare_location(db, dataset) is True
    assert len(_served(db)) == len(dataset.store)
    assert prepare_location(db, Dataset.open(cases)) is False  # the same files: reused
    assert prepare_location(db, [cases]) is False  # a list of files opens the same dataset
    # data made in code has no file to compare: loaded every time, and served as it is
    extra = Graph()
    extra.add((URIRef("urn:test:a"), URIRef("urn:test:b"), Literal("made in code")))
    only = Dataset.open(extra, shipped=False)
    assert prepare_location(db, only) is True and prepare_location(db, only) is True
    assert _served(db) == {("<urn:test:a>", "<urn:test:b>", '"made in code"')}


# ---------------------------------------------------------------- push


@contextmanager
def _recorder() -> Iterator[tuple[str, list[tuple[str, str, bytes]]]]:
    """A Graph Store on 127.0.0.1 that accepts every request and records (method, path, body)."""
    seen: list[tuple[str, str, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            seen.append((self.command, self.path, self.rfile.read(int(self.headers.get("Content-Length") or 0))))
            self.send_response(204)
            self.end_headers()

        do_PUT = do_POST = _record

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/store", seen
    finally:
        server.shutdown()
        server.server_close()


def test_push_sends_the_dataset_it_is_given() -> None:
    extra = Graph()
    extra.add((URIRef("urn:test:a"), URIRef("urn:test:b"), Literal("made in code")))
    with _recorder() as (url, seen):
        pushed = push(url, Dataset.open(extra, shipped=False))  # no shipped graph: the case graph alone
    assert [p.graph for p in pushed] == [DEFAULT_CASE_GRAPH] and pushed[0].triples == 1
    assert [body for _, _, body in seen] == [b'<urn:test:a> <urn:test:b> "made in code" .\n']
    with _recorder() as (url, seen):
        pushed = push(url, Dataset.open(CASES_CSV))  # the modules, then the cases
    assert pushed[-1].graph == DEFAULT_CASE_GRAPH and len(pushed) > 5
    assert b"https://w3id.org/pnet-kg/case/" in seen[-1][2]


def test_evidence_on_a_dataset_is_evidence_on_its_file(tmp_path: Path) -> None:
    import pnet_kg
    from pnet_kg.synth import write_synth

    path = tmp_path / "cohort.csv"
    write_synth(path, 120, 9)
    dataset = Dataset(shipped=False)
    dataset.add_case_file(path)
    on_dataset, on_file = pnet_kg.evidence_dataset(dataset), pnet_kg.evidence_file(path)
    assert [r.rows() for r in on_dataset.results] == [r.rows() for r in on_file.results]
    assert len(on_dataset.results) == 120 and any(r.trials for r in on_dataset.results)
    with pytest.raises(InputError, match="dataset"):
        pnet_kg.evidence_dataset(str(path))  # type: ignore[arg-type]
