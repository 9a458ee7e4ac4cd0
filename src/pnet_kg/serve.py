"""A local, read-only SPARQL 1.1 endpoint: the Oxigraph server (from the ``oxigraph`` package) over the graph.

The shipped graph and any case files are bulk-loaded into an on-disk Oxigraph
location, then ``oxigraph serve-read-only`` answers the SPARQL Protocol on a private
port, with its query page at ``/``. Users reach it through a small server in this
process on 127.0.0.1 that answers only ``Host: 127.0.0.1``/``localhost``/``[::1]``
with its port (DNS rebinding), refuses ``SERVICE`` (the endpoint never sends requests
elsewhere), bounds connections and client silence, and turns Oxigraph's timeout
(a 200 that stops mid-stream) into HTTP 503. Updates and Graph Store writes are
refused by the read-only server itself. Oxigraph is a child process, stopped by its
process id.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any, cast

from .cases import case_ntriples, is_case_file
from .errors import PnetKgError
from .guard import has_service
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


#: Written into a ``--location`` folder before anything else: the folder is a store this command made,
#: so its contents may be replaced. A folder without it is never emptied.
OWNER_MARKER = ".pnet-kg-serve-store"
_FINGERPRINT = "pnet-kg.fingerprint"


def _check_location(location: Path) -> bool:
    """True if ``location`` is a store made by :func:`prepare_location`; False if it is new or empty.

    Anything else (a file, a folder with other contents) is refused: serving never deletes a user's files.
    """
    if not location.exists():
        return False
    if not location.is_dir():
        raise PnetKgError(f"{location}: --location must be a folder, and this is a file")
    if (location / OWNER_MARKER).is_file() or (location / _FINGERPRINT).is_file():
        return True
    if any(location.iterdir()):
        raise PnetKgError(f"{location}: the folder is not empty and is not a store made by pnet-kg serve; "
                          "give a new or empty folder (its contents would be replaced)")
    return False


def prepare_location(location: Path, files: Sequence[Path] = ()) -> bool:
    """Make ``location`` hold exactly the shipped graph plus ``files``; return True if it (re)loaded.

    A kept location whose content is unchanged is reused as it is. A folder that is not empty
    and was not made here is refused (:class:`PnetKgError`), never emptied.
    """
    inputs = [Path(f) for f in files]
    fingerprint = _fingerprint(inputs)
    ours = _check_location(location)
    marker = location / _FINGERPRINT
    if ours and marker.is_file() and marker.read_text() == fingerprint:
        return False
    with tempfile.TemporaryDirectory(prefix="pnet-kg-serve-") as tmp:
        sources = _as_ntriples(inputs, Path(tmp))
        if ours:
            shutil.rmtree(location)
        location.mkdir(parents=True, exist_ok=True)
        (location / OWNER_MARKER).write_text("a store made by pnet-kg serve; its contents are replaced on reload\n")
        command = [oxigraph_binary(), "load", "--location", str(location)]
        for source in sources:
            command += ["--file", str(source)]
        # On SIGTERM or Ctrl-C the exception raised in this thread makes subprocess.run kill the loader
        # and the with-block remove the temporary folder.
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise PnetKgError(f"oxigraph could not load the data: {result.stderr.strip()[-500:]}")
        marker.write_text(fingerprint)
        return True


def check_port(port: int) -> int:
    """Return ``port`` if it is a TCP port number (0: any free port), else raise :class:`PnetKgError`."""
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise PnetKgError(f"port must be an integer from 1 to 65535 (or 0 for any free port), not {port!r}")
    return port


#: Answers only for these host names (with the server's port): a page on another site that rebinds
#: its own name to 127.0.0.1 (DNS rebinding) sends its own Host and is refused.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
#: Requests answered at once (each waits for Oxigraph); more get 503 at once.
MAX_CONNECTIONS = 32
#: Connections still sending their request; more are closed (about 250 half-open ones stalled the old server).
MAX_PENDING = 1024
#: Seconds a client has to send its whole request before its connection is closed.
CLIENT_TIMEOUT_S = 10.0
#: Largest request body and largest result passed through.
MAX_REQUEST_BYTES = 10_000_000
MAX_RESPONSE_BYTES = 200_000_000
_CANCELLED = b"The SPARQL operation has been cancelled"


class _FrontHandler(BaseHTTPRequestHandler):
    """Checks each request (Host, SERVICE, size) and passes it to the Oxigraph server behind.

    ``received`` is the whole request, read beforehand by the gate."""

    server: _FrontServer
    protocol_version = "HTTP/1.0"  # one request a connection: no idle keep-alive holding a worker
    timeout = CLIENT_TIMEOUT_S
    server_version = "pnet-kg"

    def __init__(self, request: Any, client_address: Any, server: _FrontServer, received: bytes) -> None:
        self._received = received
        super().__init__(request, client_address, server)

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the socket's reader: the gate has read the request already
        self.rfile = io.BytesIO(self._received)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet, like the server behind it

    def _refuse(self, status: int, message: str) -> None:
        body = (message + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        return host in self.server.allowed_hosts

    def _query_text(self, body: bytes) -> str:
        parsed = urllib.parse.urlsplit(self.path)
        texts = urllib.parse.parse_qs(parsed.query).get("query", [])
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            texts += form.get("query", []) + form.get("update", [])
        elif kind in ("application/sparql-query", "application/sparql-update"):
            texts.append(body.decode("utf-8", "replace"))
        return "\n".join(texts)

    def _handle(self) -> None:
        if not self._host_ok():
            self._refuse(403, "forbidden: this server answers only requests for 127.0.0.1, localhost or [::1] "
                              f"on port {self.server.port}")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self._refuse(400, "bad Content-Length")
            return
        if not 0 <= length <= MAX_REQUEST_BYTES:
            self._refuse(413, f"the request is larger than {MAX_REQUEST_BYTES} bytes")
            return
        body = self.rfile.read(length) if length else b""
        if has_service(self._query_text(body)):
            self._refuse(400, "SERVICE is refused by this server: it does not send requests to other endpoints")
            return
        self._forward(body)

    def _forward(self, body: bytes) -> None:
        deadline = time.monotonic() + self.server.timeout_s + 2
        headers = {k: v for k in ("Accept", "Content-Type") if (v := self.headers.get(k))}
        connection = http.client.HTTPConnection("127.0.0.1", self.server.backend_port, timeout=self.server.timeout_s + 2)
        try:
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            parts: list[bytes] = []
            size = 0
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                if connection.sock is not None:
                    connection.sock.settimeout(remaining)
                part = response.read1(1 << 16) if self.command != "HEAD" else b""
                if not part:
                    break
                size += len(part)
                if size > MAX_RESPONSE_BYTES:
                    self._refuse(507, f"the result is larger than {MAX_RESPONSE_BYTES} bytes; add a LIMIT")
                    return
                parts.append(part)
        except (TimeoutError, socket.timeout):
            self._refuse(503, f"the query did not finish within the server's time limit of {self.server.timeout_s} s")
            return
        except (OSError, http.client.HTTPException) as exc:
            self._refuse(502, f"the SPARQL engine failed: {exc}")
            return
        finally:
            connection.close()
        data = b"".join(parts)
        if data.rstrip().endswith(_CANCELLED):  # Oxigraph sends 200 and then gives up mid-stream
            self._refuse(503, f"the query did not finish within the server's time limit of {self.server.timeout_s} s")
            return
        self.send_response(response.status, response.reason)
        for name in ("Content-Type", "Allow", "Location"):
            if (value := response.getheader(name)) is not None:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = _handle


_HEAD_END = re.compile(rb"\r?\n\r?\n")
_EXPECT_CONTINUE = re.compile(rb"(?im)^expect:[ \t]*100-continue")
_CONTENT_LENGTH = re.compile(rb"(?im)^content-length:[ \t]*(\d+)[ \t]*\r?$")
_BUSY = (b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 21\r\n"
         b"Connection: close\r\n\r\nbusy: try again later\n")


def _request_complete(data: bytes) -> bool:
    r"""True once ``data`` holds a request head and the body its Content-Length announces.

    >>> _request_complete(b"GET / HTTP/1.1\r\nHost: x\r\n"), _request_complete(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    (False, True)
    >>> _request_complete(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nab")
    False
    """
    end = _HEAD_END.search(data)
    if end is None:
        return False
    length = _CONTENT_LENGTH.search(data, 0, end.start() + 2)
    return len(data) - end.end() >= (int(length.group(1)) if length else 0)


class _Gate(threading.Thread):
    """Reads every connection's request, head and body, in one thread with a selector, before any
    worker sees it: a client that sends slowly (or never) costs a socket, not a worker, and is
    closed after CLIENT_TIMEOUT_S in all (not per byte). About 250 such connections stalled the
    thread-per-connection server this replaces."""

    def __init__(self, server: _FrontServer) -> None:
        super().__init__(name="pnet-kg serve gate", daemon=True)
        self.server = server
        self.selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self.selector.register(self._wake_r, selectors.EVENT_READ)
        self._new: list[tuple[socket.socket, Any]] = []
        self._lock = threading.Lock()
        self._pending: dict[socket.socket, tuple[Any, bytearray, float]] = {}
        self._continued: set[socket.socket] = set()
        self._stop = False

    def add(self, sock: socket.socket, address: Any) -> None:
        with self._lock:
            self._new.append((sock, address))
        self._wake_w.send(b"x")

    def stop(self) -> None:
        self._stop = True
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass  # already stopped

    def _drop(self, sock: socket.socket) -> None:
        self._pending.pop(sock, None)
        self._continued.discard(sock)
        try:
            self.selector.unregister(sock)
        except (KeyError, ValueError):
            pass
        sock.close()

    def run(self) -> None:
        while not self._stop:
            for key, _ in self.selector.select(timeout=0.5):
                if key.fileobj is self._wake_r:
                    self._accept_new()
                else:
                    self._read(cast(socket.socket, key.fileobj))
            now = time.monotonic()
            for sock in [s for s, (_, _, deadline) in self._pending.items() if deadline < now]:
                self._drop(sock)
        for sock in list(self._pending):
            self._drop(sock)
        self.selector.close()
        self._wake_r.close()
        self._wake_w.close()

    def _accept_new(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except BlockingIOError:
            pass
        with self._lock:
            new, self._new = self._new, []
        for sock, address in new:
            if len(self._pending) >= MAX_PENDING:
                sock.close()  # shed the newest rather than let the table grow without bound
                continue
            sock.setblocking(False)
            self._pending[sock] = (address, bytearray(), time.monotonic() + CLIENT_TIMEOUT_S)
            self.selector.register(sock, selectors.EVENT_READ)

    def _read(self, sock: socket.socket) -> None:
        address, data, _ = self._pending[sock]
        try:
            chunk = sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk or len(data) + len(chunk) > MAX_REQUEST_BYTES + 65536:
            self._drop(sock)
            return
        data += chunk
        if _request_complete(bytes(data)):
            self._pending.pop(sock)
            self._continued.discard(sock)
            self.selector.unregister(sock)
            sock.setblocking(True)
            self.server.dispatch(sock, address, bytes(data))
        elif sock not in self._continued and _EXPECT_CONTINUE.search(data) and _HEAD_END.search(data):
            # curl asks before sending a large body, and waits a second for this answer otherwise
            self._continued.add(sock)
            try:
                sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            except OSError:
                self._drop(sock)


class _FrontServer(ThreadingHTTPServer):
    """The server users reach: Host checked, connections bounded, requests passed to Oxigraph."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 256  # listen backlog: a burst of connections is accepted (and shed), not stalled

    def __init__(self, port: int, backend_port: int, timeout_s: int) -> None:
        super().__init__(("127.0.0.1", port), _FrontHandler)  # type: ignore[arg-type]  # built in dispatch()
        self.port = int(self.server_address[1])
        self.backend_port = backend_port
        self.timeout_s = timeout_s
        self.allowed_hosts = {f"{host}:{self.port}" for host in LOCAL_HOSTS}
        self._workers = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self.gate = _Gate(self)
        self.gate.start()

    def process_request(self, request: Any, client_address: Any) -> None:
        self.gate.add(request, client_address)  # the gate owns it from here

    def dispatch(self, sock: socket.socket, address: Any, data: bytes) -> None:
        """Answer a fully received request in a worker thread, or 503 at once when all are busy."""
        if not self._workers.acquire(blocking=False):
            try:
                sock.sendall(_BUSY)
            except OSError:
                pass
            sock.close()
            return

        def work() -> None:
            try:
                _FrontHandler(sock, address, self, data)
            except Exception:
                self.handle_error(sock, address)
            finally:
                self.shutdown_request(sock)
                self._workers.release()

        threading.Thread(target=work, name="pnet-kg serve worker", daemon=True).start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up is routine, not a server fault.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)

    def server_close(self) -> None:
        self.gate.stop()
        super().server_close()


@dataclass
class Server:
    """A running read-only Oxigraph server; use as a context manager or call :meth:`stop`."""

    location: Path
    port: int
    timeout_s: int = 60
    process: subprocess.Popen[bytes] | None = None
    _tmp: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)
    _front: _FrontServer | None = field(default=None, repr=False)
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
            self._front = _FrontServer(self.port, 0, self.timeout_s)
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


def serve(cases: Sequence[str | Path] = (), *, port: int | None = None, location: str | Path | None = None,
          timeout_s: int = 60) -> Server:
    """Load the graph (and ``cases``: case CSV/JSON or RDF files) and start a read-only endpoint.

    ``location`` keeps the store on disk between runs (reloaded only when the data changed);
    by default a temporary one is used and removed on :meth:`Server.stop`.
    """
    port = check_port(port if port is not None else 0)
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, int) or timeout_s < 1:
        raise PnetKgError(f"timeout_s must be a whole number of seconds >= 1, not {timeout_s!r}")
    tmp = None
    if location is None:
        tmp = tempfile.TemporaryDirectory(prefix="pnet-kg-store-")
        where = Path(tmp.name) / "store"
    else:
        where = Path(location)
    try:
        prepare_location(where, [Path(c) for c in cases])
    except BaseException:  # SIGTERM and Ctrl-C included: leave no temporary store behind
        if tmp is not None:
            tmp.cleanup()
        raise
    server = Server(where, port, timeout_s, _tmp=tmp)
    return server.start()
