"""The running endpoint: Oxigraph's read-only server on a private port behind the checking front server.

:func:`serve` prepares the store (:mod:`.location`) and starts a :class:`Server`; Oxigraph is a
child process, stopped by its process id.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..dataset import Dataset, as_dataset
from ..errors import PnetKgError
from .front import FrontServer
from .location import oxigraph_binary, prepare_location


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def check_port(port: int) -> int:
    """Return ``port`` if it is a TCP port number (0: any free port), else raise :class:`PnetKgError`."""
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise PnetKgError(f"port must be an integer from 1 to 65535 (or 0 for any free port), not {port!r}")
    return port


@dataclass
class Server:
    """A running read-only Oxigraph server; use as a context manager or call :meth:`stop`."""

    location: Path
    port: int
    timeout_s: int = 60
    process: subprocess.Popen[bytes] | None = None
    _tmp: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)
    _front: FrontServer | None = field(default=None, repr=False)
    _log: IO[bytes] | None = field(default=None, repr=False)

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
        """Start Oxigraph on a private port and, in front of it on :attr:`port`, the checking server."""
        try:
            self._front = FrontServer(self.port, 0, self.timeout_s)
        except OSError as exc:
            raise PnetKgError(f"cannot listen on 127.0.0.1:{self.port}: {exc.strerror or exc}") from None
        self.port = self._front.port
        try:
            self._start_backend(wait_s)
        except BaseException:
            self.stop()
            raise
        threading.Thread(target=self._front.serve_forever, name="pnet-kg serve", daemon=True).start()
        return self

    def _start_backend(self, wait_s: float) -> None:
        assert self._front is not None
        backend = free_port()
        self._front.backend_port = backend
        self._log = log = tempfile.TemporaryFile(prefix="pnet-kg-oxigraph-")
        self.process = subprocess.Popen(
            [oxigraph_binary(), "serve-read-only", "--location", str(self.location),
             "--bind", f"127.0.0.1:{backend}", "--timeout-s", str(self.timeout_s)],
            # a file, not a pipe: Oxigraph logs every timed-out query, and a full pipe nobody reads blocks it
            stdout=subprocess.DEVNULL, stderr=log,
        )
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log.seek(0)
                err = log.read().decode("utf-8", "replace")
                raise PnetKgError(f"the Oxigraph server stopped at start: {err.strip()[-500:]}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{backend}/query?query=ASK%7B%7D", timeout=1).close()
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        raise PnetKgError(f"the Oxigraph server did not answer within {wait_s:.0f} s")

    def stop(self) -> None:
        """Stop the server by its process id (SIGTERM, then SIGKILL after 3 s: the read-only server has nothing to save, and it waits for idle keep-alive connections otherwise) and remove a temporary location."""
        if self._front is not None:
            self._front.shutdown()
            self._front.server_close()
            self._front = None
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(cases: Dataset | Sequence[str | Path] = (), *, port: int | None = None, location: str | Path | None = None,
          timeout_s: int = 60) -> Server:
    """Start a read-only endpoint on the dataset ``cases``: a :class:`~pnet_kg.dataset.Dataset`, or files
    (case CSV/JSON or RDF) opened with the shipped graph (default: the shipped graph alone).

    ``location`` keeps the store on disk between runs (reloaded only when the data changed);
    by default a temporary one is used and removed on :meth:`Server.stop`.
    """
    port = check_port(port if port is not None else 0)
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, int) or timeout_s < 1:
        raise PnetKgError(f"timeout_s must be a whole number of seconds >= 1, not {timeout_s!r}")
    dataset = as_dataset(cases)  # every file read and checked before a folder is made
    tmp = None
    if location is None:
        tmp = tempfile.TemporaryDirectory(prefix="pnet-kg-store-")
        where = Path(tmp.name) / "store"
    else:
        where = Path(location)
    try:
        prepare_location(where, dataset)
    except BaseException:  # SIGTERM and Ctrl-C included: leave no temporary store behind
        if tmp is not None:
            tmp.cleanup()
        raise
    server = Server(where, port, timeout_s, _tmp=tmp)
    return server.start()
