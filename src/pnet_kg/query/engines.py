"""Query engines: one SELECT interface over an rdflib Graph, an embedded pyoxigraph Store and a remote endpoint.

The same query text runs on the shipped graph (in an embedded pyoxigraph store by
default, or an rdflib Graph), on a store with case data, or on a remote SPARQL 1.1
endpoint (HTTP, SPARQL JSON results); every engine gives its cells as the same plain
values (:mod:`pnet_kg.query.results`).

>>> engine_for().select("SELECT ?l WHERE { <https://w3id.org/pnet-kg/Liver> <http://www.w3.org/2000/01/rdf-schema#label> ?l }")
(['l'], [['liver']])
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, Union, cast

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from ..dataset import Dataset
from ..errors import QueryError
from ..guard import DEFAULT_TIMEOUT_S, NO_REDIRECT_OPENER, as_paths, redact, split_credentials
from ..prefixes import RDFS
from .results import IriCell, literal_value, pick_label

_LABEL = RDFS.label
#: Media types of graph results an endpoint may answer with, and the rdflib syntax of each.
_GRAPH_MEDIA = {"application/n-triples": "nt", "text/plain": "nt", "text/turtle": "turtle",
                "application/x-turtle": "turtle"}

#: An absolute IRI without the characters that would end an IRI in SPARQL text.
IRI_OK = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")


class QueryEngine(Protocol):
    """Runs SELECT queries and returns columns and rows of :data:`~pnet_kg.query.results.Value`; IRIs as marked strings."""

    name: str

    def select(self, text: str) -> tuple[list[str], list[list[object]]]:
        """Columns and rows; an IRI cell is an :class:`~pnet_kg.query.results.IriCell`, anything else a Value."""
        ...

    def labels(self, iris: set[str]) -> dict[str, str]:
        """``rdfs:label`` of each IRI that has one (English preferred)."""
        ...




@lru_cache(maxsize=256)
def _prepared(text: str) -> Any:
    # rdflib spends 15-120 ms parsing a query: parse each distinct text once per process.
    from rdflib.plugins.sparql import prepareQuery  # its parser takes ~130 ms to import: only this engine needs it

    return prepareQuery(text)


class RdflibEngine:
    """Queries an :class:`rdflib.Graph` (the shipped graph by default)."""

    name = "rdflib"

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._labels: dict[str, str] | None = None

    def _term(self, term: object) -> object:
        if term is None:
            return None
        if isinstance(term, URIRef):
            return IriCell(term)
        if isinstance(term, BNode):
            return f"_:{term}"
        if isinstance(term, Literal):
            return literal_value(str(term), str(term.datatype) if term.datatype else None, term.language)
        return str(term)

    def select(self, text: str) -> tuple[list[str], list[list[object]]]:
        try:
            result = self.graph.query(_prepared(text))
            if result.type != "SELECT":
                raise QueryError(f"only SELECT queries are supported here (got {result.type})")
            columns = [str(v) for v in result.vars or []]
            # evaluation is lazy: errors (a SERVICE answering garbage, say) surface while iterating
            rows = [[self._term(t) for t in row] for row in cast(Iterable[Sequence[object]], result)]
        except QueryError:
            raise
        except Exception as exc:  # rdflib raises pyparsing and many other types
            raise QueryError(f"the query failed on rdflib: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from exc
        return columns, rows

    def _run(self, text: str, forms: tuple[str, ...]) -> Any:
        try:
            result = self.graph.query(_prepared(text))
            if result.type not in forms:
                raise QueryError(f"expected {' or '.join(forms)}, got a {result.type} query")
            if result.type == "ASK":
                return bool(result.askAnswer)
            graph = Graph()
            for triple in cast(Iterable[tuple[Any, Any, Any]], result):  # lazy, like SELECT rows
                graph.add(triple)
            return graph
        except QueryError:
            raise
        except Exception as exc:  # rdflib raises pyparsing and many other types
            raise QueryError(f"the query failed on rdflib: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from exc

    def ask(self, text: str) -> bool:
        """The answer of an ASK query."""
        return cast(bool, self._run(text, ("ASK",)))

    def construct(self, text: str) -> Graph:
        """The triples of a CONSTRUCT or DESCRIBE query."""
        return cast(Graph, self._run(text, ("CONSTRUCT", "DESCRIBE")))

    def labels(self, iris: set[str]) -> dict[str, str]:
        if self._labels is None:
            best: dict[str, tuple[int, str]] = {}
            for s, o in self.graph.subject_objects(_LABEL):
                if isinstance(s, URIRef) and isinstance(o, Literal):
                    best[str(s)] = pick_label(best.get(str(s)), str(o), o.language)
            self._labels = {k: v[1] for k, v in best.items()}
        return {i: self._labels[i] for i in iris if i in self._labels}


class OxigraphEngine:
    """Queries an embedded :class:`pyoxigraph.Store` (case data at cohort scale)."""

    name = "pyoxigraph"

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._labels: dict[str, str] | None = None

    def select(self, text: str) -> tuple[list[str], list[list[object]]]:
        try:
            solutions = self.store.query(text)
        except (SyntaxError, OSError, ValueError) as exc:
            raise QueryError(f"the query failed on pyoxigraph: {exc}") from exc
        if not isinstance(solutions, ox.QuerySolutions):
            raise QueryError("only SELECT queries are supported here")
        columns = [v.value for v in solutions.variables]
        named, literal, blank = ox.NamedNode, ox.Literal, ox.BlankNode
        cache: dict[object, object] = {}

        def convert(term: object) -> object:
            if term is None:
                return None
            hit = cache.get(term)
            if hit is not None:
                return hit
            if isinstance(term, named):
                value: object = IriCell(term.value)
            elif isinstance(term, literal):
                value = literal_value(term.value, term.datatype.value, term.language)
            elif isinstance(term, blank):
                value = f"_:{term.value}"
            else:  # pragma: no cover - triple terms
                value = str(term)
            if len(cache) < 100_000:
                cache[term] = value
            return value

        width = range(len(columns))
        try:
            rows = [[convert(solution[i]) for i in width] for solution in solutions]
        except (OSError, ValueError) as exc:
            raise QueryError(f"the query failed on pyoxigraph: {exc}") from exc
        return columns, rows

    def _query(self, text: str) -> object:
        try:
            return self.store.query(text)
        except (SyntaxError, OSError, ValueError) as exc:
            raise QueryError(f"the query failed on pyoxigraph: {exc}") from exc

    def ask(self, text: str) -> bool:
        """The answer of an ASK query."""
        answer = self._query(text)
        if not isinstance(answer, ox.QueryBoolean):
            raise QueryError("expected an ASK query")
        return bool(answer)

    def construct(self, text: str) -> Graph:
        """The triples of a CONSTRUCT or DESCRIBE query, as an rdflib Graph."""
        triples = self._query(text)
        if not isinstance(triples, ox.QueryTriples):
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        try:
            data = triples.serialize(format=ox.RdfFormat.N_TRIPLES)
        except (OSError, ValueError) as exc:
            raise QueryError(f"the query failed on pyoxigraph: {exc}") from exc
        graph = Graph()
        if data:
            graph.parse(data=data.decode("utf-8"), format="nt")
        return graph

    def labels(self, iris: set[str]) -> dict[str, str]:
        if self._labels is None:
            best: dict[str, tuple[int, str]] = {}
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(str(_LABEL)), None):
                s, o = quad.subject, quad.object
                if isinstance(s, ox.NamedNode) and isinstance(o, ox.Literal):
                    best[s.value] = pick_label(best.get(s.value), o.value, o.language)
            self._labels = {k: v[1] for k, v in best.items()}
        return {i: self._labels[i] for i in iris if i in self._labels}


class EndpointEngine:
    """Queries a SPARQL 1.1 Protocol endpoint over HTTP (POST, SPARQL JSON results)."""

    name = "endpoint"

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        if not isinstance(url, str) or not re.match(r"^https?://[^\s/]", url):
            raise QueryError(f"endpoint {redact(str(url))!r} is not an http(s) URL")
        # credentials in the URL become a header and never appear in a message
        self.url, self._auth = split_credentials(url)
        self.shown = redact(url)
        self.timeout = timeout

    def _request(self, text: str, accept: str) -> tuple[bytes, str]:
        """The body and media type of the endpoint's answer to ``text``."""
        body = urllib.parse.urlencode({"query": text}).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": accept, **self._auth})
        try:
            with NO_REDIRECT_OPENER.open(request, timeout=self.timeout) as response:
                media = response.headers.get_content_type()
                return response.read(), media
        except urllib.error.HTTPError as exc:
            if 300 <= exc.code < 400:
                raise QueryError(f"endpoint {self.shown} answered HTTP {exc.code}, a redirect to "
                                 f"{redact(exc.headers.get('Location') or '(no Location)')}; give the final URL "
                                 "(redirects are not followed)") from None
            detail = exc.read().decode("utf-8", "replace").strip().splitlines()
            raise QueryError(f"endpoint {self.shown} answered HTTP {exc.code}: "
                             f"{redact(detail[0][:300]) if detail else exc.reason}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise QueryError(f"cannot reach endpoint {self.shown}: {redact(str(getattr(exc, 'reason', exc)))}") from None

    def _post(self, text: str) -> dict[str, Any]:
        data, _ = self._request(text, "application/sparql-results+json")
        try:
            payload = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, absurd nesting
            raise QueryError(f"endpoint {self.shown} did not return SPARQL JSON results: {str(exc)[:200]}") from None
        if not isinstance(payload, dict):
            raise QueryError(f"endpoint {self.shown} did not return SPARQL JSON results (not a JSON object)")
        return payload

    @staticmethod
    def _term(cell: Mapping[str, str] | None) -> object:
        if cell is None:
            return None
        kind = cell.get("type")
        if kind == "uri":
            return IriCell(cell["value"])
        if kind == "bnode":
            return f"_:{cell['value']}"
        return literal_value(cell["value"], cell.get("datatype"), cell.get("xml:lang"))

    def select(self, text: str) -> tuple[list[str], list[list[object]]]:
        payload = self._post(text)
        if "results" not in payload:
            raise QueryError("only SELECT queries are supported here")
        try:
            columns = [str(c) for c in payload.get("head", {}).get("vars", [])]
            rows = [[self._term(b.get(c)) for c in columns] for b in payload["results"]["bindings"]]
        except (AttributeError, KeyError, TypeError) as exc:
            raise QueryError(f"endpoint {self.shown} returned malformed SPARQL JSON results "
                             f"({type(exc).__name__}: {exc})") from None
        return columns, rows

    def ask(self, text: str) -> bool:
        """The answer of an ASK query (SPARQL JSON results: ``{"boolean": true}``)."""
        answer = self._post(text).get("boolean")
        if not isinstance(answer, bool):
            raise QueryError(f"endpoint {self.shown} did not answer the ASK query with a boolean")
        return answer

    def construct(self, text: str) -> Graph:
        """The triples of a CONSTRUCT or DESCRIBE query, asked for as N-Triples or Turtle (no format that
        could make the parser fetch more: no RDF/XML entities, no JSON-LD remote contexts)."""
        data, media = self._request(text, "application/n-triples, text/turtle;q=0.9, text/plain;q=0.5")
        syntax = _GRAPH_MEDIA.get(media)
        if syntax is None:
            raise QueryError(f"endpoint {self.shown} answered the query with {media}, not N-Triples or Turtle")
        graph = Graph()
        try:
            graph.parse(data=data.decode("utf-8"), format=syntax)
        except Exception as exc:  # rdflib raises many types for bad syntax
            raise QueryError(f"endpoint {self.shown} returned malformed {syntax}: {str(exc)[:200]}") from None
        return graph

    def labels(self, iris: set[str]) -> dict[str, str]:
        found: dict[str, tuple[int, str]] = {}
        ordered = sorted(iris)
        for start in range(0, len(ordered), 400):
            chunk = " ".join(URIRef(i).n3() for i in ordered[start:start + 400] if IRI_OK.match(i))
            if not chunk:
                continue
            payload = self._post(f"PREFIX rdfs: <{RDFS}>\n"
                                 f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {chunk} }} ?s rdfs:label ?l }}")
            try:
                for b in payload["results"]["bindings"]:
                    s, label = b["s"]["value"], b["l"]
                    found[s] = pick_label(found.get(s), label["value"], label.get("xml:lang"))
            except (AttributeError, KeyError, TypeError) as exc:
                raise QueryError(f"endpoint {self.shown} returned malformed SPARQL JSON results "
                                 f"({type(exc).__name__}: {exc})") from None
        return {k: v[1] for k, v in found.items()}


Target = Union[Dataset, Graph, ox.Store, str, QueryEngine, None]


def engine_for(on: Target = None, cases: Iterable[str | Path] = ()) -> QueryEngine:
    """Choose the engine: a :class:`~pnet_kg.dataset.Dataset`, an rdflib Graph, a pyoxigraph Store, an endpoint
    URL, or ``None``.

    ``None`` means the shipped graph in an embedded pyoxigraph store built once per
    process (with ``cases``: a new store with the shipped graph and those cases). A
    named query answers there in a few milliseconds, against tens to hundreds on rdflib
    (``benchmarks/queries.py``); pass a dataset's rdflib view (``Dataset.open(files).graph``)
    or ``load()`` to run on rdflib instead.
    """
    cases = list(as_paths(cases, "cases"))
    if isinstance(on, Dataset):
        if cases:
            for path in cases:
                on.add(path)
        return OxigraphEngine(on.store)
    if isinstance(on, str):
        if cases:
            raise QueryError("case files cannot be added to a remote endpoint here; push them to it first")
        return EndpointEngine(on)
    if isinstance(on, Graph):
        if cases:  # the files read once, as on the other engines, then added to the graph given
            on += Dataset.open(cases, shipped=False).graph
        return RdflibEngine(on)
    if on is None:
        if cases:
            return OxigraphEngine(Dataset.open(cases).store)
        return OxigraphEngine(_shipped_store())
    if hasattr(on, "select") and hasattr(on, "labels"):
        return on  # type: ignore[return-value]
    if isinstance(on, ox.Store):
        if cases:
            dataset = Dataset(shipped=False, store=on)
            for path in cases:
                dataset.add(path)
        return OxigraphEngine(on)
    raise QueryError(f"cannot run a query on {type(on).__name__}: give a Dataset, an rdflib Graph, a pyoxigraph "
                     "Store or a URL")


@lru_cache(maxsize=1)
def _shipped_store() -> ox.Store:
    # the default target of a library call: the shipped graph alone, opened once per process
    return Dataset.open().store

