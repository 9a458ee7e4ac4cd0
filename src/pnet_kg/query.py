"""Named SPARQL queries: a typed catalogue read from ``queries/*.rq`` and one runner for three engines.

Each ``.rq`` file starts with a header comment that this module parses::

    # title: Regional or distant lymph-node groups by primary sub-site
    # question: For a primary sub-site, is each node group regional or distant ...?
    # param: subsite (code, default: any) allowed: head, uncinate, body
    #   Case-file code of the primary sub-site.
    # param: node_group (code, default: any) allowed: any node-group code
    # domain: node_group ?term a pnet:LymphNodeGroup ; skos:notation ?value .
    # scope: knowledge
    # example: pnet-kg query node-classification --param subsite=head

A parameter is a variable of the query, given its default by a one-line
``VALUES ?name { ... }`` block in the body (``UNDEF`` for "any"), so that the file
runs as it is in any SPARQL editor. The runner replaces the inside of that block with
one RDF term built from the typed, validated value (never with the user's text), so
quotes, braces or SPARQL keywords in a value cannot change the query.

An ``iri`` or ``code`` parameter names something in the graph: its ``allowed:`` list,
or its ``# domain:`` (a SPARQL pattern binding ``?value`` to every allowed value, run on
the graph being queried). A value outside it is refused with the closest allowed values,
never answered with an empty table; ``string`` parameters stay free text.

The same query text runs on the shipped graph (in an embedded pyoxigraph store by
default, or an rdflib Graph), on a store with case data, or on a remote SPARQL 1.1
endpoint (HTTP, SPARQL JSON results), and the rows come back as the same plain
Python values: ``str``, ``int``, ``Decimal``, ``float``, ``bool``, ``datetime.date``;
IRIs as compact CURIEs (``pnet:Liver``), with their labels beside them.

>>> result = query("term-list", category="pnet:SubsiteFamily")
>>> [row["term"] for row in result.rows]
['pnet:SubsiteFamily_body_tail', 'pnet:SubsiteFamily_head', 'pnet:SubsiteFamily_other']
>>> result.labelled_columns()[:2]
['term', 'term_label']
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Union, cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib import namespace as _namespace

from .errors import InputError, QueryError
from .guard import DEFAULT_TIMEOUT_S, NO_REDIRECT_OPENER, redact, refuse_service, split_credentials, with_timeout
from .prefixes import converter, rdf_prefixes
from .resources import data_dir

if TYPE_CHECKING:  # pyoxigraph and pandas are imported only when used
    import pandas
    import pyoxigraph

#: A value in a result row.
Value = str | int | float | Decimal | bool | _dt.date | _dt.datetime | None

#: Parameter types a header may declare.
PARAM_TYPES = ("iri", "code", "string", "integer", "decimal", "boolean", "date")

_XSD = str(_namespace.XSD)
_RDFS_LABEL = _namespace.RDFS.label
_INTEGER_TYPES = {f"{_XSD}{t}" for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
    "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}
_STRING_TYPES = {f"{_XSD}string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString", f"{_XSD}normalizedString",
                 f"{_XSD}token", f"{_XSD}anyURI"}
_IRI_OK = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")
_NAME_OK = re.compile(r"^[a-z][a-z0-9_]*$")
_LABEL_SUFFIX = "_label"


# ---------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class Param:
    """One declared parameter of a named query.

    ``default`` is ``None`` for a required parameter and ``"any"`` for "no restriction";
    ``allowed`` is the closed list of accepted values, or empty when the set is open
    (``allowed_text`` then says what is accepted).
    """

    name: str
    type: str
    default: str | None
    allowed: tuple[str, ...] = ()
    allowed_text: str = ""
    description: str = ""
    domain: str = ""  #: SPARQL pattern binding ?value to the allowed values (open sets of iri and code)

    @property
    def required(self) -> bool:
        return self.default is None

    def describe(self) -> str:
        """One line for people: ``subsite (code, default any; head, body, tail)``."""
        default = "required" if self.default is None else f"default {self.default}"
        allowed = ", ".join(self.allowed) if self.allowed else self.allowed_text
        return f"{self.name} ({self.type}, {default}{'; ' + allowed if allowed else ''})"


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library: its name (file stem), header fields and SPARQL text."""

    name: str
    title: str
    question: str
    params: tuple[Param, ...]
    example: str
    scope: str
    text: str
    path: Path | None = None

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise QueryError(f"query {self.name!r} has no parameter {name!r}; "
                         f"its parameters: {_param_list(self)}")


def _param_list(q: NamedQuery) -> str:
    return "; ".join(p.describe() for p in q.params) or "none"


_HEADER_KEY = re.compile(r"^#\s*(title|question|param|domain|scope|example|list-columns|level):\s*(.*)$")
_PARAM_HEAD = re.compile(
    r"^(?P<name>[A-Za-z_][\w]*)\s*\((?P<type>\w+),\s*default:\s*(?P<default>[^)]*)\)\s*(?:allowed:\s*(?P<allowed>.*))?$")


def _values_block(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?m)^(?P<head>[ \t]*VALUES[ \t]+\?{re.escape(name)}[ \t]*\{{)(?P<body>[^{{}}\n]*)(?P<tail>\}})")


def parse_header(text: str, name: str, path: Path | None = None) -> NamedQuery:
    """Parse the header comment of a query file into a :class:`NamedQuery`.

    Raises :class:`QueryError` naming the file when a field is missing or a parameter
    has no ``VALUES`` block in the body.

    >>> q = parse_header('''# title: T
    ... # question: Q?
    ... # param: x (integer, default: 3)
    ... #   An integer.
    ... # example: pnet-kg query t
    ... SELECT ?x WHERE {
    ...   VALUES ?x { 3 }
    ... }''', "t")
    >>> q.params[0].describe()
    'x (integer, default 3)'
    """
    fields: dict[str, list[str]] = {}
    params: list[dict[str, str]] = []
    last: str | None = None
    where = str(path or name)
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _HEADER_KEY.match(line)
        if match:
            key, value = match.group(1), match.group(2).strip()
            last = key
            if key == "param":
                head = _PARAM_HEAD.match(value)
                if head is None:
                    raise QueryError(f"{where}: cannot read parameter line {line!r} "
                                     "(expected '# param: name (type, default: value) allowed: a, b')")
                params.append({k: (v or "").strip() for k, v in head.groupdict().items()} | {"description": ""})
            else:
                fields.setdefault(key, []).append(value)
        elif last is not None and line[1:].strip():
            continuation = line[1:].strip()
            if last == "param":
                params[-1]["description"] = (params[-1]["description"] + " " + continuation).strip()
            else:
                fields[last][-1] = f"{fields[last][-1]} {continuation}".strip()
    if "list-columns" in fields:
        # the CLI no longer sorts GROUP_CONCAT lists: the file itself must give the rows it means
        raise QueryError(f"{where}: '# list-columns:' is not supported: GROUP_CONCAT leaves the order of a list "
                         "to the engine; give one row per member instead")
    for key in ("title", "question", "example"):
        if not fields.get(key):
            raise QueryError(f"{where}: the header has no '# {key}:' line")
    domains: dict[str, str] = {}
    for line in fields.get("domain", []):
        target, _, pattern = line.partition(" ")
        if target not in {p["name"] for p in params if p["type"] in ("iri", "code")} or "?value" not in pattern:
            raise QueryError(f"{where}: '# domain: {target} ...' must name an iri or code parameter and bind ?value")
        domains[target] = pattern.strip()
    typed: list[Param] = []
    for p in params:
        if p["type"] not in PARAM_TYPES:
            raise QueryError(f"{where}: parameter {p['name']!r} has unknown type {p['type']!r} "
                             f"(known: {', '.join(PARAM_TYPES)})")
        if not _NAME_OK.match(p["name"]):
            raise QueryError(f"{where}: parameter name {p['name']!r} must be lower case letters, digits and _")
        if not _values_block(p["name"]).search(text):
            raise QueryError(f"{where}: parameter {p['name']!r} has no one-line 'VALUES ?{p['name']} {{ ... }}' block")
        allowed_raw = p.get("allowed", "")
        closed = bool(allowed_raw) and not allowed_raw.lower().startswith("any")
        allowed = tuple(a.strip() for a in allowed_raw.split(",") if a.strip()) if closed else ()
        if any(" " in a for a in allowed):
            raise QueryError(f"{where}: parameter {p['name']!r}: a closed 'allowed:' list holds single values "
                             "(start with 'any' for an open set)")
        default = p["default"]
        typed.append(Param(
            name=p["name"], type=p["type"], default=None if default.lower() == "required" else default,
            allowed=allowed,
            allowed_text="" if closed else allowed_raw, description=p["description"], domain=domains.get(p["name"], "")))
    scope = (fields.get("scope") or ["knowledge"])[0]
    return NamedQuery(name=name, title=fields["title"][0], question=fields["question"][0], params=tuple(typed),
                      example=fields["example"][0], scope=scope, text=text, path=path)


@lru_cache(maxsize=4)
def _catalogue(directory: Path) -> dict[str, NamedQuery]:
    found: dict[str, NamedQuery] = {}
    for path in sorted(directory.rglob("*.rq")):
        name = path.relative_to(directory).with_suffix("").as_posix()
        found[name] = parse_header(path.read_text(encoding="utf-8"), name, path)
    return found


def list_queries(directory: str | Path | None = None) -> list[NamedQuery]:
    """Return every named query of the library, sorted by name (QC queries are named ``qc/<rule>-violation``).

    >>> names = [q.name for q in list_queries()]
    >>> "node-classification" in names and "claims-of-source" in names
    True
    """
    from .guard import as_path

    root = as_path(directory, "directory") if directory is not None else data_dir("queries")
    if not root.is_dir():
        raise QueryError(f"{root}: no such folder of queries")
    return list(_catalogue(root.resolve()).values())


def get_query(name: str, directory: str | Path | None = None) -> NamedQuery:
    """Return the named query ``name``; :class:`QueryError` lists the known names otherwise."""
    queries = {q.name: q for q in list_queries(directory)}
    if name not in queries:
        raise QueryError(f"unknown query {name!r}; known queries: {', '.join(sorted(queries))}")
    return queries[name]


# ---------------------------------------------------------------- binding parameters


def _expand_iri(value: str) -> str:
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if re.match(r"^(https?|urn|file|mailto):", text):
        iri = text
    elif ":" in text:
        prefix = text.split(":", 1)[0]
        known = {**rdf_prefixes()}
        if prefix not in known:
            raise ValueError(f"unknown prefix {prefix!r} (known: {', '.join(sorted(known))})")
        iri = known[prefix] + text.split(":", 1)[1]
    else:
        iri = rdf_prefixes()["pnet"] + text
    if not _IRI_OK.match(iri):
        raise ValueError("not a valid IRI (spaces, quotes, braces and <>|^`\\ are not allowed)")
    return iri


def bind_value(param: Param, value: object) -> URIRef | Literal | None:
    """Turn a user value into the RDF term that the query's VALUES block receives.

    ``None`` and ``"any"`` (for a parameter that is not required) mean no restriction. Raises :class:`QueryError` for a value of the wrong type or outside
    the allowed list, naming what is allowed.

    >>> bind_value(Param("n", "integer", "any"), "12").n3()
    '"12"^^<http://www.w3.org/2001/XMLSchema#integer>'
    >>> bind_value(Param("s", "string", "any"), 'a "b" }').n3()
    '"a \\\\"b\\\\" }"'
    """
    if value is None or (isinstance(value, str) and value == "any" and not param.required):
        if param.required:
            raise QueryError(f"parameter {param.name!r} is required: {param.describe()}")
        return None
    text = value if isinstance(value, str) else None
    if param.allowed:
        shown = text if text is not None else str(value)
        if shown not in param.allowed:
            raise QueryError(f"parameter {param.name!r}: {shown!r} is not allowed; allowed values: "
                             f"{', '.join(param.allowed)}{'' if param.required else ' (or any)'}")
    try:
        if param.type == "iri":
            if isinstance(value, URIRef):
                return URIRef(_expand_iri(str(value)))
            if text is None:
                raise ValueError("expected an IRI or CURIE")
            return URIRef(_expand_iri(text))
        if param.type in ("code", "string"):
            if text is None:
                raise ValueError("expected text")
            return Literal(text)
        if param.type == "integer":
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise ValueError("expected an integer")
            return Literal(int(value), datatype=_namespace.XSD.integer)
        if param.type == "decimal":
            if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
                raise ValueError("expected a number")
            number = Decimal(str(value))
            if not number.is_finite():
                raise ValueError("expected a finite number")
            return Literal(number, datatype=_namespace.XSD.decimal)
        if param.type == "boolean":
            if isinstance(value, bool):
                return Literal(value)
            words = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
            if text is None or text.lower() not in words:
                raise ValueError("expected true or false")
            return Literal(words[text.lower()])
        if param.type == "date":
            if isinstance(value, _dt.date):
                return Literal(value, datatype=_namespace.XSD.date)
            if text is None:
                raise ValueError("expected a date")
            return Literal(_dt.date.fromisoformat(text), datatype=_namespace.XSD.date)
    except (ValueError, InvalidOperation) as exc:
        raise QueryError(f"parameter {param.name!r}: {value!r} is not a valid {param.type}: {exc}; "
                         f"expected {param.describe()}") from None
    raise QueryError(f"parameter {param.name!r} has unknown type {param.type!r}")  # pragma: no cover


def bound_text(named: NamedQuery, params: Mapping[str, object]) -> str:
    """Return ``named``'s SPARQL with each parameter's VALUES block holding its bound term.

    Unknown parameter names raise :class:`QueryError` listing the query's parameters.
    """
    unknown = sorted(set(params) - {p.name for p in named.params})
    if unknown:
        raise QueryError(f"query {named.name!r} has no parameter {', '.join(map(repr, unknown))}; "
                         f"its parameters: {_param_list(named)}")
    text = named.text
    for p in named.params:
        if p.name in params:
            term = bind_value(p, params[p.name])
        elif p.required:
            raise QueryError(f"query {named.name!r} needs parameter {p.name!r}: {p.describe()}")
        else:
            continue  # the file's own VALUES block holds the default
        inside = " UNDEF " if term is None else f" {term.n3()} "
        match = _values_block(p.name).search(text)
        assert match is not None  # parse_header checked that every parameter has its block
        text = text[:match.start("body")] + inside + text[match.end("body"):]
    return text


def allowed_values(param: Param, on: Target = None) -> list[str]:
    """Every value ``param`` accepts on the graph ``on`` (see :func:`engine_for`), sorted: its
    ``allowed:`` list, or what its ``# domain:`` pattern finds (IRIs as CURIEs); empty for free text.

    >>> allowed_values(get_query("node-classification").param("node_group"))[:3]
    ['anterior_pancreaticoduodenal', 'celiac', 'common_bile_duct']
    """
    if param.allowed:
        return list(param.allowed)
    if not param.domain:
        return []
    return sorted(_domain(param, engine_for(on)))


def _domain(param: Param, engine: Engine) -> dict[str, str]:
    """Allowed values of ``param`` on ``engine``: shown form (CURIE or code) -> full form (IRI or code)."""
    _, rows = engine.select(with_prologue(f"SELECT DISTINCT ?value WHERE {{ {param.domain} }}"))
    compact = _Compactor()
    found: dict[str, str] = {}
    for (value,) in rows:
        if isinstance(value, _Iri):
            found[compact(str(value))] = str(value)
        elif param.type == "code" and isinstance(value, str):
            found[value] = value
    return found


def check_values(named: NamedQuery, params: Mapping[str, object], on: Target = None) -> None:
    """Refuse an ``iri`` or ``code`` value that names nothing of its parameter's domain in the graph ``on``
    (a typo would otherwise give an empty table), naming the closest allowed values.

    >>> check_values(get_query("node-classification"), {"node_group": "splenic_hilar"})
    Traceback (most recent call last):
    ...
    pnet_kg.errors.QueryError: parameter 'node_group': 'splenic_hilar' names nothing in the graph; closest allowed values: splenic, ...
    """
    import difflib

    engine: Engine | None = None
    for p in named.params:
        if p.name not in params or not p.domain or p.type not in ("iri", "code"):
            continue
        term = bind_value(p, params[p.name])
        if term is None:
            continue
        engine = engine or engine_for(on)
        domain = _domain(p, engine)
        if str(term) in domain.values():
            continue
        shown = _Compactor()(str(term)) if p.type == "iri" else str(term)
        given = str(params[p.name])
        keys = {k.lower(): k for k in domain}
        close = [keys[k] for k in difflib.get_close_matches(given.lower(), list(keys), n=5, cutoff=0.5)]
        if not close:
            close = [keys[k] for k in difflib.get_close_matches(shown.lower(), list(keys), n=5, cutoff=0.3)]
        hint = f"closest allowed values: {', '.join(close)}" if close else f"allowed values: {', '.join(sorted(domain)[:12])}" + (
            ", ..." if len(domain) > 12 else "")
        raise QueryError(f"parameter {p.name!r}: {given!r} names nothing in the graph; {hint} "
                         f"(all of them: pnet-kg query {named.name} --describe)")


def with_prologue(text: str) -> str:
    """Add ``PREFIX`` lines for the project's prefixes that ``text`` uses but does not declare."""
    declared = set(re.findall(r"(?im)^\s*PREFIX\s+([\w.-]*):", text))
    missing = [(p, u) for p, u in rdf_prefixes().items()
               if p not in declared and re.search(rf"(?<![\w<#/]){re.escape(p)}:", text)]
    return "".join(f"PREFIX {p}: <{u}>\n" for p, u in missing) + text


# ---------------------------------------------------------------- values


def _canonical_decimal(number: Decimal) -> Decimal:
    # Engines differ in the lexical form they return ("13.0" vs "13"): compare as values.
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


def literal_value(lexical: str, datatype: str | None, language: str | None = None) -> Value:
    """Convert a literal's lexical form and datatype IRI to a plain Python value.

    >>> literal_value("13.0", "http://www.w3.org/2001/XMLSchema#decimal")
    Decimal('13')
    >>> literal_value("2021-06-05", "http://www.w3.org/2001/XMLSchema#date")
    datetime.date(2021, 6, 5)
    """
    if language or datatype is None or datatype in _STRING_TYPES:
        return lexical
    try:
        if datatype in _INTEGER_TYPES:
            return int(lexical)
        if datatype == f"{_XSD}decimal":
            return _canonical_decimal(Decimal(lexical))
        if datatype in (f"{_XSD}double", f"{_XSD}float"):
            return float(lexical)
        if datatype == f"{_XSD}boolean":
            return lexical.strip() in ("true", "1")
        if datatype == f"{_XSD}date":
            return _dt.date.fromisoformat(lexical[:10])
        if datatype == f"{_XSD}dateTime":
            return _dt.datetime.fromisoformat(lexical.replace("Z", "+00:00"))
    except (ValueError, InvalidOperation):
        return lexical  # an ill-typed literal keeps its text
    return lexical


class _Compactor:
    """IRI -> CURIE with a cache (results of case queries repeat the same few IRIs)."""

    def __init__(self) -> None:
        self._conv = converter()
        self._cache: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        hit = self._cache.get(iri)
        if hit is None:
            hit = self._conv.compress(iri) or iri
            self._cache[iri] = hit
        return hit


# ---------------------------------------------------------------- engines


class Engine(Protocol):
    """Runs SELECT queries and returns columns and rows of :data:`Value`; IRIs as marked strings."""

    name: str

    def select(self, text: str) -> tuple[list[str], list[list[object]]]:
        """Columns and rows; an IRI cell is an :class:`_Iri`, anything else a :data:`Value`."""
        ...

    def labels(self, iris: set[str]) -> dict[str, str]:
        """``rdfs:label`` of each IRI that has one (English preferred)."""
        ...


class _Iri(str):
    """An IRI cell before compaction (distinguishes IRIs from string literals)."""

    __slots__ = ()


def _pick_label(current: tuple[int, str] | None, text: str, language: str | None) -> tuple[int, str]:
    rank = 0 if language == "en" else 1 if not language else 2
    candidate = (rank, text)
    return candidate if current is None or candidate < current else current


@lru_cache(maxsize=256)
def _prepared(text: str) -> Any:
    # rdflib spends 15-120 ms parsing a query: parse each distinct text once per process.
    from rdflib.plugins.sparql import prepareQuery

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
            return _Iri(term)
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

    def labels(self, iris: set[str]) -> dict[str, str]:
        if self._labels is None:
            best: dict[str, tuple[int, str]] = {}
            for s, o in self.graph.subject_objects(_RDFS_LABEL):
                if isinstance(s, URIRef) and isinstance(o, Literal):
                    best[str(s)] = _pick_label(best.get(str(s)), str(o), o.language)
            self._labels = {k: v[1] for k, v in best.items()}
        return {i: self._labels[i] for i in iris if i in self._labels}


class OxigraphEngine:
    """Queries an embedded :class:`pyoxigraph.Store` (case data at cohort scale)."""

    name = "pyoxigraph"

    def __init__(self, store: pyoxigraph.Store) -> None:
        self.store = store
        self._labels: dict[str, str] | None = None

    def select(self, text: str) -> tuple[list[str], list[list[object]]]:
        import pyoxigraph as ox

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
                value: object = _Iri(term.value)
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

    def labels(self, iris: set[str]) -> dict[str, str]:
        import pyoxigraph as ox

        if self._labels is None:
            best: dict[str, tuple[int, str]] = {}
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(str(_RDFS_LABEL)), None):
                s, o = quad.subject, quad.object
                if isinstance(s, ox.NamedNode) and isinstance(o, ox.Literal):
                    best[s.value] = _pick_label(best.get(s.value), o.value, o.language)
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

    def _post(self, text: str) -> dict[str, Any]:
        body = urllib.parse.urlencode({"query": text}).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Accept": "application/sparql-results+json", **self._auth})
        try:
            with NO_REDIRECT_OPENER.open(request, timeout=self.timeout) as response:
                payload = json.loads(response.read().decode("utf-8"))
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
            return _Iri(cell["value"])
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

    def labels(self, iris: set[str]) -> dict[str, str]:
        found: dict[str, tuple[int, str]] = {}
        ordered = sorted(iris)
        for start in range(0, len(ordered), 400):
            chunk = " ".join(URIRef(i).n3() for i in ordered[start:start + 400] if _IRI_OK.match(i))
            if not chunk:
                continue
            payload = self._post("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                                 f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {chunk} }} ?s rdfs:label ?l }}")
            try:
                for b in payload["results"]["bindings"]:
                    s, label = b["s"]["value"], b["l"]
                    found[s] = _pick_label(found.get(s), label["value"], label.get("xml:lang"))
            except (AttributeError, KeyError, TypeError) as exc:
                raise QueryError(f"endpoint {self.shown} returned malformed SPARQL JSON results "
                                 f"({type(exc).__name__}: {exc})") from None
        return {k: v[1] for k, v in found.items()}


Target = Union[Graph, "pyoxigraph.Store", str, Engine, None]


def engine_for(on: Target = None, cases: Iterable[str | Path] = ()) -> Engine:
    """Choose the engine: an rdflib Graph, a pyoxigraph Store, an endpoint URL, or ``None``.

    ``None`` means the shipped graph in an embedded pyoxigraph store built once per
    process (with ``cases``: a new store with the shipped graph and those cases). A
    named query answers there in a few milliseconds, against tens to hundreds on rdflib
    (``benchmarks/queries.py``); pass ``load()`` to run on rdflib instead.
    """
    from .guard import as_paths

    cases = list(as_paths(cases, "cases"))
    if isinstance(on, str):
        if cases:
            raise QueryError("case files cannot be added to a remote endpoint here; push them to it first")
        return EndpointEngine(on)
    if isinstance(on, Graph):
        if cases:
            from .cases import case_ntriples, is_case_file
            from .load import parse_file

            for path in cases:
                if is_case_file(path):  # read through the case reader, as on the other engines
                    on.parse(data=case_ntriples(path).decode("utf-8"), format="nt")
                else:
                    parse_file(path, on)
        return RdflibEngine(on)
    if on is None:
        if cases:
            return OxigraphEngine(case_store(cases))
        return OxigraphEngine(_shipped_store())
    if hasattr(on, "select") and hasattr(on, "labels"):
        return on  # type: ignore[return-value]
    import pyoxigraph as ox

    if isinstance(on, ox.Store):
        if cases:
            from .store import add_files

            add_files(on, cases)
        return OxigraphEngine(on)
    raise QueryError(f"cannot run a query on {type(on).__name__}: give an rdflib Graph, a pyoxigraph Store or a URL")


@lru_cache(maxsize=1)
def _shipped_graph() -> Graph:
    from .load import load

    return load()


@lru_cache(maxsize=1)
def _shipped_store() -> pyoxigraph.Store:
    from .store import oxigraph_store

    return oxigraph_store(graph=_shipped_graph())




def case_store(files: Iterable[str | Path]) -> pyoxigraph.Store:
    """A pyoxigraph store with the shipped graph and the case files ``files``."""
    from .store import oxigraph_store

    store = oxigraph_store(graph=_shipped_graph())
    from .store import add_files

    add_files(store, files)
    return store


# ---------------------------------------------------------------- results


@dataclass
class QueryResult:
    """The rows of one query: ``columns`` in SELECT order, ``rows`` as dicts of plain values.

    IRIs are compact CURIEs (or full IRIs without a known prefix); ``labels`` maps
    each such identifier to its ``rdfs:label``. :meth:`records` and the output
    formats put a ``<column>_label`` column beside every column that holds labelled IRIs.
    """

    columns: list[str]
    rows: list[dict[str, Value]]
    labels: dict[str, str] = field(default_factory=dict)
    iri_columns: tuple[str, ...] = ()
    name: str | None = None
    engine: str = ""

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Value]]:
        return iter(self.rows)

    def tuples(self) -> list[tuple[Value, ...]]:
        """Rows as tuples in column order (handy to compare engines)."""
        return [tuple(r[c] for c in self.columns) for r in self.rows]

    def labelled_columns(self) -> list[str]:
        """Columns with a ``<column>_label`` inserted after each column of labelled IRIs."""
        out: list[str] = []
        for c in self.columns:
            out.append(c)
            label = c + _LABEL_SUFFIX
            if c in self.iri_columns and label not in self.columns and any(
                    isinstance(r[c], str) and r[c] in self.labels for r in self.rows):
                out.append(label)
        return out

    def records(self, labels: bool = True) -> list[dict[str, Value]]:
        """Rows as dicts; with ``labels`` a ``<column>_label`` value beside each labelled IRI."""
        if not labels:
            return [dict(r) for r in self.rows]
        columns = self.labelled_columns()
        extra = [c for c in columns if c not in self.columns]
        out = []
        for r in self.rows:
            record = dict(r)
            for c in extra:
                iri = r[c[: -len(_LABEL_SUFFIX)]]
                record[c] = self.labels.get(iri) if isinstance(iri, str) else None
            out.append({c: record[c] for c in columns})
        return out

    def render(self, fmt: str = "table", labels: bool = True, columns: Sequence[str] = ()) -> str:
        """Render in one of :data:`pnet_kg.io.TABLE_WRITERS` (table, csv, tsv, json, jsonl, markdown).

        ``columns`` keeps only those result columns (with their label columns), in that order.
        """
        from .io import render_table

        unknown = [c for c in columns if c not in self.columns]
        if unknown:
            raise QueryError(f"no column {', '.join(map(repr, unknown))}; the columns are: {', '.join(self.columns)}")
        shown = self.labelled_columns() if labels else list(self.columns)
        if columns:
            shown = [c for keep in columns for c in (keep, keep + _LABEL_SUFFIX) if c in shown]
        return render_table(self.records(labels), shown, fmt)

    def to_dataframe(self, labels: bool = False) -> pandas.DataFrame:
        """The rows as a :class:`pandas.DataFrame` (needs pandas: ``pip install pnet-kg[dataframe]``)."""
        try:
            import pandas as pd
        except ImportError as exc:
            raise QueryError("to_dataframe needs pandas: pip install 'pnet-kg[dataframe]'") from exc
        columns = self.labelled_columns() if labels else self.columns
        return pd.DataFrame.from_records(self.records(labels), columns=columns)


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
    if not isinstance(text, str):
        raise QueryError(f"the query must be SPARQL text (str), not {type(text).__name__}")
    if timeout_s is not None and (isinstance(timeout_s, bool) or not isinstance(timeout_s, (int, float))
                                  or not timeout_s > 0):
        raise QueryError(f"timeout_s must be a positive number of seconds or None, not {timeout_s!r:.60}")
    if not allow_service:
        refuse_service(text)
    engine = engine_for(on, cases)
    if isinstance(engine, EndpointEngine) and timeout_s is not None:
        engine.timeout = timeout_s
    if named is not None and params:
        check_values(named, params, engine)
    full = with_prologue(text)
    try:
        columns, raw = with_timeout(lambda: engine.select(full), timeout_s, "the query")
    except QueryError as exc:
        raise QueryError(_located(str(exc), text, full.count("\n") - text.count("\n"))) from exc
    compact = _Compactor()
    iris: set[str] = set()
    iri_columns: set[str] = set()
    rows: list[dict[str, Value]] = []
    for cells in raw:
        row: dict[str, Value] = {}
        for column, cell in zip(columns, cells):
            if isinstance(cell, _Iri):
                iris.add(str(cell))
                iri_columns.add(column)
                row[column] = compact(str(cell))
            else:
                row[column] = cell  # type: ignore[assignment]
        rows.append(row)
    label_map: dict[str, str] = {}
    # Case and metastasis IRIs carry no labels (the case contract has none): skip them, which
    # spares a remote endpoint one request per 400 cases.
    case_ns = rdf_prefixes().get("case", "https://w3id.org/pnet-kg/case/")
    iris = {i for i in iris if not i.startswith(case_ns)}
    if labels and iris:
        label_map = {compact(iri): label for iri, label in engine.labels(iris).items()}
    return QueryResult(columns=columns, rows=rows, labels=label_map,
                       iri_columns=tuple(c for c in columns if c in iri_columns),
                       name=named.name if named else None, engine=engine.name)


def query(name: str, /, on: Target = None, *, cases: Iterable[str | Path] = (), labels: bool = True,
          timeout_s: float | None = DEFAULT_TIMEOUT_S, **params: object) -> QueryResult:
    """Run the named query ``name`` with keyword parameters and return its rows.

    ``on`` chooses the engine: ``None`` (the shipped graph in an embedded pyoxigraph
    store, with the files of ``cases`` added when given), an :class:`rdflib.Graph`, a
    :class:`pyoxigraph.Store` (for example from :func:`pnet_kg.store.oxigraph_store`)
    or the URL of a SPARQL endpoint. Every engine gives the same rows. A query running
    longer than ``timeout_s`` seconds raises :class:`QueryError`.

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
