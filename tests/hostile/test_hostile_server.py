"""Harm from hostile input that needs real processes: the served endpoint, SIGTERM clean-up, a real store.

All slow: they start the Oxigraph server or the CLI on a large cohort. Servers bind 127.0.0.1
on a free port and are stopped by their process id.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import pnet_kg
from pnet_kg.errors import PnetKgError

pytestmark = pytest.mark.slow

SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"


@pytest.fixture(scope="module")
def server() -> Iterator[object]:
    from pnet_kg.serve import serve

    with serve(port=0, timeout_s=2) as running:
        yield running


def _request(port: int, method: str, path: str, host: str, body: str | None = None,
             content_type: str = "application/x-www-form-urlencoded") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": host, "Accept": "application/sparql-results+json"}
    if body is not None:
        headers["Content-Type"] = content_type
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def test_served_endpoint_answers_only_local_host_names(server: object) -> None:
    port = server.port  # type: ignore[attr-defined]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
        assert _request(port, "GET", "/query?query=ASK%7B%7D", host)[0] == 200
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1:{port + 1}", "localhost", ""):
        status, body = _request(port, "GET", "/query?query=ASK%7B%7D", host)
        assert status == 403, host
        assert b"127.0.0.1" in body


def test_served_endpoint_refuses_service(server: object) -> None:
    port = server.port  # type: ignore[attr-defined]
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    host = f"127.0.0.1:{port}"
    assert _request(port, "GET", "/query?" + urllib.parse.urlencode({"query": query}), host)[0] == 400
    assert _request(port, "POST", "/query", host, urllib.parse.urlencode({"query": query}))[0] == 400
    assert _request(port, "POST", "/query", host, query, "application/sparql-query")[0] == 400


def test_served_endpoint_timeout_is_an_http_error_not_200(server: object) -> None:
    port = server.port  # type: ignore[attr-defined]
    status, body = _request(port, "POST", "/query", f"127.0.0.1:{port}", urllib.parse.urlencode({"query": SLOW_QUERY}))
    assert status == 503 and b"time limit" in body


def test_served_endpoint_survives_hundreds_of_half_open_connections(server: object) -> None:
    port = server.port  # type: ignore[attr-defined]
    stalled = []
    try:
        for _ in range(300):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(b"GET /query?query=ASK%7B%7D HTTP/1.1\r\n")  # and never the rest
            stalled.append(sock)
        # stalled clients hold no worker: a real request is answered (a stalled server would time out)
        answer = urllib.request.urlopen(server.query_url + "?query=ASK%7B%7D", timeout=8)  # type: ignore[attr-defined]
        assert answer.status == 200
    finally:
        for sock in stalled:
            sock.close()


def test_serve_location_reuses_its_own_store_and_still_refuses_others(tmp_path: Path) -> None:
    from pnet_kg.serve import OWNER_MARKER, prepare_location

    store = tmp_path / "store"
    assert prepare_location(store) is True
    assert (store / OWNER_MARKER).is_file()
    assert prepare_location(store) is False  # unchanged: reused
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "data.db").write_text("keep")
    with pytest.raises(PnetKgError):
        prepare_location(tmp_path / "other")
    assert (tmp_path / "other" / "data.db").read_text() == "keep"


# ---------------------------------------------------------------- SIGTERM


def _children(pid: int) -> list[tuple[int, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append((int(entry.name), cmdline))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pnet_kg.cases import write_case_table

    path = tmp_path_factory.mktemp("cohort") / "cohort.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        write_case_table(pnet_kg.synth_cases(40_000, seed=1), handle, "csv")
    return path


def _cli(args: list[str], tmpdir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    return subprocess.Popen([sys.executable, "-m", "pnet_kg", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=env)


def test_sigterm_during_serve_load_leaves_no_loader_and_no_temporary_folders(tmp_path: Path, cohort: Path) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    process = _cli(["serve", "--port", "0", "--cases", str(cohort)], tmpdir)
    loader = None
    deadline = time.monotonic() + 120
    while loader is None and time.monotonic() < deadline and process.poll() is None:
        loader = next((pid for pid, cmd in _children(process.pid) if "oxigraph" in cmd and " load " in cmd), None)
        time.sleep(0.05)
    assert loader is not None, "never saw the oxigraph loader"
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    assert process.returncode == 143, process.stderr.read() if process.stderr else ""
    time.sleep(0.2)
    assert not _alive(loader), "oxigraph load was orphaned"
    assert list(tmpdir.iterdir()) == []


def test_sigterm_during_cases_import_leaves_no_tmp_file(tmp_path: Path, cohort: Path) -> None:
    out = tmp_path / "out" / "cases.ttl"
    out.parent.mkdir()
    process = _cli(["cases", "import", str(cohort), "-o", str(out)], tmp_path)
    deadline = time.monotonic() + 120
    while not list(out.parent.glob("*.tmp")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    assert list(out.parent.glob("*.tmp")), "never saw the temporary file"
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    assert process.returncode == 143
    assert list(out.parent.iterdir()) == []


# ---------------------------------------------------------------- a real store


def test_push_all_or_nothing_on_a_real_oxigraph_store(tmp_path: Path) -> None:
    from conftest import writable_oxigraph

    from pnet_kg.cases import write_case_table
    from pnet_kg.push import DEFAULT_CASE_GRAPH, push

    cases = tmp_path / "cases.csv"
    with cases.open("w", encoding="utf-8", newline="") as handle:
        write_case_table(pnet_kg.synth_cases(30, seed=2), handle, "csv")
    with writable_oxigraph(tmp_path / "db") as base:
        pushed = push(base + "store", [cases], update_endpoint=base + "update", chunk_triples=50)
        graphs_query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
        request = urllib.request.Request(base + "query", data=urllib.parse.urlencode({"query": graphs_query}).encode(),
                                          headers={"Accept": "text/csv"})
        graphs = set(urllib.request.urlopen(request, timeout=30).read().decode().split()[1:])
        assert graphs == {p.graph for p in pushed}  # no temporary graph left behind
        assert DEFAULT_CASE_GRAPH in graphs


def test_served_endpoint_answers_expect_100_continue_without_waiting(server: object) -> None:
    # the gate holds a request until its body is in; curl asks first for bodies over 1 KB
    port = server.port  # type: ignore[attr-defined]
    body = urllib.parse.urlencode({"query": "ASK {} #" + "x" * 2000}).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"POST /query HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded"
                     f"\r\nContent-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n".encode())
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.0 200")
