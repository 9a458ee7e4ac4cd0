"""Defences against hostile input, in one place: redaction, refusals before parsing, time limits.

Each check runs before the input reaches a parser or an engine, because the harm
(a billion-laughs entity expansion, a network request made on the user's behalf,
a password echoed in a log) happens inside the library that would parse it.
"""

from __future__ import annotations

import base64
import ctypes
import json
import re
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any, TypeVar

from .errors import InputError, PnetKgError, QueryError

T = TypeVar("T")

#: Default time limit, in seconds, for one query or one HTTP request.
DEFAULT_TIMEOUT_S = 60.0

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s?#]*@")  # greedy: to the authority's last @


#: C0 controls, DEL and C1 controls: in text for a terminal they ring, move the cursor or start an
#: escape sequence (a label "\x1b]0;..." retitles the window), and a newline forges a line.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    r"""``text`` with each control character written as its escape, for output read on a terminal.

    >>> printable("case W\x07\n1\x1b[2J")
    'case W\\x07\\n1\\x1b[2J'
    """
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def redact(text: str) -> str:
    """Replace the credentials of every URL in ``text`` (``user:password@``) by ``***@``.

    >>> redact("cannot reach http://alice:s3cret@db.example.org:3030/ds/data")
    'cannot reach http://***@db.example.org:3030/ds/data'
    >>> redact("https://bob:p@ss@host/x?mail=a@b")
    'https://***@host/x?mail=a@b'
    """
    return _USERINFO.sub(r"\1***@", text)


def split_credentials(url: str) -> tuple[str, dict[str, str]]:
    """``url`` without ``user:password@`` and the basic-auth header those credentials make (or none).

    >>> split_credentials("http://u:p%40ss@127.0.0.1:3030/ds")
    ('http://127.0.0.1:3030/ds', {'Authorization': 'Basic dTpwQHNz'})
    """
    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return url, {}
    host = parts.hostname or ""
    netloc = (f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port else "")
    user, password = urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), {"Authorization": f"Basic {token}"}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
                         headers: Any, newurl: str) -> None:
        return None  # urllib then raises HTTPError with the 3xx status


#: An opener that never follows a redirect: a request (and its credentials) goes only where the user said.
NO_REDIRECT_OPENER = urllib.request.build_opener(_NoRedirect)


# SPARQL tokens that may hold the word SERVICE without being the keyword.
_NOT_CODE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
_SERVICE = re.compile(r"(?i)(?<![\w?$:.-])SERVICE(?![\w:.-])")


def has_service(query: str) -> bool:
    """True if the SPARQL text uses the ``SERVICE`` keyword (not in a string, IRI, comment or name).

    >>> has_service("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    True
    >>> has_service('SELECT ?service { ?service rdfs:label "SERVICE" } # SERVICE')
    False
    """
    return bool(_SERVICE.search(code_only(query)))


def code_only(query: str) -> str:
    """SPARQL text with its strings, IRIs and comments blanked out, so that only keywords and names are left.

    >>> code_only('ASK { ?s rdfs:label "SERVICE" } # DROP')
    'ASK { ?s rdfs:label   }  '
    """
    return _NOT_CODE.sub(" ", query)


def refuse_service(query: str) -> None:
    """Raise :class:`QueryError` if ``query`` would make the engine call another endpoint."""
    if has_service(query):
        raise QueryError("the query uses SERVICE, which makes the engine send requests to another endpoint; "
                         "refused by default (pnet-kg query --allow-service permits it)")


_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def refuse_xml_dtd(path: Path) -> None:
    """Refuse an RDF/XML file with a DOCTYPE or ENTITY declaration (entity expansion: "billion laughs").

    Protégé and the OWL API write RDF/XML without entities when asked, and entities are
    only abbreviations there, so nothing legitimate is lost.
    """
    try:
        with path.open("rb") as handle:
            tail = b""
            for block in iter(lambda: handle.read(1 << 20), b""):
                if _DTD.search(tail + block):
                    raise InputError("the RDF/XML declares a DOCTYPE or ENTITY; entity declarations are refused "
                                     "(they can expand to gigabytes): save the file without them", file=path)
                tail = block[-16:]
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=path) from None


def _remote_contexts(node: object, depth: int = 0) -> list[str]:
    if depth > 200:
        return []
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("@context", "@import"):
                items = value if isinstance(value, list) else [value]
                found += [v for v in items if isinstance(v, str)]
            found += _remote_contexts(value, depth + 1)
    elif isinstance(node, list):
        for item in node:
            found += _remote_contexts(item, depth + 1)
    return found


def refuse_remote_jsonld_context(path: Path) -> None:
    """Refuse a JSON-LD file whose ``@context`` is fetched from elsewhere (rdflib would download it)."""
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, RecursionError) as exc:
        raise InputError(f"cannot parse as JSON-LD: {str(exc)[:200]}", file=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=path) from None
    remote = _remote_contexts(data)
    if remote:
        raise InputError(f"the JSON-LD refers to a remote @context {remote[0]!r}; pnet-kg never fetches one: "
                         "put the context inline in the file", file=path)


class _Cancelled(BaseException):
    """Raised inside an abandoned worker thread to stop it."""


def with_timeout(work: Callable[[], T], timeout_s: float | None, what: str) -> T:
    """Run ``work()`` and return its value, or raise :class:`QueryError` after ``timeout_s`` seconds.

    The engines (pyoxigraph, rdflib) have no cancel call, so ``work`` runs in a daemon thread; on
    timeout an exception is raised asynchronously in that thread, which stops pure-Python work
    (rdflib) at once and native work (pyoxigraph) when it next returns to Python. The command
    line exits in any case, which ends it.

    >>> with_timeout(lambda: 42, 1.0, "answer")
    42
    """
    if timeout_s is None:
        return work()
    if not timeout_s > 0:
        raise PnetKgError(f"the timeout must be a positive number of seconds, not {timeout_s!r}")
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name=f"pnet-kg {what}", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if thread.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident or 0), ctypes.py_object(_Cancelled))
        raise QueryError(f"{what} did not finish within {timeout_s:g} s (the time limit; --timeout to change it)")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


# ---------------------------------------------------------------- argument checks of the public API
# A wrong argument type must end in the package's own error naming the argument, not in a
# TypeError or AttributeError from deep inside rdflib, or (worse) in a silent wrong result.


def as_path(value: object, name: str) -> Path:
    """``value`` as a :class:`Path`, or :class:`InputError` if it is not a str or path.

    >>> as_path("cases.csv", "path")
    PosixPath('cases.csv')
    """
    if isinstance(value, (str, Path)) and str(value):
        return Path(value)
    raise InputError(f"{name} must be a file path (str or pathlib.Path), not {type(value).__name__} {value!r:.60}")


def as_paths(value: object, name: str) -> list[Path]:
    """A list of file paths from one path or an iterable of them; :class:`InputError` otherwise.

    >>> as_paths("a.ttl", "extra"), as_paths(["a.ttl", "b.ttl"], "extra")
    ([PosixPath('a.ttl')], [PosixPath('a.ttl'), PosixPath('b.ttl')])
    """
    if isinstance(value, (str, Path)):
        return [as_path(value, name)]
    if not isinstance(value, Iterable) or isinstance(value, (bytes, dict)):
        raise InputError(f"{name} must be a list of file paths, not {type(value).__name__} {value!r:.60}")
    return [as_path(v, f"each item of {name}") for v in value]


def check_type(value: object, kinds: type | tuple[type, ...], name: str, optional: bool = False) -> None:
    """Raise :class:`InputError` unless ``value`` is an instance of ``kinds`` (or ``None`` if ``optional``)."""
    if optional and value is None:
        return
    if isinstance(value, bool) and bool not in (kinds if isinstance(kinds, tuple) else (kinds,)):
        raise InputError(f"{name} must be {_kind_names(kinds)}, not bool")
    if not isinstance(value, kinds):
        raise InputError(f"{name} must be {_kind_names(kinds)}{' or None' if optional else ''}, "
                         f"not {type(value).__name__} {value!r:.60}")


def _kind_names(kinds: type | tuple[type, ...]) -> str:
    return " or ".join(k.__name__ for k in (kinds if isinstance(kinds, tuple) else (kinds,)))


def check_choice(value: object, choices: Iterable[str], name: str) -> None:
    """Raise :class:`InputError` unless ``value`` is one of ``choices``."""
    allowed = list(choices)
    if not isinstance(value, str) or value not in allowed:
        raise InputError(f"{name} must be one of {', '.join(map(repr, allowed))}, not {value!r:.60}")
