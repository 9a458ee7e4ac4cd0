"""The server users reach: it checks each request and passes it to the Oxigraph server behind.

It answers only ``Host: 127.0.0.1``/``localhost``/``[::1]`` with its port (DNS rebinding),
refuses ``SERVICE`` (the endpoint never sends requests elsewhere), bounds connections and
client silence, and turns Oxigraph's timeout (a 200 that stops mid-stream) into HTTP 503.
A gate thread reads every request whole before a worker sees it (see :func:`_request_complete`).
"""

from __future__ import annotations

import http.client
import io
import re
import selectors
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from ..guard import has_service


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

    server: FrontServer
    protocol_version = "HTTP/1.0"  # one request a connection: no idle keep-alive holding a worker
    timeout = CLIENT_TIMEOUT_S
    server_version = "pnet-kg"

    def __init__(self, request: Any, client_address: Any, server: FrontServer, received: bytes) -> None:
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

    def __init__(self, server: FrontServer) -> None:
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


class FrontServer(ThreadingHTTPServer):
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

