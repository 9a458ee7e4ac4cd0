"""Running SPARQL: :func:`run` for SELECT text, :func:`ask` for ASK, :func:`construct` for CONSTRUCT and
DESCRIBE, :func:`query` for a named query with its parameters.

All add the project's prefixes the text uses, refuse ``SERVICE`` unless asked, stop a
query at its time limit and point an engine's parse error into the user's text. Results
are plain Python objects: a :class:`~pnet_kg.query.results.QueryResult` with labels beside
the IRIs (SELECT), a ``bool`` (ASK), an :class:`rdflib.Graph` (CONSTRUCT, DESCRIBE).
SPARQL Update (INSERT, DELETE, LOAD, CLEAR...) is refused: pnet-kg reads graphs, never changes them.

>>> run("SELECT ?l WHERE { pnet:Liver rdfs:label ?l }").rows
[{'l': 'liver'}]
>>> ask("ASK { pnet:Liver a pnet:DistantOrganSite }")
True
>>> len(construct("CONSTRUCT { pnet:Liver rdfs:label ?l } WHERE { pnet:Liver rdfs:label ?l }"))
1
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Literal, TypeVar

from rdflib import Graph

from ..errors import InputError, QueryError
from ..guard import DEFAULT_TIMEOUT_S, code_only, refuse_service, with_timeout
from ..load import load  # noqa: F401 - the doctests' rdflib engine
from ..prefixes import CASE, PNET, RDFS, bind_all, rdf_prefixes  # noqa: F401 - PNET, RDFS: doctests
from .binding import bound_text, check_values, with_prologue
from .catalogue import NamedQuery, get_query
from .engines import EndpointEngine, QueryEngine, Target, engine_for
from .results import Compactor, IriCell, QueryResult, Value


T = TypeVar("T")

#: The four read forms of SPARQL 1.1 Query.
QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
#: The first keywords of SPARQL 1.1 Update operations.
_UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
#: The prologue (PREFIX and BASE declarations, their IRIs already blanked out), then the first keyword.
_FIRST_KEYWORD = re.compile(r"(?i)^\s*(?:(?:PREFIX\s+[\w.-]*:|BASE)\s*)*([A-Za-z]+)")


def query_form(text: str) -> QueryForm:
    """The form of the SPARQL text: SELECT, ASK, CONSTRUCT or DESCRIBE; SPARQL Update raises :class:`QueryError`.

    Text that starts with none of these is taken for SELECT, so that the engine's parser points at the mistake.

    >>> query_form("PREFIX ex: <http://example.org/> # a comment\\nask { ?s ?p ?o }")
    'ASK'
    >>> query_form("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    Traceback (most recent call last):
    ...
    pnet_kg.errors.QueryError: SPARQL Update (INSERT) is not run: pnet-kg reads graphs and never changes them; give a SELECT, ASK, CONSTRUCT or DESCRIBE query
    """
    match = _FIRST_KEYWORD.match(code_only(text))
    word = match[1].upper() if match else ""
    if word in _UPDATES:
        raise QueryError(f"SPARQL Update ({word}) is not run: pnet-kg reads graphs and never changes them; "
                         "give a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    return word if word in _FORMS else "SELECT"  # type: ignore[return-value]


def _check_timeout(timeout_s: object) -> None:
    if timeout_s is not None and (isinstance(timeout_s, bool) or not isinstance(timeout_s, (int, float))
                                  or not timeout_s > 0):
        raise QueryError(f"timeout_s must be a positive number of seconds or None, not {timeout_s!r:.60}")


def _prepared_engine(text: object, on: Target, cases: Iterable[str | Path], timeout_s: float | None,
                     allow_service: bool, forms: tuple[QueryForm, ...]) -> QueryEngine:
    """The engine for ``text`` once the text, its form, its time limit and SERVICE are checked."""
    if not isinstance(text, str):
        raise QueryError(f"the query must be SPARQL text (str), not {type(text).__name__}")
    _check_timeout(timeout_s)
    form = query_form(text)
    if form not in forms:
        use = {"SELECT": "run", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "construct"}[form]
        raise QueryError(f"this is a{'n' if form == 'ASK' else ''} {form} query: run it with "
                         f"pnet_kg.query.{use} (expected {' or '.join(forms)})")
    if not allow_service:
        refuse_service(text)
    engine = engine_for(on, cases)
    if isinstance(engine, EndpointEngine) and timeout_s is not None:
        engine.timeout = timeout_s
    return engine


def _timed(work: Callable[[str], T], text: str, timeout_s: float | None) -> T:
    """``work`` on the text with the project prologue, within the time limit, errors pointed into ``text``."""
    full = with_prologue(text)
    try:
        return with_timeout(lambda: work(full), timeout_s, "the query")
    except QueryError as exc:
        raise QueryError(_located(str(exc), text, full.count("\n") - text.count("\n"))) from exc


_POSITION = re.compile(r"error at (\d+):(\d+): ")
_PREFIXED = re.compile(r"(?<![\w<#/:.-])([A-Za-z][\w-]*):(?=[\w%\\])")


def _located(message: str, text: str, shift: int) -> str:
    """Point an engine's parse error into the user's text (the project prefixes added before it
    shift its lines) and name an undeclared prefix instead of the parser's list of expected tokens.

    >>> _located("the query failed on pyoxigraph: error at 3:5: expected one of Prefix not found, ['%']",
    ...          "SELECT * WHERE { ?s foo:bar ?o }", 2)
    "line 1, column 5: unknown prefix 'foo:' (declare it with PREFIX foo: <...>; pnet-kg adds its own: see ontology/prefixes.tsv)"
    """
    match = _POSITION.search(message)
    if match is None:
        return message
    where = f"line {int(match[1]) - shift}, column {match[2]}"
    # An undeclared prefix is the likeliest cause, and parsers report it at odd places. Strings and
    # <IRIs> may hold colons; what is left of a prefixed name is a prefix use.
    bare = re.sub(r'<[^>\s]*>|"(?:[^"\\]|\\.)*"|#[^\n]*', " ", text)
    declared = {p for p in re.findall(r"(?im)^\s*PREFIX\s+([\w.-]*):", text)} | set(rdf_prefixes())
    unknown = sorted({p for p in _PREFIXED.findall(bare) if p not in declared})
    if unknown:
        return (f"{where}: unknown prefix '{unknown[0]}:' (declare it with PREFIX {unknown[0]}: <...>; "
                "pnet-kg adds its own: see ontology/prefixes.tsv)")
    detail = message[match.end():]
    return f"{where}: {detail if len(detail) <= 160 else detail[:157] + '...'}"


def run(text: str, on: Target = None, *, cases: Iterable[str | Path] = (), labels: bool = True,
        named: NamedQuery | None = None, timeout_s: float | None = DEFAULT_TIMEOUT_S,
        allow_service: bool = False, params: Mapping[str, object] | None = None) -> QueryResult:
    """Run SPARQL SELECT ``text`` (missing project prefixes are added) and return a :class:`QueryResult`.

    ``SERVICE`` (the engine calling another endpoint) is refused unless ``allow_service``; a query
    running longer than ``timeout_s`` seconds raises :class:`QueryError` (``None``: no limit).

    With ``named`` and its ``params``, each ``iri`` or ``code`` value is first checked against
    the graph (:func:`check_values`).

    >>> run("SELECT ?l WHERE { pnet:Liver rdfs:label ?l }").rows
    [{'l': 'liver'}]
    """
    engine = _prepared_engine(text, on, cases, timeout_s, allow_service, ("SELECT",))
    if named is not None and params:
        check_values(named, params, engine)
    columns, raw = _timed(engine.select, text, timeout_s)
    compact = Compactor()
    iris: set[str] = set()
    iri_columns: set[str] = set()
    rows: list[dict[str, Value]] = []
    for cells in raw:
        row: dict[str, Value] = {}
        for column, cell in zip(columns, cells):
            if isinstance(cell, IriCell):
                iris.add(str(cell))
                iri_columns.add(column)
                row[column] = compact(str(cell))
            else:
                row[column] = cell  # type: ignore[assignment]
        rows.append(row)
    label_map: dict[str, str] = {}
    # Case and metastasis IRIs carry no labels (the case contract has none): skip them, which
    # spares a remote endpoint one request per 400 cases.
    iris = {i for i in iris if not i.startswith(CASE)}
    if labels and iris:
        label_map = {compact(iri): label for iri, label in engine.labels(iris).items()}
    return QueryResult(columns=columns, rows=rows, labels=label_map,
                       iri_columns=tuple(c for c in columns if c in iri_columns),
                       name=named.name if named else None, engine=engine.name)


def ask(text: str, on: Target = None, *, cases: Iterable[str | Path] = (),
        timeout_s: float | None = DEFAULT_TIMEOUT_S, allow_service: bool = False) -> bool:
    """Run SPARQL ASK ``text`` and return its answer; engines, ``cases``, ``timeout_s`` and
    ``allow_service`` as in :func:`run`.

    >>> ask("ASK { pnet:Liver a pnet:DistantOrganSite }"), ask("ASK { pnet:Liver a pnet:Subsite }", load())
    (True, False)
    """
    engine = _prepared_engine(text, on, cases, timeout_s, allow_service, ("ASK",))
    return bool(_timed(_method(engine, "ask"), text, timeout_s))


def construct(text: str, on: Target = None, *, cases: Iterable[str | Path] = (),
              timeout_s: float | None = DEFAULT_TIMEOUT_S, allow_service: bool = False) -> Graph:
    """Run SPARQL CONSTRUCT or DESCRIBE ``text`` and return its triples as an :class:`rdflib.Graph`
    (with the project's prefixes bound); engines, ``cases``, ``timeout_s`` and ``allow_service`` as in :func:`run`.

    >>> graph = construct("DESCRIBE pnet:Liver")
    >>> print(graph.value(PNET.Liver, RDFS.label))
    liver
    """
    engine = _prepared_engine(text, on, cases, timeout_s, allow_service, ("CONSTRUCT", "DESCRIBE"))
    graph = _timed(_method(engine, "construct"), text, timeout_s)
    if not isinstance(graph, Graph):
        raise QueryError(f"the engine {engine.name} did not return a graph")
    return bind_all(graph)


def _method(engine: QueryEngine, name: str) -> Callable[[str], object]:
    """An engine's ``ask`` or ``construct``: a QueryEngine of one's own may have only ``select``."""
    method = getattr(engine, name, None)
    if method is None:
        raise QueryError(f"the engine {engine.name} runs SELECT queries only")
    return method  # type: ignore[no-any-return]


def query(name: str, /, on: Target = None, *, cases: Iterable[str | Path] = (), labels: bool = True,
          timeout_s: float | None = DEFAULT_TIMEOUT_S, **params: object) -> QueryResult:
    """Run the named query ``name`` with keyword parameters and return its rows.

    ``on`` chooses the engine: ``None`` (the shipped graph in an embedded pyoxigraph
    store, with the files of ``cases`` added when given), a :class:`~pnet_kg.dataset.Dataset`
    (its pyoxigraph store; ``dataset.graph`` for its rdflib view), an :class:`rdflib.Graph`, a
    :class:`pyoxigraph.Store` or the URL of a SPARQL endpoint. Every engine gives the same
    rows. A query running longer than ``timeout_s`` seconds raises :class:`QueryError`.

    Raises :class:`QueryError` for an unknown query or parameter, or an ill-typed
    value, listing what is allowed.

    >>> rows = query("node-classification", subsite="head", node_group="celiac").rows
    >>> sorted({(r["staging_system"], r["classification"]) for r in rows})[:1]
    [('pnet:System_AJCC8_SEER_EOD2018', 'pnet:Distant')]
    """
    if not isinstance(name, str):
        raise QueryError(f"the query name must be a str, not {type(name).__name__}")
    named = get_query(name)
    return run(bound_text(named, params), on, cases=cases, labels=labels, named=named, params=params,
               timeout_s=timeout_s)


def read_query_file(path: str | Path) -> str:
    """Read a user's ``.rq`` file; errors name the file."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the query: {exc}", file=path) from exc
