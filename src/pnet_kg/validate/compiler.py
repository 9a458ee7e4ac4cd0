"""Compile a shapes graph into SPARQL checks, one query per constraint over all focus nodes.

Each :class:`Check` holds a query with placeholders for the focus nodes, filled in by
:mod:`pnet_kg.validate.runner` against a store. What compiles is listed in
:mod:`pnet_kg.validate.support`; anything else raises :class:`~pnet_kg.errors.UnsupportedShape`.

>>> from rdflib import Graph
>>> shapes = Graph().parse(format="turtle", data="@prefix sh: <http://www.w3.org/ns/shacl#> . "
...     "<urn:s> sh:targetClass <urn:C> ; sh:property [ sh:path <urn:p> ; sh:minCount 1 ] .")
>>> [(str(c.component).rsplit("#")[-1], c.kind) for c in compile_shapes(shapes)]
[('MinCountConstraintComponent', 'focus')]
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from ..errors import UnsupportedShape
from ..prefixes import SH
from .shapes import path_text
from .support import (CANONICALISED, COMPONENT_IRI, TARGETS, VALUE_COMPONENTS, check_supported,
                      implicit_class_target, is_deactivated, shape_nodes)

#: Placeholder for "and ?this is a focus node", tested by the runner only on the rows that fail.
FOCUS_TEST = " && EXISTS { __FOCUS_EXISTS__ }"

# Datatypes whose lexical form SPARQL can check by casting (an ill-typed literal fails sh:datatype).
_CASTABLE = {XSD.decimal, XSD.integer, XSD.double, XSD.float, XSD.boolean, XSD.date, XSD.dateTime}


@dataclass
class Check:
    """One constraint compiled to a SPARQL query whose solutions are the results."""

    shape: Node
    component: URIRef
    severity: URIRef
    messages: list[Literal]
    path: Node | None
    targets: list[tuple[URIRef, Node]]
    query: str  # with __FOCUS__ where the focus-node pattern goes
    kind: str  # "focus" (no value), "value" (?value is the value node), "sparql"
    source_constraint: Node | None = None
    default_value_is_focus: bool = False
    single_path: str | None = None  # the predicate of a minCount 1 / maxCount 1 check on a plain predicate
    # sh:minLength / sh:maxLength / sh:pattern (parameter, value, flags): literals the store keeps by value are
    # returned whatever their canonical form, and tested again on the data's own spelling
    lexical: tuple[URIRef, Node, str | None] | None = None
    # a value-type constraint on a plain predicate: the filter ``?value`` fails, so the runner can test
    # each distinct value once instead of every triple
    value_filter: str | None = None


def sparql_term(node: Node) -> str:
    if isinstance(node, Literal):
        return node.n3()
    if isinstance(node, URIRef):
        return f"<{node}>"
    raise UnsupportedShape(f"cannot write {node!r} into a query")


def _value_condition(shapes: Graph, predicate: URIRef, obj: Node, shape: Node) -> str:
    """A SPARQL expression that is true when ``?value`` satisfies one value-type constraint."""
    v = "?value"
    if predicate == SH.datatype:
        if obj == RDF.langString:
            return f"(isLiteral({v}) && LANG({v}) != \"\")"
        ok = f"(isLiteral({v}) && sameTerm(DATATYPE({v}), <{obj}>))"
        if obj in _CASTABLE:
            ok = f"({ok} && COALESCE(isLiteral(<{obj}>(STR({v}))), false))"
        return ok
    if predicate == SH["class"]:
        return f"EXISTS {{ {v} <{RDF.type}> ?__type . FILTER(?__type IN (__CLASS<{obj}>__)) }}"
    if predicate == SH.nodeKind:
        kinds = {SH.IRI: f"isIRI({v})", SH.BlankNode: f"isBlank({v})", SH.Literal: f"isLiteral({v})",
                 SH.BlankNodeOrIRI: f"(isBlank({v}) || isIRI({v}))", SH.BlankNodeOrLiteral:
                 f"(isBlank({v}) || isLiteral({v}))", SH.IRIOrLiteral: f"(isIRI({v}) || isLiteral({v}))"}
        if obj not in kinds:
            raise UnsupportedShape(f"unknown sh:nodeKind {obj}")
        return kinds[obj]  # type: ignore[index]
    if predicate == SH["in"]:
        members = list(Collection(shapes, obj))
        return "(" + " || ".join(f"sameTerm({v}, {sparql_term(m)})" for m in members) + ")" if members else "false"
    ops = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
    if predicate in ops:
        return f"(isLiteral({v}) && COALESCE({v} {ops[predicate]} {sparql_term(obj)}, false))"
    if predicate in (SH.minLength, SH.maxLength):
        op = ">=" if predicate == SH.minLength else "<="
        return f"(!isBlank({v}) && STRLEN(STR({v})) {op} {int(obj)})"  # type: ignore[call-overload]
    if predicate == SH.pattern:
        flags = shapes.value(shape, SH.flags)
        pattern = json.dumps(str(obj))
        args = f"{pattern}, {json.dumps(str(flags))}" if flags is not None else pattern
        return f"(!isBlank({v}) && COALESCE(REGEX(STR({v}), {args}), false))"
    if predicate == SH.languageIn:
        tags = [str(t) for t in Collection(shapes, obj)]
        tests = " || ".join(f"LANGMATCHES(LANG({v}), {json.dumps(t)})" for t in tags) or "false"
        return f"(isLiteral({v}) && LANG({v}) != \"\" && ({tests}))"
    if predicate == SH["or"]:
        members = list(Collection(shapes, obj))
        return "(" + " || ".join(_member_condition(shapes, m) for m in members) + ")" if members else "false"
    if predicate == SH["and"]:
        members = list(Collection(shapes, obj))
        return "(" + " && ".join(_member_condition(shapes, m) for m in members) + ")" if members else "true"
    if predicate == SH.xone:
        members = list(Collection(shapes, obj))
        count = " + ".join(f"IF({_member_condition(shapes, m)}, 1, 0)" for m in members) or "0"
        return f"(({count}) = 1)"
    if predicate == SH["not"]:
        return f"!({_member_condition(shapes, obj)})"
    if predicate == SH.node:
        return _member_condition(shapes, obj)
    raise UnsupportedShape(f"unknown constraint {predicate}")


def _member_condition(shapes: Graph, member: Node) -> str:
    """True when ``?value`` conforms to a member shape of ``sh:or``, ``sh:and``, ``sh:xone``, ``sh:not``, ``sh:node``.

    Compiled members: value-type constraints on the node itself, or ``sh:path`` with ``sh:minCount 1``.
    """
    if is_deactivated(shapes, member):  # a deactivated shape yields no results: every node conforms to it
        return "true"
    parts = []
    path = shapes.value(member, SH.path)
    for predicate, obj in sorted(shapes.predicate_objects(member), key=lambda po: (str(po[0]), str(po[1]))):
        if not str(predicate).startswith(str(SH)) or predicate in (SH.path, SH.message, SH.severity, SH.name,
                                                                   SH.description, SH.deactivated):
            continue
        if path is not None and predicate == SH.minCount and int(obj) == 1:  # type: ignore[call-overload]
            parts.append(f"EXISTS {{ ?value {path_text(shapes, path)} ?__any }}")
        elif path is None and predicate in VALUE_COMPONENTS:
            parts.append(_value_condition(shapes, predicate, obj, member))  # type: ignore[arg-type]
        else:
            raise UnsupportedShape(f"member shape {member} uses {predicate}, which the fast engine does not compile")
    return "(" + " && ".join(parts or ["true"]) + ")"


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def _sparql_prefixes(shapes: Graph, constraint: Node) -> str:
    lines = []
    for declarer in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(declarer, SH.declare):
            prefix, namespace = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def _compile_sparql(shapes: Graph, shape: Node, constraint: Node, path: Node | None) -> str:
    select = shapes.value(constraint, SH.select)
    if select is None:
        raise UnsupportedShape(f"SPARQL constraint {constraint} has no sh:select (ASK validators are not compiled)")
    text = str(select)
    if len(re.findall(r"\bSELECT\b", text, re.IGNORECASE)) != 1 or re.search(r"\bGRAPH\b", text, re.IGNORECASE):
        # $this is pre-bound in every subquery by the specification; the compiled query binds it once, outside
        raise UnsupportedShape(f"SPARQL constraint {constraint} has a subquery or GRAPH, which the fast engine does not compile")
    if path is None and "$PATH" in text:
        raise UnsupportedShape(f"SPARQL constraint {constraint} uses $PATH in a node shape")
    if re.search(r"\b(VALUES|MINUS|SERVICE)\b", text, re.IGNORECASE) or "$shapesGraph" in text \
            or "$currentShape" in text:
        raise UnsupportedShape(f"SPARQL constraint {constraint} uses VALUES, MINUS, SERVICE or a shapes-graph variable")
    if path is not None:
        text = text.replace("$PATH", str(path_text(shapes, path)))
    text = re.sub(r"\$this\b", "?this", text)
    match = _WHERE.search(text)
    if match is None:
        raise UnsupportedShape(f"SPARQL constraint {constraint}: no WHERE {{ found")
    head = text[:match.start()]
    if "?this" not in head and "*" not in head:
        raise UnsupportedShape(f"SPARQL constraint {constraint} must select $this for the fast engine")
    # The focus pattern opens the outermost group, so that every top-level filter and
    # EXISTS sees ?this bound, as with the pre-binding of the SHACL-SPARQL specification.
    return _sparql_prefixes(shapes, constraint) + "\n" + text[:match.end()] + " __FOCUS__ " + text[match.end():]


def _zero_length(shapes: Graph, path: Node | None) -> bool:
    """Whether ``path`` can have length zero (then it reaches the focus node even when the data lacks it)."""
    if path is None or isinstance(path, URIRef):
        return False
    if (path, RDF.first, None) in shapes:
        return all(_zero_length(shapes, p) for p in Collection(shapes, path))
    if (path, SH.zeroOrMorePath, None) in shapes or (path, SH.zeroOrOnePath, None) in shapes:
        return True
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return any(_zero_length(shapes, p) for p in Collection(shapes, alternatives))
    inner = shapes.value(path, SH.oneOrMorePath) or shapes.value(path, SH.inversePath)
    return _zero_length(shapes, inner)


LEXICAL = {SH.minLength, SH.maxLength, SH.pattern}
# Most values of a length or pattern constraint are strings: the first tests drop them cheaply (the
# written-out form "!(cond && !by_value)" made Oxigraph test every datatype on every row, 8 times slower).
_BY_VALUE = ("(isLiteral(?value) && LANG(?value) = \"\" && !sameTerm(?value, STR(?value)) && DATATYPE(?value) IN ("
             + ", ".join(f"<{d}>" for d in sorted(CANONICALISED)) + "))")


def _own_targets(shapes: Graph, shape: Node) -> list[tuple[URIRef, Node]]:
    targets: list[tuple[URIRef, Node]] = [(p, o) for p in sorted(TARGETS) for o in shapes.objects(shape, p)]
    if implicit_class_target(shapes, shape):
        targets.append((SH.targetClass, shape))
    return targets


def compile_shapes(shapes: Graph) -> list[Check]:
    """Compile every constraint of ``shapes`` into a :class:`Check`; raise :class:`UnsupportedShape` if one cannot be.

    What compiles is listed in :mod:`pnet_kg.validate.support`; anything else is declined, never skipped.
    """
    check_supported(shapes)
    checks: list[Check] = []
    parents: dict[Node, list[Node]] = defaultdict(list)
    for parent, child in shapes.subject_objects(SH.property):
        parents[child].append(parent)
    for shape in sorted(shape_nodes(shapes), key=str):
        if is_deactivated(shapes, shape):
            continue
        targets = _own_targets(shapes, shape)
        # A property shape reached through sh:property validates the focus nodes of its active parents
        # (node shapes only: check_supported declines nested sh:property under a property shape).
        for parent in parents.get(shape, []):
            if not is_deactivated(shapes, parent):
                targets += _own_targets(shapes, parent)
        targets = sorted(set(targets), key=str)
        if not targets:
            continue
        severity = URIRef(str(shapes.value(shape, SH.severity) or SH.Violation))
        messages = [m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)]
        path = shapes.value(shape, SH.path)
        p_text = path_text(shapes, path) if path is not None else None

        def add(component: URIRef, query: str, kind: str, source: Node | None = None,
                default_focus: bool = False, msgs: list[Literal] | None = None) -> None:
            checks.append(Check(shape, component, severity, messages if msgs is None else msgs, path,  # noqa: B023
                                 targets, query, kind, source, default_focus))  # noqa: B023

        # Oxigraph finds no zero-length path from a node absent from the data: add the focus node itself.
        from_focus = _zero_length(shapes, path)

        def nodes(var: str) -> str:
            """A pattern binding ``var`` to each value node of ``?this``."""
            if not p_text:
                return f"BIND(?this AS {var})"
            if from_focus:  # noqa: B023 - the focus node itself, and what the path reaches; after __FOCUS__
                return (f"OPTIONAL {{ ?this {p_text} ?__reached }} VALUES ?__self {{ 0 1 }} "  # noqa: B023
                        f"BIND(IF(?__self = 1, ?this, ?__reached) AS {var}) FILTER(BOUND({var}))")
            return f"?this {p_text} {var} ."  # noqa: B023

        value_nodes = nodes("?value")
        for predicate, obj in sorted(shapes.predicate_objects(shape), key=lambda po: (str(po[0]), str(po[1]))):
            if predicate in VALUE_COMPONENTS:
                condition = _value_condition(shapes, predicate, obj, shape)  # type: ignore[arg-type]
                failing = f"!({condition})"
                lexical = predicate in LEXICAL
                if lexical:  # the store's canonical spelling is not the data's: decide those in Python
                    failing = f"({failing} || {_BY_VALUE})"
                if p_text and not from_focus:  # drive from the path's triples: only failing values pay for the focus test
                    query = (f"SELECT DISTINCT ?this ?value WHERE {{ {value_nodes} "
                             f"FILTER({failing}{FOCUS_TEST}) }}")
                else:
                    query = f"SELECT DISTINCT ?this ?value WHERE {{ __FOCUS__ {value_nodes} FILTER({failing}) }}"
                add(COMPONENT_IRI[URIRef(str(predicate))], query, "value")
                if isinstance(path, URIRef):
                    checks[-1].value_filter = failing
                if lexical:
                    flags = shapes.value(shape, SH.flags)
                    checks[-1].lexical = (URIRef(str(predicate)), obj, str(flags) if flags is not None else None)
            elif predicate in (SH.minCount, SH.maxCount):
                if p_text is None:
                    raise UnsupportedShape(f"{predicate} on node shape {shape}")
                n = int(obj)  # type: ignore[call-overload]
                if predicate == SH.minCount and from_focus:  # the focus node is one of its values
                    query = (f"SELECT ?this WHERE {{ __FOCUS__ {nodes('?v')} }} "
                             f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})")
                elif predicate == SH.minCount and n == 1:
                    query = f"SELECT ?this WHERE {{ __FOCUS__ FILTER NOT EXISTS {{ {nodes('?v')} }} }}"
                    if isinstance(path, URIRef):
                        add(COMPONENT_IRI[URIRef(str(predicate))], query, "focus")
                        checks[-1].single_path = str(path)
                        continue
                elif predicate == SH.minCount:
                    query = (f"SELECT ?this WHERE {{ __FOCUS__ OPTIONAL {{ {nodes('?v')} }} }} "
                             f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})")
                elif n == 1 and not from_focus:
                    query = (f"SELECT DISTINCT ?this WHERE {{ ?this {p_text} ?v . ?this {p_text} ?w . "
                             f"FILTER(!sameTerm(?v, ?w){FOCUS_TEST}) }}")
                    if isinstance(path, URIRef):
                        add(COMPONENT_IRI[URIRef(str(predicate))], query, "focus")
                        checks[-1].single_path = str(path)
                        continue
                else:
                    query = (f"SELECT ?this WHERE {{ __FOCUS__ {nodes('?v')} }} "
                             f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})")
                add(COMPONENT_IRI[URIRef(str(predicate))], query, "focus")
            elif predicate == SH.hasValue:
                if p_text and not from_focus:
                    query = f"SELECT ?this WHERE {{ __FOCUS__ FILTER NOT EXISTS {{ ?this {p_text} {sparql_term(obj)} }} }}"
                elif p_text:
                    query = (f"SELECT ?this WHERE {{ __FOCUS__ FILTER(!sameTerm(?this, {sparql_term(obj)}) "
                             f"&& NOT EXISTS {{ ?this {p_text} {sparql_term(obj)} }}) }}")
                else:
                    query = f"SELECT ?this WHERE {{ __FOCUS__ FILTER(!sameTerm(?this, {sparql_term(obj)})) }}"
                add(SH.HasValueConstraintComponent, query, "focus")
            elif predicate in (SH.lessThan, SH.lessThanOrEquals):
                op = "<" if predicate == SH.lessThan else "<="
                if from_focus:
                    query = (f"SELECT DISTINCT ?this ?value ?other WHERE {{ __FOCUS__ {value_nodes} ?this <{obj}> ?other . "
                             f"FILTER(!COALESCE(?value {op} ?other, false)) }}")
                else:
                    query = (f"SELECT DISTINCT ?this ?value ?other WHERE {{ {value_nodes} ?this <{obj}> ?other . "
                             f"FILTER(!COALESCE(?value {op} ?other, false){FOCUS_TEST}) }}")
                add(COMPONENT_IRI[URIRef(str(predicate))], query, "value")
            elif predicate == SH.sparql:
                if is_deactivated(shapes, obj):
                    continue
                extra = [m for m in shapes.objects(obj, SH.message) if isinstance(m, Literal)]
                add(SH.SPARQLConstraintComponent, _compile_sparql(shapes, shape, obj, path), "sparql", obj,
                    default_focus=path is None, msgs=messages + [m for m in extra if m not in messages])
    return checks

