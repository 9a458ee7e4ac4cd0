"""Upload the graph to any SPARQL 1.1 Graph Store Protocol endpoint (Oxigraph, Fuseki, GraphDB, Virtuoso, Neptune).

Each ontology module goes to a named graph called by its ontology IRI, replacing
the previous version; case data goes to one named graph, sent in chunks that never
cut a case in two (an RDF file is sent whole: its blank nodes must arrive together).

All or nothing where the store allows it: given the store's SPARQL Update URL
(``update_endpoint``), everything is first uploaded into temporary named graphs, and
one SPARQL update then moves them over the real graphs (one request, which the store
runs as one transaction); a failure before that leaves the store's graphs as they were.
Without it, graphs are replaced one after the other, and a failure names exactly which
graphs were replaced, which was partly written and which were not touched.

Redirects are never followed (a write sent elsewhere, with its credentials, is how data
leaks): a 3xx answer is an error. Credentials for basic authentication come from the
environment (``PNET_KG_USER``, ``PNET_KG_PASSWORD``) or from the URL
(``https://user:password@host/...``), and are never shown in a message.
"""

from __future__ import annotations

import base64
import os
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from .cases import case_rdf
from .dataset import Dataset, as_dataset
from .errors import InputError, InputErrors, PnetKgError
from .guard import DEFAULT_TIMEOUT_S, NO_REDIRECT_OPENER, redact, split_credentials
from .load import load_modules, parse_file
from .prefixes import PNET
from .rules import load_rules

DEFAULT_CASE_GRAPH = str(PNET["cases"])
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")


@dataclass(frozen=True)
class PushedGraph:
    """One named graph written to the store."""

    graph: str
    triples: int


def graph_url(endpoint: str, graph: str) -> str:
    """The Graph Store Protocol URL of a named graph (indirect identification, ``?graph=``).

    >>> graph_url("http://127.0.0.1:7878/store", "https://w3id.org/pnet-kg/core.owl")
    'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fw3id.org%2Fpnet-kg%2Fcore.owl'
    """
    separator = "&" if urllib.parse.urlparse(endpoint).query else "?"
    return f"{endpoint}{separator}{urllib.parse.urlencode({'graph': graph})}"


class _Store:
    """Where and how to send: URLs without credentials, the Authorization header, the time limit."""

    def __init__(self, endpoint: str, update_endpoint: str | None, timeout_s: float) -> None:
        self.endpoint, self.headers = self._split(endpoint, "endpoint")
        self.update_endpoint = None
        if update_endpoint is not None:
            self.update_endpoint, update_auth = self._split(update_endpoint, "update_endpoint")
            self.headers = self.headers or update_auth
        user, password = os.environ.get("PNET_KG_USER"), os.environ.get("PNET_KG_PASSWORD")
        if user:
            token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
            self.headers = {"Authorization": f"Basic {token}"}
        self.timeout_s = timeout_s

    @staticmethod
    def _split(url: object, name: str) -> tuple[str, dict[str, str]]:
        if not isinstance(url, str) or not re.match(r"^https?://[^\s/]", url):
            shown = redact(url) if isinstance(url, str) else repr(url)
            raise InputError(f"{name} must be an http(s) URL, not {shown!r}")
        return split_credentials(url)

    def send(self, method: str, url: str, body: bytes, content_type: str = "application/n-triples") -> None:
        request = urllib.request.Request(url, data=body, method=method,
                                         headers={"Content-Type": content_type, **self.headers})
        try:
            with NO_REDIRECT_OPENER.open(request, timeout=self.timeout_s) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            if 300 <= exc.code < 400:
                target = redact(exc.headers.get("Location") or "(no Location)")
                raise PnetKgError(f"{method} {redact(url)}: HTTP {exc.code}, a redirect to {target}; pnet-kg never "
                                  "follows redirects on writes (the data and credentials would go elsewhere): "
                                  "give the final URL") from None
            detail = exc.read().decode("utf-8", "replace").strip()[:300]
            raise PnetKgError(f"{method} {redact(url)}: HTTP {exc.code} {exc.reason}: {redact(detail)}") from None
        except urllib.error.URLError as exc:
            raise PnetKgError(f"{method} {redact(url)}: cannot reach the endpoint: {redact(str(exc.reason))}") from None
        except (TimeoutError, OSError) as exc:
            raise PnetKgError(f"{method} {redact(url)}: no answer within {self.timeout_s:g} s ({exc})") from None

    def put(self, graph: str, body: bytes, first: bool = True) -> None:
        self.send("PUT" if first else "POST", graph_url(self.endpoint, graph), body)

    def update(self, text: str) -> None:
        assert self.update_endpoint is not None
        self.send("POST", self.update_endpoint, text.encode("utf-8"), "application/sparql-update")


def _case_groups(dataset: Dataset) -> Iterator[list[bytes]]:
    """The dataset's inputs as N-Triples lines in groups that must travel together: one case, or one whole
    RDF file or graph."""
    vocab = load_rules().vocabulary
    for part in dataset.parts:
        if isinstance(part, list):
            for case in part:
                yield [line.encode("utf-8") + b"\n" for line in case_rdf(case, vocab, "nt").splitlines() if line.strip()]
        else:
            text = (parse_file(part) if isinstance(part, Path) else part).serialize(format="nt")
            yield [line.encode("utf-8") + b"\n" for line in text.splitlines() if line.strip()]


def _counted(groups: Iterable[list[bytes]], bar: tqdm) -> Iterator[list[bytes]]:
    """The groups, each counted on ``bar`` as it is read."""
    for group in groups:
        bar.update()
        yield group


def _chunks(groups: Iterable[list[bytes]], size: int) -> Iterator[list[bytes]]:
    """Chunks of at least ``size`` triples (the last may be smaller), cut only between groups, so a
    chunk exceeds ``size`` by less than one group.

    >>> [len(c) for c in _chunks([[b"a"], [b"b", b"c"], [b"d"], [b"e", b"f", b"g"]], 2)]
    [3, 4]
    """
    chunk: list[bytes] = []
    for group in groups:
        chunk.extend(group)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _check_arguments(cases: object, case_graph: object, chunk_triples: object, timeout_s: object) -> None:
    if isinstance(cases, Dataset):
        pass
    elif isinstance(cases, (str, Path)) or not isinstance(cases, Iterable):
        raise InputError(f"cases must be a Dataset or a list of file paths, not {type(cases).__name__}")
    elif not all(isinstance(c, (str, Path)) for c in cases):
        bad = next(c for c in cases if not isinstance(c, (str, Path)))
        raise InputError(f"cases must hold file paths, not {type(bad).__name__}")
    if not isinstance(case_graph, str) or not _IRI.match(case_graph):
        raise InputError(f"case_graph must be an absolute IRI, not {case_graph!r}")
    if isinstance(chunk_triples, bool) or not isinstance(chunk_triples, int) or chunk_triples < 1:
        raise InputError(f"chunk_triples must be an integer >= 1, not {chunk_triples!r}")
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, (int, float)) or not timeout_s > 0:
        raise InputError(f"timeout_s must be a positive number of seconds, not {timeout_s!r}")


def push(endpoint: str, cases: Dataset | Sequence[str | Path] = (), *, case_graph: str = DEFAULT_CASE_GRAPH,
         chunk_triples: int = 50_000, progress: bool = False, update_endpoint: str | None = None,
         timeout_s: float = DEFAULT_TIMEOUT_S) -> list[PushedGraph]:
    """Push the dataset ``cases`` to the Graph Store ``endpoint``: each shipped module replaces its named
    graph, and the dataset's own inputs replace the case graph.

    ``cases`` is a :class:`~pnet_kg.dataset.Dataset` (without the shipped graph, ``Dataset(shipped=False)``,
    only the case graph is pushed) or files (case CSV/JSON or RDF) opened with the shipped graph.
    With ``update_endpoint`` (the store's SPARQL Update URL) the push is all or nothing;
    without it a failure says which graphs were replaced. Each request gets ``timeout_s``.
    """
    _check_arguments(cases, case_graph, chunk_triples, timeout_s)
    dataset = as_dataset(cases)  # read and checked whole before anything is sent
    store = _Store(endpoint, update_endpoint, float(timeout_s))
    modules = load_modules() if dataset.shipped else {}
    if case_graph in modules:
        raise InputError(f"case_graph {case_graph!r} is the IRI of an ontology module; choose another graph")
    atomic = store.update_endpoint is not None
    token = uuid.uuid4().hex
    staging = {g: f"urn:pnet-kg:push:{token}:{i}" for i, g in enumerate([*modules, case_graph])}
    written: list[str] = []  # graphs (or temporary graphs) fully written, in order
    partly: str | None = None
    pushed: list[PushedGraph] = []
    try:
        for iri, graph in tqdm(modules.items(), desc="modules", unit="graph", disable=not progress):
            store.put(staging[iri] if atomic else iri, graph.serialize(format="nt", encoding="utf-8"))
            written.append(iri)
            pushed.append(PushedGraph(iri, len(graph)))
        if dataset.parts:
            total = 0
            partly = case_graph
            # cases (an RDF file or a graph counts as one): a total and an ETA
            groups = sum(len(part) if isinstance(part, list) else 1 for part in dataset.parts)
            with tqdm(desc="cases", unit=" cases", total=groups, disable=not progress) as bar:
                for i, chunk in enumerate(_chunks(_counted(_case_groups(dataset), bar), chunk_triples)):
                    store.put(staging[case_graph] if atomic else case_graph, b"".join(chunk), first=i == 0)
                    total += len(chunk)
            if total == 0 and not atomic:  # no case: the graph is still replaced, by an empty one
                store.put(case_graph, b"")
            partly = None
            written.append(case_graph)
            pushed.append(PushedGraph(case_graph, total))
        if atomic:
            # one request, run by the store as one transaction; MOVE replaces the target graph
            store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" if _empty(g, pushed) else f"MOVE <{staging[g]}> TO <{g}>"
                                     for g in written))
    except BaseException as exc:
        raise _failure(exc, store, token if atomic else None, staging, written, partly,
                       [*modules, case_graph] if dataset.parts else [*modules]) from None
    return pushed


def _empty(graph: str, pushed: list[PushedGraph]) -> bool:
    return any(p.graph == graph and p.triples == 0 for p in pushed)


def _failure(exc: BaseException, store: _Store, token: str | None, staging: dict[str, str], written: list[str],
             partly: str | None, planned: list[str]) -> BaseException:
    """The error to raise when a push stops (``token`` set: an all-or-nothing push): what the store holds now."""
    if token is not None:
        for graph in [*written, *([partly] if partly else [])]:
            try:
                store.update(f"DROP SILENT GRAPH <{staging[graph]}>")
            except PnetKgError:
                pass  # the store is unreachable: the temporary graphs stay, and the message names them
        if not isinstance(exc, PnetKgError):
            return exc
        return _noted(exc, "nothing was replaced at the store (the push is all or nothing); its temporary "
                           f"graphs urn:pnet-kg:push:{token}:* were dropped")
    if not isinstance(exc, PnetKgError):
        return exc
    untouched = [g for g in planned if g not in written and g != partly]
    if not written and partly is None:
        return _noted(exc, "nothing was written to the store")
    lines = [str(exc), "the store was changed before the failure (no --update-endpoint: not all or nothing):",
             f"  replaced: {', '.join(written) or 'none'}"]
    if partly:
        lines.append(f"  partly written: {partly} (its first chunks only)")
    lines.append(f"  not written: {', '.join(untouched) or 'none'}")
    return _noted(exc, "\n".join(lines[1:]))


def _noted(exc: PnetKgError, note: str) -> PnetKgError:
    """``exc`` with what the store holds now said after it; every bad case row stays listed."""
    if isinstance(exc, InputErrors):
        return InputErrors(exc.errors, exc.more, note)
    return PnetKgError(f"{exc}\n{note}")
