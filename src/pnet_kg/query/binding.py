"""Binding user values into query text: typed RDF terms in the VALUES blocks, checked against the graph.

A parameter's one-line ``VALUES ?name { ... }`` block (see :mod:`pnet_kg.query.catalogue`)
receives one RDF term built from the typed, validated value (never the user's text), so
quotes, braces or SPARQL keywords in a value cannot change the query.

An ``iri`` or ``code`` parameter names something in the graph: its ``allowed:`` list,
or its ``# domain:`` (a SPARQL pattern binding ``?value`` to every allowed value, run on
the graph being queried). A value outside it is refused with the closest allowed values,
never answered with an empty table; ``string`` parameters stay free text.

>>> with_prologue("SELECT * WHERE { ?s a pnet:Drug }").splitlines()[0]
'PREFIX pnet: <https://w3id.org/pnet-kg/>'
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from rdflib import Literal, URIRef

from ..errors import QueryError
from ..prefixes import XSD, rdf_prefixes
from .catalogue import NamedQuery, Param, param_list, values_block
from .engines import IRI_OK, QueryEngine, Target, engine_for
from .results import Compactor, IriCell


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
    if not IRI_OK.match(iri):
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
            return Literal(int(value), datatype=XSD.integer)
        if param.type == "decimal":
            if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
                raise ValueError("expected a number")
            number = Decimal(str(value))
            if not number.is_finite():
                raise ValueError("expected a finite number")
            return Literal(number, datatype=XSD.decimal)
        if param.type == "boolean":
            if isinstance(value, bool):
                return Literal(value)
            words = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
            if text is None or text.lower() not in words:
                raise ValueError("expected true or false")
            return Literal(words[text.lower()])
        if param.type == "date":
            if isinstance(value, _dt.date):
                return Literal(value, datatype=XSD.date)
            if text is None:
                raise ValueError("expected a date")
            return Literal(_dt.date.fromisoformat(text), datatype=XSD.date)
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
                         f"its parameters: {param_list(named)}")
    text = named.text
    for p in named.params:
        if p.name in params:
            term = bind_value(p, params[p.name])
        elif p.required:
            raise QueryError(f"query {named.name!r} needs parameter {p.name!r}: {p.describe()}")
        else:
            continue  # the file's own VALUES block holds the default
        inside = " UNDEF " if term is None else f" {term.n3()} "
        match = values_block(p.name).search(text)
        assert match is not None  # parse_header checked that every parameter has its block
        text = text[:match.start("body")] + inside + text[match.end("body"):]
    return text


def allowed_values(param: Param, on: Target = None) -> list[str]:
    """Every value ``param`` accepts on the graph ``on`` (see :func:`engine_for`), sorted: its
    ``allowed:`` list, or what its ``# domain:`` pattern finds (IRIs as CURIEs); empty for free text.

    >>> from pnet_kg.query import get_query
    >>> allowed_values(get_query("node-classification").param("node_group"))[:3]
    ['anterior_nos', 'anterior_pancreaticoduodenal', 'celiac']
    """
    if param.allowed:
        return list(param.allowed)
    if not param.domain:
        return []
    return sorted(_domain(param, engine_for(on)))


def _domain(param: Param, engine: QueryEngine) -> dict[str, str]:
    """Allowed values of ``param`` on ``engine``: shown form (CURIE or code) -> full form (IRI or code)."""
    _, rows = engine.select(with_prologue(f"SELECT DISTINCT ?value WHERE {{ {param.domain} }}"))
    compact = Compactor()
    found: dict[str, str] = {}
    for (value,) in rows:
        if isinstance(value, IriCell):
            found[compact(str(value))] = str(value)
        elif param.type == "code" and isinstance(value, str):
            found[value] = value
    return found


def check_values(named: NamedQuery, params: Mapping[str, object], on: Target = None) -> None:
    """Refuse an ``iri`` or ``code`` value that names nothing of its parameter's domain in the graph ``on``
    (a typo would otherwise give an empty table), naming the closest allowed values.

    >>> from pnet_kg.query import get_query
    >>> check_values(get_query("node-classification"), {"node_group": "splenic_hilar"})
    Traceback (most recent call last):
    ...
    pnet_kg.errors.QueryError: parameter 'node_group': 'splenic_hilar' names nothing in the graph; closest allowed values: splenic, ...
    """
    engine: QueryEngine | None = None
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
        shown = Compactor()(str(term)) if p.type == "iri" else str(term)
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
