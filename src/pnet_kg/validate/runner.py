"""Run compiled checks on a pyoxigraph store: the fast engine.

Fills each :class:`~pnet_kg.validate.compiler.Check`'s focus placeholder with its targets
(classes with their subclasses that have instances), skips cardinality checks a cheap
pre-scan proves empty, and turns the solutions into :class:`ValidationResult` objects.

>>> import pyoxigraph as ox
>>> from rdflib import Graph
>>> shapes = Graph().parse(format="turtle", data="@prefix sh: <http://www.w3.org/ns/shacl#> . "
...     "<urn:s> sh:targetNode <urn:a> ; sh:property [ sh:path <urn:p> ; sh:minCount 1 ] .")
>>> [(str(r.focus), check.kind) for r, check in fast_results(ox.Store(), shapes)]
[('urn:a', 'focus')]
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from ..errors import UnsupportedShape
from ..prefixes import SH
from ..store import from_ox
from .compiler import FOCUS_TEST, Check, compile_shapes, sparql_term
from .report import ValidationResult, curie, first_message, node_labels, severity_name

#: A result with the check that found it.
Sourced = tuple[ValidationResult, Check]


def _class_closure(store: ox.Store, cls: Node) -> list[str]:
    # Only classes with instances matter (an instance's class has one); fewer classes, simpler queries.
    query = (f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* <{cls}> . "
             f"FILTER EXISTS {{ ?instance <{RDF.type}> ?c }} }}")
    found = {f"<{s['c'].value}>" for s in _select(store, query) if isinstance(s["c"], ox.NamedNode)}
    return sorted(found) or [f"<{cls}>"]


def _focus_pattern(store: ox.Store, targets: list[tuple[URIRef, Node]],
                   closures: dict[Node, list[str]]) -> tuple[str, str]:
    """The focus nodes of ``targets``: a pattern binding each once, and a pattern to test one inside EXISTS."""
    branches = []
    for kind, obj in targets:
        if kind == SH.targetClass:
            if obj not in closures:
                closures[obj] = _class_closure(store, obj)
            classes = closures[obj]
            if len(classes) == 1:
                branches.append(f"?this <{RDF.type}> {classes[0]} .")
            else:
                branches.append(f"?this <{RDF.type}> ?__target . VALUES ?__target {{ {' '.join(classes)} }}")
        elif kind == SH.targetNode:
            branches.append(f"VALUES ?this {{ {sparql_term(obj)} }}")
        elif kind == SH.targetSubjectsOf:
            branches.append(f"?this <{obj}> ?__object .")
        elif kind == SH.targetObjectsOf:
            branches.append(f"?__subject <{obj}> ?this .")
    union = " UNION ".join(f"{{ {b} }}" for b in branches)
    if len(branches) == 1 and targets[0][0] == SH.targetClass and len(closures[targets[0][1]]) == 1:
        return branches[0], union
    return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}", union


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def _multivalued(store: ox.Store, predicate: str) -> bool:
    """Whether some subject has two triples of ``predicate`` (an index scan: three times faster than one
    scan of every triple filtered by predicate)."""
    query = f"SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?m) WHERE {{ ?s <{predicate}> ?o }}"
    return any(int(s["n"].value) > int(s["m"].value) for s in _select(store, query))


def _lacking(store: ox.Store, focus: str, paths: list[str]) -> set[str]:
    """Those of ``paths`` (predicates) that some focus node has no value of (one scan of the focus nodes)."""
    binds = " ".join(f"BIND(NOT EXISTS {{ ?this <{p}> ?v{i} }} AS ?m{i})" for i, p in enumerate(paths))
    test = " || ".join(f"?m{i}" for i in range(len(paths)))
    query = f"SELECT {' '.join(f'?m{i}' for i in range(len(paths)))} WHERE {{ {focus} {binds} FILTER({test}) }}"
    lacking: set[str] = set()
    for s in _select(store, query):
        lacking |= {p for i, p in enumerate(paths) if s[f"m{i}"] is not None and s[f"m{i}"].value == "true"}
    return lacking


def _focus_members(store: ox.Store, candidates: set[Any], focus_test: str) -> set[Any]:
    """Those of ``candidates`` (pyoxigraph terms) that are focus nodes of the shape."""
    members: set[Any] = set()
    named = sorted((c for c in candidates if isinstance(c, (ox.NamedNode, ox.Literal))), key=str)
    for start in range(0, len(named), 500):
        chunk = " ".join(str(c) for c in named[start:start + 500])
        query = f"SELECT DISTINCT ?this WHERE {{ VALUES ?this {{ {chunk} }} {focus_test} }}"
        members |= {s["this"] for s in _select(store, query)}
    blanks = [c for c in candidates if isinstance(c, ox.BlankNode)]
    if blanks:  # blank nodes cannot be written into a query: test them all at once
        query = f"SELECT DISTINCT ?this WHERE {{ {focus_test} FILTER(isBlank(?this)) }}"
        found = {s["this"] for s in _select(store, query)}
        members |= {b for b in blanks if b in found}
    return members


def rdflib_term(term: Any) -> Node | None:
    """The rdflib term of a pyoxigraph term, ``"abc"^^xsd:string`` written as ``"abc"`` as rdflib writes it."""
    node = from_ox(term)
    if isinstance(node, Literal) and node.datatype == XSD.string:
        # RDF 1.1: "abc" and "abc"^^xsd:string are one term; rdflib's parsers (and pySHACL) write the first
        return Literal(str(node))
    return node


def _messages_for(check: Check, bindings: dict[str, Node]) -> list[Literal]:
    if check.kind != "sparql":
        return list(check.messages)
    out = []
    for m in check.messages:
        text = str(m)
        for var, val in bindings.items():
            text = re.sub("{{[?$]{}}}".format(var), str(val).replace("\\", "\\\\"), text)
        out.append(Literal(text, lang=m.language, datatype=m.datatype))
    return out


@dataclass
class _RawResult:
    check: Check
    focus: Node
    path: Node | None
    value: Node | None
    messages: list[Literal]


def _solutions(store: ox.Store, check: Check, query: str) -> list[dict[str, Any]]:
    try:
        solutions = store.query(query)
    except (SyntaxError, ValueError, OSError) as exc:  # a shape whose SPARQL oxigraph refuses
        raise UnsupportedShape(f"shape {check.shape}: {exc}") from exc
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: solution[n] for n in names if solution[n] is not None} for solution in solutions]


#: A predicate with at most this many distinct objects has its value-type checks run on those objects, each
#: tested once, rather than on every triple (100,000 cases hold a few hundred sizes, not 100,000).
DISTINCT_LIMIT = 2000


def _distinct_objects(store: ox.Store, predicate: str) -> str | None:
    """The distinct objects of ``predicate`` written as a VALUES block, or None when there are too many
    (or a blank node, which a query cannot name)."""
    query = f"SELECT DISTINCT ?value WHERE {{ ?__subject <{predicate}> ?value }} LIMIT {DISTINCT_LIMIT + 1}"
    values = [s["value"] for s in _select(store, query)]
    if len(values) > DISTINCT_LIMIT or any(isinstance(v, ox.BlankNode) for v in values):
        return None
    return " ".join(str(v) for v in values)


def _value_rows(store: ox.Store, check: Check, predicate: str, objects: str, failing: str) -> list[dict[str, Any]]:
    """The rows of a value-type check: the failing objects first, then the triples holding them."""
    bad = _select(store, f"SELECT ?value WHERE {{ VALUES ?value {{ {objects} }} FILTER({failing}) }}")
    block = " ".join(str(s["value"]) for s in bad)
    if not block:
        return []
    return _solutions(store, check, f"SELECT DISTINCT ?this ?value WHERE {{ VALUES ?value {{ {block} }} "
                                    f"?this <{predicate}> ?value . }}")


def _with_classes(store: ox.Store, text: str, closures: dict[Node, list[str]]) -> str:
    """``text`` with each ``__CLASS<iri>__`` written as the class and its subclasses that have instances."""
    for cls in set(re.findall(r"__CLASS<([^>]+)>__", text)):
        if URIRef(cls) not in closures:
            closures[URIRef(cls)] = _class_closure(store, URIRef(cls))
        text = text.replace(f"__CLASS<{cls}>__", ", ".join(closures[URIRef(cls)]))
    return text


def _run_checks(store: ox.Store, checks: Sequence[Check]) -> list[_RawResult]:
    closures: dict[Node, list[str]] = {}
    raw: list[_RawResult] = []
    # pyoxigraph releases the GIL while it evaluates: the queries run side by side, one per core
    pool = ThreadPoolExecutor(max(1, os.cpu_count() or 1), thread_name_prefix="pnet-kg-shacl")
    with pool:
        # Cheap pre-tests that let most cardinality checks skip their scan of all focus nodes, and the
        # distinct objects that value-type checks test, all at once.
        max_one = sorted({c.single_path for c in checks
                          if c.single_path and c.component == SH.MaxCountConstraintComponent})
        multi_tests = {p: pool.submit(_multivalued, store, p) for p in max_one}
        by_targets: dict[str, list[Check]] = defaultdict(list)
        for check in checks:
            if check.single_path and check.component == SH.MinCountConstraintComponent:
                by_targets[repr(sorted(map(str, check.targets)))].append(check)
        lacking_tests = [(group, pool.submit(_lacking, store, _focus_pattern(store, group[0].targets, closures)[0],
                                             sorted({c.single_path for c in group if c.single_path})))
                         for group in by_targets.values()]
        predicates = sorted({str(c.path) for c in checks if c.value_filter is not None})
        object_lists = {p: pool.submit(_distinct_objects, store, p) for p in predicates}
        planned: list[tuple[Check, Future[list[dict[str, Any]]], str | None]] = []  # check, rows, focus test

        def plan(check: Check, objects: str | None = None) -> None:
            """Submit ``check``: on the distinct ``objects`` of its predicate when given, else its query."""
            focus, focus_test = _focus_pattern(store, check.targets, closures)
            if objects is not None and check.value_filter is not None:
                rows = pool.submit(_value_rows, store, check, str(check.path), objects,
                                   _with_classes(store, check.value_filter, closures))
            else:
                query = check.query.replace(FOCUS_TEST, "").replace("__FOCUS__", focus)
                rows = pool.submit(_solutions, store, check, _with_classes(store, query, closures))
            # Queries driven by a path's triples test focus membership afterwards, only for failing rows:
            # Oxigraph evaluates an EXISTS on every row, which costs more than the constraint itself.
            planned.append((check, rows, focus_test if FOCUS_TEST in check.query else None))

        # first the checks that need no pre-test (the SPARQL constraints, the longest, among them)
        waiting = []
        for check in checks:
            if check.value_filter is not None or (
                    check.single_path and check.component in (SH.MaxCountConstraintComponent,
                                                              SH.MinCountConstraintComponent)):
                waiting.append(check)
            else:
                plan(check)
        multi = {p for p, test in multi_tests.items() if test.result()}
        missing = {id(c): c.single_path in test.result() for group, test in lacking_tests for c in group}
        for check in waiting:
            if check.component == SH.MaxCountConstraintComponent and check.single_path \
                    and check.single_path not in multi:
                continue  # no subject has two values of this predicate
            if check.component == SH.MinCountConstraintComponent and check.single_path and not missing.get(id(check)):
                continue  # every focus node has a value
            plan(check, object_lists[str(check.path)].result() if check.value_filter is not None else None)
        order = {id(check): i for i, check in enumerate(checks)}  # results in the order of the checks, as before
        planned.sort(key=lambda item: order[id(item[0])])
        answers = [rows.result() for _, rows, _ in planned]
    for (check, _, test_after), rows in zip(planned, answers):
        if test_after is not None and rows:
            members = _focus_members(store, {r["this"] for r in rows if "this" in r}, test_after)
            rows = [r for r in rows if r.get("this") in members]
        seen: set[tuple[Any, ...]] = set()
        for row in rows:
            bound = {n: rdflib_term(term) for n, term in row.items()}
            focus_node = bound.get("this")
            if focus_node is None:
                continue
            value = bound.get("value")
            path = check.path
            if check.kind == "focus":
                value = None
            elif check.kind == "sparql":
                if "path" in bound:
                    path = bound["path"]
                if value is None and check.default_value_is_focus:
                    value = focus_node
                extra = tuple(sorted((k, str(v)) for k, v in bound.items() if k not in ("this", "path", "value")))
                ident = (focus_node, path, value, extra)
                if ident in seen:  # the same guard against duplicate rows as pySHACL's
                    continue
                seen.add(ident)
            raw.append(_RawResult(check, focus_node, path, value, _messages_for(check, {
                k: v for k, v in bound.items() if v is not None})))
    return raw


def fast_results(store: ox.Store, shapes: Graph) -> list[Sourced]:
    """The results of the checks compiled from ``shapes`` on ``store``, each with the check that found it."""
    checks = compile_shapes(shapes)
    raw = _run_checks(store, checks)
    labels = node_labels(store, (r.focus for r in raw))
    results: list[Sourced] = []
    for r in raw:
        message = first_message(r.messages) or f"{curie(r.check.component)} failed"
        results.append((ValidationResult(severity_name(r.check.severity), r.focus, labels[r.focus], r.path, r.value,
                                         message, r.check.shape, r.check.component), r.check))
    return results
