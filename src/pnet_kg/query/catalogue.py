"""The catalogue of named queries: ``queries/*.rq`` files and the header comment that types them.

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
runs as it is in any SPARQL editor (:mod:`pnet_kg.query.binding` fills that block).

>>> get_query("node-classification").param("subsite").type
'code'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import QueryError
from ..guard import as_path
from ..resources import data_dir

#: Parameter types a header may declare.
PARAM_TYPES = ("iri", "code", "string", "integer", "decimal", "boolean", "date")

_NAME_OK = re.compile(r"^[a-z][a-z0-9_]*$")


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
                         f"its parameters: {param_list(self)}")


def param_list(q: NamedQuery) -> str:
    """The parameters of ``q`` for a message: ``a (integer, default 3); b (...)``, or ``none``."""
    return "; ".join(p.describe() for p in q.params) or "none"


_HEADER_KEY = re.compile(r"^#\s*(title|question|param|domain|scope|example|list-columns|level):\s*(.*)$")
_PARAM_HEAD = re.compile(
    r"^(?P<name>[A-Za-z_][\w]*)\s*\((?P<type>\w+),\s*default:\s*(?P<default>[^)]*)\)\s*(?:allowed:\s*(?P<allowed>.*))?$")


def values_block(name: str) -> re.Pattern[str]:
    """The one-line ``VALUES ?name { ... }`` block of parameter ``name`` (groups head, body, tail)."""
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
        if not values_block(p["name"]).search(text):
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
