"""A local, read-only SPARQL 1.1 endpoint: the Oxigraph server (from the ``oxigraph`` package) over the graph.

The shipped graph and any case files are bulk-loaded into an on-disk Oxigraph
location, then ``oxigraph serve-read-only`` answers the SPARQL Protocol on
127.0.0.1 with its query page at ``/``. Updates and Graph Store writes are refused
by the read-only server itself. The server is a child process, stopped by its
process id.
"""

from __future__ import annotations

import hashlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .cases import case_ntriples, is_case_file
from .errors import PnetKgError
from .io import atomic_writer
from .load import load
from .store import check_rdf_file


def oxigraph_binary() -> str:
    """Path of the ``oxigraph`` command installed by the ``oxigraph`` package (``pnet-kg[server]``)."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        raise PnetKgError("the Oxigraph server is not installed: pip install 'pnet-kg[server]' (package oxigraph)")
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_ntriples(files: Sequence[Path], workdir: Path) -> list[Path]:
    """The shipped graph and each input as an RDF file Oxigraph can load; case files are imported first."""
    shipped = workdir / "pnet-kg.nt"
    with atomic_writer(shipped, "wb") as handle:
        load().serialize(destination=handle, format="nt", encoding="utf-8")
    out = [shipped]
    for i, path in enumerate(files):
        if is_case_file(path):
            target = workdir / f"cases-{i}.nt"
            target.write_bytes(case_ntriples(path))
            out.append(target)
        else:
            check_rdf_file(path)  # Oxigraph's loader would fail later with a backtrace and no file name
            out.append(path)
    return out


def _fingerprint(inputs: Sequence[Path]) -> str:
    """Hash of the committed sources and the user's input files (not of serialisations, whose blank
    node labels change from run to run)."""
    from .load import module_files

    digest = hashlib.sha256()
    for path in [*module_files().values(), *inputs]:
        if not path.is_file():
            raise PnetKgError(f"{path}: no such file")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def prepare_location(location: Path, files: Sequence[Path] = ()) -> bool:
    """Make ``location`` hold exactly the shipped graph plus ``files``; return True if it (re)loaded.

    A kept location whose content is unchanged is reused as it is.
    """
    inputs = [Path(f) for f in files]
    fingerprint = _fingerprint(inputs)
    marker = location / "pnet-kg.fingerprint"
    if marker.is_file() and marker.read_text() == fingerprint:
        return False
    with tempfile.TemporaryDirectory(prefix="pnet-kg-serve-") as tmp:
        sources = _as_ntriples(inputs, Path(tmp))
        if location.exists():
            shutil.rmtree(location)
        location.mkdir(parents=True)
        command = [oxigraph_binary(), "load", "--location", str(location)]
        for source in sources:
            command += ["--file", str(source)]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise PnetKgError(f"oxigraph could not load the data: {result.stderr.strip()[-500:]}")
        marker.write_text(fingerprint)
        return True


@dataclass
class Server:
    """A running read-only Oxigraph server; use as a context manager or call :meth:`stop`."""

    location: Path
    port: int
    timeout_s: int = 30
    process: subprocess.Popen[bytes] | None = None
    _tmp: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """Base URL: the query page; SPARQL queries go to ``url + 'query'``."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def query_url(self) -> str:
        return self.url + "query"

    def page_link(self, query: str) -> str:
        """A link to the query page with ``query`` filled in (the page, YASGUI, reads the fragment).

        >>> Server(Path("db"), 7878).page_link("ASK {}")
        'http://127.0.0.1:7878/#query=ASK+%7B%7D&endpoint=http%3A%2F%2F127.0.0.1%3A7878%2Fquery'
        """
        return self.url + "#" + urllib.parse.urlencode({"query": query, "endpoint": self.query_url})

    def start(self, wait_s: float = 30.0) -> Server:
        self.process = subprocess.Popen(
            [oxigraph_binary(), "serve-read-only", "--location", str(self.location),
             "--bind", f"127.0.0.1:{self.port}", "--timeout-s", str(self.timeout_s)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise PnetKgError(f"the Oxigraph server stopped at start: {err.strip()[-500:]}")
            try:
                urllib.request.urlopen(self.query_url + "?query=ASK%7B%7D", timeout=1).close()
                return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise PnetKgError(f"the Oxigraph server did not answer on port {self.port} within {wait_s:.0f} s")

    def stop(self) -> None:
        """Stop the server by its process id (SIGTERM, then SIGKILL after 3 s: the read-only server has nothing to save, and it waits for idle keep-alive connections otherwise) and remove a temporary location."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stderr:
            self.process.stderr.close()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(cases: Sequence[str | Path] = (), *, port: int | None = None, location: str | Path | None = None,
          timeout_s: int = 30) -> Server:
    """Load the graph (and ``cases``: case CSV/JSON or RDF files) and start a read-only endpoint.

    ``location`` keeps the store on disk between runs (reloaded only when the data changed);
    by default a temporary one is used and removed on :meth:`Server.stop`.
    """
    tmp = None
    if location is None:
        tmp = tempfile.TemporaryDirectory(prefix="pnet-kg-store-")
        where = Path(tmp.name) / "store"
    else:
        where = Path(location)
    prepare_location(where, [Path(c) for c in cases])
    server = Server(where, port if port is not None else free_port(), timeout_s, _tmp=tmp)
    return server.start()
