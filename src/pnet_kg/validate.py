"""Validate the shipped graph and researchers' data against the SHACL shapes in ``shapes/``.

The shapes (SHACL Core and SHACL-SPARQL only) are the single source of truth. Two
engines apply them and give the same results:

* ``"fast"`` (the default) reads the shapes once, compiles every constraint into one
  SPARQL query over all focus nodes, and runs the queries on an embedded pyoxigraph
  store (:mod:`pnet_kg.store`): 100,000 cases in seconds;
* ``"pyshacl"``, the reference implementation over rdflib, used by the tests to prove
  that the fast engine agrees with it, and as a fallback for shapes that use a part of
  SHACL the compiler does not handle (``"auto"`` chooses).

Failures the data causes are *returned* in a :class:`ValidationReport`; input that
cannot be read is *raised* as :class:`~pnet_kg.errors.InputError` naming file and line.

>>> report = validate()
>>> report.conforms in (True, False)
True
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union
from typing import Literal as TypingLiteral

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from .cases import case_ntriples, is_case_file
from .errors import InputError, UnsupportedShape
from .shacl_support import (CANONICALISED, COMPONENT_IRI, TARGETS, VALUE_COMPONENTS, check_supported,
                            implicit_class_target, is_deactivated, shape_nodes)

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pyoxigraph as ox

SH = Namespace("http://www.w3.org/ns/shacl#")
PNET_CASE = "https://w3id.org/pnet-kg/case/"
OWL_IMPORTS = URIRef("http://www.w3.org/2002/07/owl#imports")
Engine = TypingLiteral["auto", "fast", "pyshacl"]
DataInput = Union[str, Path, Graph]

#: Suffixes read as RDF; ``.csv`` and case ``.json`` files go through :mod:`pnet_kg.cases`.
SEVERITIES = ("Violation", "Warning", "Info")


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``: which node broke which constraint of which shape, and why.

    ``severity`` is ``"Violation"``, ``"Warning"`` or ``"Info"``; ``constraint`` is the
    SHACL constraint component (for example ``sh:MinCountConstraintComponent``).
    """

    severity: str
    focus: Node
    focus_label: str
    path: Node | None
    value: Node | None
    message: str
    shape: Node
    constraint: URIRef

    def key(self, shapes: Graph | None = None) -> tuple[Any, ...]:
        """A comparable identity: focus, path, constraint, severity and value (literals by value).

        >>> r = ValidationResult("Violation", URIRef("urn:a"), "a", None, Literal("13.0", datatype=XSD.decimal),
        ...                      "m", URIRef("urn:s"), SH.DatatypeConstraintComponent)
        >>> r.key()[4] == ValidationResult("Violation", URIRef("urn:a"), "a", None,
        ...     Literal("13", datatype=XSD.decimal), "m", URIRef("urn:s"), SH.DatatypeConstraintComponent).key()[4]
        True
        """
        return (_node_key(self.focus), path_text(shapes, self.path) if shapes is not None else _node_key(self.path),
                str(self.constraint), self.severity, _node_key(self.value))

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready values (terms as N3 text)."""
        return {"severity": self.severity, "focus": _n3(self.focus), "focus_label": self.focus_label,
                "path": _n3(self.path), "value": _n3(self.value), "message": self.message,
                "shape": _n3(self.shape), "constraint": _n3(self.constraint)}


@dataclass
class ValidationReport:
    """What :func:`validate` found: ``conforms`` is true when there is no result (or, with
    ``allow_warnings``, no result of severity Violation) and no input row was skipped.

    ``graph`` is the standard ``sh:ValidationReport`` as an :class:`rdflib.Graph`;
    ``text`` the same report for people, grouped by shape.
    """

    conforms: bool
    results: list[ValidationResult]
    graph: Graph
    text: str
    engine: str = "fast"
    input_errors: list[InputError] = field(default_factory=list)

    def count(self, severity: str) -> int:
        """How many results have ``severity`` (``"Violation"``, ``"Warning"`` or ``"Info"``)."""
        return sum(1 for r in self.results if r.severity == severity)

    def to_json(self) -> str:
        """The report as JSON: ``conforms``, counts by severity and every result."""
        body = {"conforms": self.conforms, "engine": self.engine,
                "counts": {s.lower(): self.count(s) for s in SEVERITIES},
                "results": [r.as_dict() for r in self.results],
                "input_errors": [str(e) for e in self.input_errors]}
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def _n3(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, BNode):
        return f"_:{node}"
    return node.n3()


def _node_key(node: Node | None) -> Any:
    if isinstance(node, Literal):
        value = node.toPython()
        datatype = node.datatype or (None if node.language else XSD.string)
        return ("literal", str(datatype or ""), node.language or "",
                value if not isinstance(value, Literal) else str(value))
    if isinstance(node, BNode):
        return ("bnode",)  # blank nodes have no identity across engines
    return None if node is None else str(node)


# ---------------------------------------------------------------- shapes


@lru_cache(maxsize=1)
def _shipped_shapes() -> Graph:
    from .resources import data_dir

    graph = Graph()
    for path in sorted(data_dir("shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def shapes_graph(files: Iterable[str | Path] | None = None) -> Graph:
    """Return the shapes: the shipped ``shapes/*.ttl`` (default) or the given Turtle files.

    >>> len(shapes_graph()) > 100
    True
    """
    if files is None:
        return _shipped_shapes()
    from .load import parse_file

    graph = Graph()
    for path in files:
        parse_file(path, graph)
    return graph


def path_text(shapes: Graph | None, path: Node | None) -> str | None:
    """A SHACL property path as a SPARQL property path (``None`` stays ``None``).

    >>> g = Graph()
    >>> path_text(g, URIRef("urn:p"))
    '<urn:p>'
    """
    if path is None:
        return None
    if isinstance(path, URIRef):
        return f"<{path}>"
    if shapes is None:
        raise UnsupportedShape(f"complex path {path} needs the shapes graph")
    if (path, RDF.first, None) in shapes:
        return "(" + "/".join(str(path_text(shapes, p)) for p in Collection(shapes, path)) + ")"
    for predicate, wrap in ((SH.alternativePath, None), (SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                            (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = shapes.value(path, predicate)
        if inner is None:
            continue
        if predicate == SH.alternativePath:
            return "(" + "|".join(str(path_text(shapes, p)) for p in Collection(shapes, inner)) + ")"
        assert wrap is not None
        return "(" + wrap.format(path_text(shapes, inner)) + ")"
    raise UnsupportedShape(f"unknown SHACL path {path}")


# Datatypes whose lexical form SPARQL can check by casting (an ill-typed literal fails sh:datatype).
_CASTABLE = {XSD.decimal, XSD.integer, XSD.double, XSD.float, XSD.boolean, XSD.date, XSD.dateTime}


@dataclass
class _Check:
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


def _sparql_term(node: Node) -> str:
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
        return "(" + " || ".join(f"sameTerm({v}, {_sparql_term(m)})" for m in members) + ")" if members else "false"
    ops = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
    if predicate in ops:
        return f"(isLiteral({v}) && COALESCE({v} {ops[predicate]} {_sparql_term(obj)}, false))"
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


def compile_shapes(shapes: Graph) -> list[_Check]:
    """Compile every constraint of ``shapes`` into a :class:`_Check`; raise :class:`UnsupportedShape` if one cannot be.

    What compiles is listed in :mod:`pnet_kg.shacl_support`; anything else is declined, never skipped.
    """
    check_supported(shapes)
    checks: list[_Check] = []
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
            checks.append(_Check(shape, component, severity, messages if msgs is None else msgs, path,  # noqa: B023
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
                             f"FILTER({failing}{_FOCUS_TEST}) }}")
                else:
                    query = f"SELECT DISTINCT ?this ?value WHERE {{ __FOCUS__ {value_nodes} FILTER({failing}) }}"
                add(COMPONENT_IRI[URIRef(str(predicate))], query, "value")
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
                             f"FILTER(!sameTerm(?v, ?w){_FOCUS_TEST}) }}")
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
                    query = f"SELECT ?this WHERE {{ __FOCUS__ FILTER NOT EXISTS {{ ?this {p_text} {_sparql_term(obj)} }} }}"
                elif p_text:
                    query = (f"SELECT ?this WHERE {{ __FOCUS__ FILTER(!sameTerm(?this, {_sparql_term(obj)}) "
                             f"&& NOT EXISTS {{ ?this {p_text} {_sparql_term(obj)} }}) }}")
                else:
                    query = f"SELECT ?this WHERE {{ __FOCUS__ FILTER(!sameTerm(?this, {_sparql_term(obj)})) }}"
                add(SH.HasValueConstraintComponent, query, "focus")
            elif predicate in (SH.lessThan, SH.lessThanOrEquals):
                op = "<" if predicate == SH.lessThan else "<="
                if from_focus:
                    query = (f"SELECT DISTINCT ?this ?value ?other WHERE {{ __FOCUS__ {value_nodes} ?this <{obj}> ?other . "
                             f"FILTER(!COALESCE(?value {op} ?other, false)) }}")
                else:
                    query = (f"SELECT DISTINCT ?this ?value ?other WHERE {{ {value_nodes} ?this <{obj}> ?other . "
                             f"FILTER(!COALESCE(?value {op} ?other, false){_FOCUS_TEST}) }}")
                add(COMPONENT_IRI[URIRef(str(predicate))], query, "value")
            elif predicate == SH.sparql:
                if is_deactivated(shapes, obj):
                    continue
                extra = [m for m in shapes.objects(obj, SH.message) if isinstance(m, Literal)]
                add(SH.SPARQLConstraintComponent, _compile_sparql(shapes, shape, obj, path), "sparql", obj,
                    default_focus=path is None, msgs=messages + [m for m in extra if m not in messages])
    return checks


# ---------------------------------------------------------------- the fast engine


def _class_closure(store: ox.Store, cls: Node) -> list[str]:
    import pyoxigraph as ox

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
            branches.append(f"VALUES ?this {{ {_sparql_term(obj)} }}")
        elif kind == SH.targetSubjectsOf:
            branches.append(f"?this <{obj}> ?__object .")
        elif kind == SH.targetObjectsOf:
            branches.append(f"?__subject <{obj}> ?this .")
    union = " UNION ".join(f"{{ {b} }}" for b in branches)
    if len(branches) == 1 and targets[0][0] == SH.targetClass and len(closures[targets[0][1]]) == 1:
        return branches[0], union
    return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}", union


_FOCUS_TEST = " && EXISTS { __FOCUS_EXISTS__ }"


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    import pyoxigraph as ox

    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def _multivalued_predicates(store: ox.Store, predicates: set[str | None]) -> set[str]:
    """Those of ``predicates`` that some subject has two triples of (one scan for all)."""
    wanted = sorted(p for p in predicates if p)
    if not wanted:
        return set()
    listed = ", ".join(f"<{p}>" for p in wanted)
    query = (f"SELECT ?p (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?m) WHERE {{ ?s ?p ?o . FILTER(?p IN ({listed})) }} "
             f"GROUP BY ?p")
    return {s["p"].value for s in _select(store, query)
            if int(s["n"].value) > int(s["m"].value)}


def _missing_candidates(store: ox.Store, checks: Sequence[_Check], closures: dict[Node, list[str]]) -> dict[int, bool]:
    """For minCount 1 checks: whether any focus node lacks the predicate (one scan per target set)."""
    by_targets: dict[str, list[_Check]] = defaultdict(list)
    for check in checks:
        by_targets[repr(sorted(map(str, check.targets)))].append(check)
    found: dict[int, bool] = {}
    for group in by_targets.values():
        focus, _ = _focus_pattern(store, group[0].targets, closures)
        paths = sorted({c.single_path for c in group if c.single_path})
        binds = " ".join(f"BIND(NOT EXISTS {{ ?this <{p}> ?v{i} }} AS ?m{i})" for i, p in enumerate(paths))
        test = " || ".join(f"?m{i}" for i in range(len(paths)))
        query = f"SELECT {' '.join(f'?m{i}' for i in range(len(paths)))} WHERE {{ {focus} {binds} FILTER({test}) }}"
        lacking: set[str] = set()
        for s in _select(store, query):
            lacking |= {p for i, p in enumerate(paths) if s[f"m{i}"] is not None
                        and s[f"m{i}"].value == "true"}
        for c in group:
            found[id(c)] = c.single_path in lacking
    return found


def _focus_members(store: ox.Store, candidates: set[Any], focus_test: str) -> set[Any]:
    """Those of ``candidates`` (pyoxigraph terms) that are focus nodes of the shape."""
    import pyoxigraph as ox

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


def _from_ox(term: Any) -> Node | None:
    from .store import from_ox

    node = from_ox(term)
    if isinstance(node, Literal) and node.datatype == XSD.string:
        # RDF 1.1: "abc" and "abc"^^xsd:string are one term; rdflib's parsers (and pySHACL) write the first
        return Literal(str(node))
    return node


def _messages_for(check: _Check, bindings: dict[str, Node]) -> list[Literal]:
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
    check: _Check
    focus: Node
    path: Node | None
    value: Node | None
    messages: list[Literal]


def _run_checks(store: ox.Store, checks: Sequence[_Check]) -> list[_RawResult]:
    import pyoxigraph as ox

    closures: dict[Node, list[str]] = {}
    raw: list[_RawResult] = []
    # Cheap pre-tests that let most cardinality checks skip their scan of all focus nodes.
    multi = _multivalued_predicates(store, {c.single_path for c in checks
                                            if c.single_path and c.component == SH.MaxCountConstraintComponent})
    missing = _missing_candidates(store, [c for c in checks
                                          if c.single_path and c.component == SH.MinCountConstraintComponent], closures)
    for check in checks:
        if check.single_path and check.component == SH.MaxCountConstraintComponent and check.single_path not in multi:
            continue  # no subject has two values of this predicate
        if check.single_path and check.component == SH.MinCountConstraintComponent and not missing.get(id(check)):
            continue  # every focus node has a value
        focus, focus_test = _focus_pattern(store, check.targets, closures)
        # Queries driven by a path's triples test focus membership afterwards, only for failing rows:
        # Oxigraph evaluates an EXISTS on every row, which costs more than the constraint itself.
        post_filter = _FOCUS_TEST in check.query
        query = check.query.replace(_FOCUS_TEST, "").replace("__FOCUS__", focus)
        for cls in set(re.findall(r"__CLASS<([^>]+)>__", query)):
            if URIRef(cls) not in closures:
                closures[URIRef(cls)] = _class_closure(store, URIRef(cls))
            query = query.replace(f"__CLASS<{cls}>__", ", ".join(closures[URIRef(cls)]))
        try:
            solutions = store.query(query)
        except (SyntaxError, ValueError, OSError) as exc:  # a shape whose SPARQL oxigraph refuses
            raise UnsupportedShape(f"shape {check.shape}: {exc}") from exc
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        rows = [{n: solution[n] for n in names if solution[n] is not None} for solution in solutions]
        if post_filter and rows:
            members = _focus_members(store, {r["this"] for r in rows if "this" in r}, focus_test)
            rows = [r for r in rows if r.get("this") in members]
        seen: set[tuple[Any, ...]] = set()
        for row in rows:
            bound = {n: _from_ox(term) for n, term in row.items()}
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


def _literal_key(literal: Literal) -> tuple[str, Any]:
    value = literal.toPython()
    return str(literal.datatype), value if not isinstance(value, Literal) else ("lexical", str(value))


def _source_literals(data: DataInput | Iterable[DataInput] | None, shipped: bool,
                     datatypes: set[str]) -> Iterator[tuple[Node, Node, Literal]]:
    """The triples of the inputs whose object is a literal of ``datatypes``, with the data's own terms."""
    import pyoxigraph as ox

    from .store import RDF_FORMATS

    def from_parser(triples: Iterable[Any]) -> Iterator[tuple[Node, Node, Literal]]:
        for t in triples:
            o = t.object
            if isinstance(o, ox.Literal) and o.datatype.value in datatypes:
                s, p = _from_ox(t.subject), _from_ox(t.predicate)
                assert s is not None and p is not None
                yield s, p, Literal(o.value, datatype=o.datatype.value, normalize=False)

    if shipped:
        from .catalog import ROOT_IRI
        from .load import walk_imports

        files: list[Path] = []

        def visit(iri: str, path: Path) -> list[str]:
            files.append(path)
            found = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
            return [t.object.value for t in found if t.predicate.value == str(OWL_IMPORTS)
                    and t.subject.value == iri and isinstance(t.object, ox.NamedNode)]

        walk_imports(ROOT_IRI, visit)
        for path in files:
            yield from from_parser(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    for item in _as_list(data):
        if isinstance(item, Graph):
            for s, p, o in item:
                if isinstance(o, Literal) and str(o.datatype) in datatypes:
                    yield s, p, o
        elif is_case_file(Path(item)):
            yield from from_parser(ox.parse(case_ntriples(Path(item), True, []), format=ox.RdfFormat.N_TRIPLES))
        else:
            fmt = RDF_FORMATS[Path(item).suffix.lower()][1]
            yield from from_parser(ox.parse(path=str(item), format=fmt))


Sourced = tuple[ValidationResult, "_Check"]


def _stored_by_value(node: Node | None) -> bool:
    return isinstance(node, Literal) and node.datatype in CANONICALISED


def _restore_terms(results: list[Sourced], data: DataInput | Iterable[DataInput] | None,
                   shipped: bool) -> list[Sourced]:
    """Give back the data's own literals: the store keeps numbers, booleans and dates by value only
    (``"4.0"^^xsd:decimal`` comes back as ``"4"``). Costs a second read of the inputs, and only when a
    result carries such a literal. A value the store merged from several spellings of one value gives
    one result per spelling (each is its own value node); where the path cannot tell, the engine declines.
    """
    wanted = [n for r, _ in results for n in (r.focus, r.value) if _stored_by_value(n)]
    if not wanted:
        return results
    keys = {_literal_key(n) for n in wanted if isinstance(n, Literal)}
    by_triple: dict[tuple[Node, Node, tuple[str, Any]], set[Literal]] = defaultdict(set)
    anywhere: dict[tuple[str, Any], set[Literal]] = defaultdict(set)
    for s, p, o in _source_literals(data, shipped, {str(n.datatype) for n in wanted if isinstance(n, Literal)}):
        key = _literal_key(o)
        if key in keys:
            by_triple[(s, p, key)].add(o)
            anywhere[key].add(o)

    def only_spelling(literal: Literal) -> Literal:
        spellings = anywhere.get(_literal_key(literal), {literal})
        if len(spellings) > 1:
            raise UnsupportedShape(f"{literal.n3()} is written in several ways in the data and the fast engine "
                                   "cannot tell which one a result is about")
        return next(iter(spellings))

    restored: list[Sourced] = []
    for r, source in results:
        if isinstance(r.focus, Literal) and _stored_by_value(r.focus):
            focus = only_spelling(r.focus)
            r = replace(r, focus=focus, focus_label=str(focus), value=focus if r.value == r.focus else r.value)
        if not isinstance(r.value, Literal) or not _stored_by_value(r.value) or r.value is r.focus:
            restored.append((r, source))
            continue
        spellings = by_triple.get((r.focus, r.path, _literal_key(r.value))) if isinstance(r.path, URIRef) else None
        restored += [(replace(r, value=v), source) for v in sorted(spellings or {only_spelling(r.value)})]
    return restored


# ---------------------------------------------------------------- loading data


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise InputError("no such file", file=path)
    if not path.is_file():
        raise InputError("not a file", file=path)
    if path.stat().st_size == 0:
        raise InputError("the file is empty", file=path)


def _check_rdf_suffix(path: Path) -> None:
    # Named here rather than by the store's loader, so that the message also lists the case files.
    from .store import RDF_FORMATS

    if path.suffix.lower() not in RDF_FORMATS:
        known = ", ".join(sorted(set(RDF_FORMATS) | {".csv", ".json"}))
        raise InputError(f"unknown file type {path.suffix or '(no suffix)'!r} (known: {known})", file=path)


def _shipped_into(store: ox.Store) -> None:
    """Load the root ontology and its imports closure (through the catalog) into ``store``."""
    import pyoxigraph as ox

    from .catalog import ROOT_IRI
    from .load import walk_imports
    from .store import bulk_load_file

    imports = ox.NamedNode("http://www.w3.org/2002/07/owl#imports")

    def load_module(iri: str, path: Path) -> list[str]:
        bulk_load_file(store, path)  # a syntax error names the module and line
        return [q.object.value for q in store.quads_for_pattern(ox.NamedNode(iri), imports, None)
                if isinstance(q.object, ox.NamedNode)]

    walk_imports(ROOT_IRI, load_module)


def _as_list(data: DataInput | Iterable[DataInput] | None) -> list[DataInput]:
    if data is None:
        return []
    if isinstance(data, (str, Path, Graph)):
        return [data]
    return list(data)


def load_store(data: DataInput | Iterable[DataInput] | None = None, *, shipped: bool = True,
               keep_going: bool = False, errors: list[InputError] | None = None) -> ox.Store:
    """Return an in-memory pyoxigraph store with the shipped graph (unless ``shipped=False``) and ``data``."""
    import pyoxigraph as ox

    from .store import add_files, add_graph

    store = ox.Store()
    if shipped:
        _shipped_into(store)
    errors = errors if errors is not None else []
    for item in _as_list(data):
        if isinstance(item, Graph):
            add_graph(store, item)
            continue
        path = Path(item)
        _check_readable(path)
        if not is_case_file(path):
            _check_rdf_suffix(path)
        add_files(store, [path], keep_going=keep_going, errors=errors)
    return store


def load_graph(data: DataInput | Iterable[DataInput] | None = None, *, shipped: bool = True,
               keep_going: bool = False, errors: list[InputError] | None = None) -> Graph:
    """The same data as :func:`load_store`, as one :class:`rdflib.Graph` (for pySHACL)."""
    from .load import load, parse_file
    from .prefixes import bind_all

    graph = load() if shipped else bind_all(Graph())
    errors = errors if errors is not None else []
    for item in _as_list(data):
        if isinstance(item, Graph):
            graph += item
            continue
        path = Path(item)
        _check_readable(path)
        if is_case_file(path):
            graph.parse(data=case_ntriples(path, keep_going, errors).decode("utf-8"), format="nt")
        else:
            _check_rdf_suffix(path)
            parse_file(path, graph)
    return graph


# ---------------------------------------------------------------- labels, report graph, text


def _labels(store_or_graph: Any, nodes: Iterable[Node]) -> dict[Node, str]:

    nodes = set(nodes)
    wanted = [n for n in nodes if isinstance(n, URIRef)]
    labels: dict[Node, str] = {}
    if isinstance(store_or_graph, Graph):
        graph = store_or_graph
        for node in wanted:
            found = [o for o in graph.objects(node, RDFS.label) if isinstance(o, Literal)]
            english = [o for o in found if (o.language or "").startswith("en")] or found
            if english:
                labels[node] = str(sorted(english)[0])
            else:
                case_id = graph.value(node, URIRef("https://w3id.org/pnet-kg/caseId"))
                if case_id is not None:
                    labels[node] = f"case {case_id}"
    else:
        import pyoxigraph as ox

        store = store_or_graph
        label_p, case_p = ox.NamedNode(str(RDFS.label)), ox.NamedNode("https://w3id.org/pnet-kg/caseId")
        for node in wanted:
            ox_found = [q.object for q in store.quads_for_pattern(ox.NamedNode(str(node)), label_p, None)
                        if isinstance(q.object, ox.Literal)]
            en = [o for o in ox_found if (o.language or "").startswith("en")] or ox_found
            if en:
                labels[node] = sorted(o.value for o in en)[0]
                continue
            ids = [q.object.value for q in store.quads_for_pattern(ox.NamedNode(str(node)), case_p, None)]
            if ids:
                labels[node] = f"case {sorted(ids)[0]}"
    for other in nodes:
        if other not in labels:
            labels[other] = _curie(other) if isinstance(other, URIRef) else str(other)
    return labels


def _curie(node: Node | None) -> str:
    from .prefixes import converter

    if node is None:
        return ""
    if isinstance(node, URIRef):
        compressed = converter().compress(str(node))
        if compressed is None and str(node).startswith(PNET_CASE):
            compressed = "case:" + str(node)[len(PNET_CASE):]
        return compressed or f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    return f"_:{node}"


def _copy_node(source: Graph, target: Graph, node: Node) -> None:
    """Copy the description of blank node ``node`` (a complex path) from ``source`` into ``target``."""
    if not isinstance(node, BNode):
        return
    for p, o in source.predicate_objects(node):
        target.add((node, p, o))
        _copy_node(source, target, o)


def _report_graph(results: Sequence[ValidationResult], conforms: bool, shapes: Graph,
                  sources: dict[int, Node | None]) -> Graph:
    from .prefixes import bind_all

    graph = bind_all(Graph())
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(conforms)))
    for i, r in enumerate(results):
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, r.focus))
        graph.add((node, SH.resultSeverity, SH[r.severity]))
        graph.add((node, SH.sourceConstraintComponent, r.constraint))
        graph.add((node, SH.sourceShape, r.shape))
        _copy_node(shapes, graph, r.shape)
        if r.path is not None:
            graph.add((node, SH.resultPath, r.path))
            _copy_node(shapes, graph, r.path)
        if r.value is not None:
            graph.add((node, SH.value, r.value))
        if r.message:
            graph.add((node, SH.resultMessage, Literal(r.message)))
        if sources.get(i) is not None:
            graph.add((node, SH.sourceConstraint, sources[i]))  # type: ignore[arg-type]
    return graph


def _shape_title(shapes: Graph, shape: Node) -> str:
    label = shapes.value(shape, RDFS.label)
    name = _curie(shape).replace("https://w3id.org/pnet-kg/shapes/", "shp:") if isinstance(shape, URIRef) else ""
    if isinstance(shape, URIRef) and str(shape).startswith("https://w3id.org/pnet-kg/shapes/"):
        name = "shp:" + str(shape)[len("https://w3id.org/pnet-kg/shapes/"):]
    return f"{label} ({name})" if label is not None else (name or "anonymous shape")


def report_text(results: Sequence[ValidationResult], conforms: bool, shapes: Graph,
                input_errors: Sequence[InputError] = ()) -> str:
    """The report for people: one block per shape (violations first), one line per result."""
    order = {s: i for i, s in enumerate(SEVERITIES)}
    groups: dict[tuple[int, str, Node], list[ValidationResult]] = defaultdict(list)
    for r in results:
        groups[(order.get(r.severity, 9), _shape_title(shapes, r.shape), r.shape)].append(r)
    lines = []
    for (_, title, _shape), items in sorted(groups.items(), key=lambda kv: kv[0][:2]):
        severity = items[0].severity
        lines.append(f"{severity} {title}: {len(items)} result{'s' if len(items) != 1 else ''}")
        messages = sorted({r.message for r in items})
        for m in messages[:1]:
            lines.append(f"  {m}")
        for r in sorted(items, key=lambda r: (r.focus_label, str(r.path), str(r.value))):
            where = r.focus_label
            curie = _curie(r.focus)
            if curie != where:
                where = f"{where} [{curie}]"
            details = []
            if r.path is not None and isinstance(r.path, URIRef):
                details.append(f"path {_curie(r.path)}")
            if r.value is not None and r.value != r.focus:
                details.append(f"value {_curie(r.value)}")
            extra = f" ({', '.join(details)})" if details else ""
            note = f": {r.message}" if len(messages) > 1 else ""
            lines.append(f"  - {where}{extra}{note}")
        lines.append("")
    for error in input_errors:
        lines.append(f"skipped input: {error}")
    counts = {s: sum(1 for r in results if r.severity == s) for s in SEVERITIES}
    skipped = f", {len(input_errors)} bad input row(s) skipped" if input_errors else ""
    lines.append(f"{'conforms' if conforms else 'does not conform'}: {counts['Violation']} violations, "
                 f"{counts['Warning']} warnings, {counts['Info']} infos{skipped}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- entry point


def _severity_name(node: Node | None) -> str:
    text = str(node or SH.Violation)
    return text.rsplit("#", 1)[-1]


def _first_message(messages: Sequence[Literal]) -> str:
    if not messages:
        return ""
    english = [m for m in messages if (m.language or "en").startswith("en")] or list(messages)
    return str(sorted(english, key=str)[0])


def _fast(store: ox.Store, shapes: Graph) -> list[Sourced]:
    """The results of the compiled checks, each with the check that found it."""
    checks = compile_shapes(shapes)
    raw = _run_checks(store, checks)
    labels = _labels(store, (r.focus for r in raw))
    results: list[Sourced] = []
    for r in raw:
        message = _first_message(r.messages) or f"{_curie(r.check.component)} failed"
        results.append((ValidationResult(_severity_name(r.check.severity), r.focus, labels[r.focus], r.path, r.value,
                                         message, r.check.shape, r.check.component), r.check))
    return results


def _lexical_holds(check: _Check, value: Node | None) -> bool:
    """Whether a literal the store keeps by value passes ``check``'s length or pattern test after all,
    now that ``value`` is the data's own spelling (SPARQL saw only the canonical one)."""
    if check.lexical is None or not _stored_by_value(value):
        return False
    predicate, obj, flags = check.lexical
    text = str(value)
    if predicate == SH.minLength:
        return len(text) >= int(str(obj))
    if predicate == SH.maxLength:
        return len(text) <= int(str(obj))
    options = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
    pattern = re.escape(str(obj)) if "q" in (flags or "") else str(obj)
    mode = 0
    for flag in flags or "":
        mode |= options.get(flag, 0)
    return re.search(pattern, text, mode) is not None


def _pyshacl(graph: Graph, shapes: Graph) -> tuple[list[ValidationResult], Graph]:
    import pyshacl

    # Not allow_warnings: pySHACL then also lets a Warning-severity member of sh:or / sh:not / sh:node
    # count as conforming, which changes which results there are (conforms is decided by validate()).
    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=False, js=False,
                                    allow_warnings=False, allow_infos=False, meta_shacl=False)
    assert isinstance(report, Graph)
    return results_from_report(report, graph, shapes), report


def results_from_report(report: Graph, graph: Graph, shapes: Graph) -> list[ValidationResult]:
    """Read the ``sh:ValidationResult``s of any SHACL engine's report graph over ``graph``."""
    raw = []
    # Only the report's own sh:result: pySHACL also types the nested results of sh:node as
    # sh:ValidationResult, under sh:detail, and those are not results of the report.
    for node in report.objects(None, SH.result):
        messages = [m for m in report.objects(node, SH.resultMessage) if isinstance(m, Literal)]
        raw.append((node, messages))
    labels = _labels(graph, (report.value(n, SH.focusNode) for n, _ in raw))  # type: ignore[misc]
    results = []
    for node, messages in raw:
        focus = report.value(node, SH.focusNode)
        assert focus is not None
        path = report.value(node, SH.resultPath)
        shape = report.value(node, SH.sourceShape)
        if isinstance(path, BNode):  # engines copy complex paths; point back at the shapes graph's node
            path = shapes.value(shape, SH.path) if shape is not None else path
        results.append(ValidationResult(_severity_name(report.value(node, SH.resultSeverity)), focus, labels[focus],
                                        path, report.value(node, SH.value), _first_message(messages),
                                        shape if shape is not None else BNode(),
                                        URIRef(str(report.value(node, SH.sourceConstraintComponent)))))
    return results


def validate(data: DataInput | Iterable[DataInput] | None = None, *, shapes: Graph | None = None,
             shipped: bool = True, engine: Engine = "auto", keep_going: bool = False,
             allow_warnings: bool = False) -> ValidationReport:
    """Validate the shipped graph plus ``data`` against the SHACL shapes.

    :param data: files (Turtle, N-Triples, JSON-LD, RDF/XML, or case CSV/JSON read through
        :mod:`pnet_kg.cases`) and/or :class:`rdflib.Graph` objects to validate with the shipped graph.
    :param shapes: a shapes graph; default: the shipped ``shapes/*.ttl``.
    :param shipped: include the shipped graph (its value sets and rules are what case shapes check against).
    :param engine: ``"fast"`` (compiled SPARQL on pyoxigraph), ``"pyshacl"`` (reference) or ``"auto"``
        (fast, falling back to pySHACL for shapes the compiler does not handle).
    :param keep_going: skip bad case-file rows (listed in ``input_errors``) instead of raising.
    :param allow_warnings: ``conforms`` stays true when every result is a Warning or an Info (as pySHACL's
        ``allow_warnings``); by default a report conforms only when it has no result at all (SHACL 3.6.1).
    :returns: a :class:`ValidationReport`; ``conforms`` is also false when a case-file row was skipped
        (``keep_going``).
    :raises InputError: a file is missing, empty, of unknown type or unreadable (with file and line).

    >>> validate(shipped=False).results
    []
    """
    from .guard import check_choice, check_type

    check_choice(engine, ("auto", "fast", "pyshacl"), "engine")
    check_type(shapes, Graph, "shapes", optional=True)
    if data is not None and not isinstance(data, (str, Path, Graph)):
        if not isinstance(data, Iterable):
            raise InputError(f"data must be a file path, an rdflib Graph or a list of them, not {type(data).__name__}")
        data = list(data)
        for item in data:
            check_type(item, (str, Path, Graph), "each item of data")
    shapes = shapes if shapes is not None else shapes_graph()
    errors: list[InputError] = []
    results: list[ValidationResult] | None = None
    sources: dict[int, Node | None] = {}
    used = engine
    if engine in ("auto", "fast"):
        try:
            checks_ok = compile_shapes(shapes)  # compile first: fall back before loading anything
            del checks_ok
            store = load_store(data, shipped=shipped, keep_going=keep_going, errors=errors)
            pairs = [(r, check) for r, check in _restore_terms(_fast(store, shapes), data, shipped)
                     if not _lexical_holds(check, r.value)]
            results, sources = [r for r, _ in pairs], {i: check.source_constraint for i, (_, check) in enumerate(pairs)}
            used = "fast"
        except UnsupportedShape:
            if engine == "fast":
                raise
            errors = []
    report_graph: Graph | None = None
    if results is None:
        graph = load_graph(data, shipped=shipped, keep_going=keep_going, errors=errors)
        results, report_graph = _pyshacl(graph, shapes)
        used = "pyshacl"
    order = {s: i for i, s in enumerate(SEVERITIES)}
    indexed = sorted(enumerate(results), key=lambda ir: (order.get(ir[1].severity, 9), str(ir[1].shape),
                                                           ir[1].focus_label, str(ir[1].focus), str(ir[1].value)))
    results = [r for _, r in indexed]
    sources = {new: sources.get(old) for new, (old, _) in enumerate(indexed)}
    # rows skipped under keep_going were never checked: what is left cannot vouch for the input
    conforms = not errors and not any(r.severity == "Violation" or not allow_warnings for r in results)
    if report_graph is None:
        report_graph = _report_graph(results, conforms, shapes, sources)
    else:  # pySHACL ran with allow_warnings (to read every result); state the chosen rule's answer
        report_node = report_graph.value(predicate=RDF.type, object=SH.ValidationReport)
        assert report_node is not None
        report_graph.set((report_node, SH.conforms, Literal(conforms)))
    text = report_text(results, conforms, shapes, errors)
    return ValidationReport(conforms, results, report_graph, text, used, errors)


def iter_results(report: ValidationReport, severity: str | None = None) -> Iterator[ValidationResult]:
    """The results of ``report``, optionally only those of one severity."""
    return (r for r in report.results if severity is None or r.severity == severity)
