"""Validation results as data: :class:`ValidationResult`, :class:`ValidationReport`, the standard
``sh:ValidationReport`` graph and the report for people, with labels and CURIEs for the nodes.

>>> from rdflib import Graph, URIRef
>>> r = ValidationResult("Violation", URIRef("https://w3id.org/pnet-kg/case/B1"), "case B1", None, None,
...                      "no primary site", URIRef("https://w3id.org/pnet-kg/shapes/CaseShape"),
...                      SH.MinCountConstraintComponent)
>>> print(report_text([r], False, Graph()), end="")
Violation shp:CaseShape: 1 result
  no primary site
  - case B1 [case:B1]
<BLANKLINE>
does not conform: 1 violations, 0 warnings, 0 infos
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from ..dataset import Dataset
from ..errors import InputError
from ..guard import printable
from ..prefixes import PNET, SH, bind_all, converter
from .shapes import path_text

#: Result severities, most severe first.
SEVERITIES = ("Violation", "Warning", "Info")


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
    #: the input the focus node came from: a case file and the line of its row, or an RDF file (else None)
    source_file: str | None = None
    source_line: int | None = None

    @property
    def source(self) -> str:
        """``file:line``, ``file`` or ``""``: where the focus node came from."""
        if self.source_file is None:
            return ""
        return f"{self.source_file}:{self.source_line}" if self.source_line is not None else self.source_file

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
                "shape": _n3(self.shape), "constraint": _n3(self.constraint),
                "source_file": self.source_file, "source_line": self.source_line}


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



def with_source(result: ValidationResult, dataset: Dataset) -> ValidationResult:
    """``result`` with the file (and line, for a case) its focus node came from, as the dataset recorded it."""
    found = dataset.source_of(result.focus) if isinstance(result.focus, URIRef) else None
    if found is None:
        return result
    return replace(result, source_file=found.file, source_line=found.line)


#: The columns of the CSV report, in order.
CSV_COLUMNS = ("severity", "focus", "focus_label", "path", "value", "message", "shape", "constraint",
               "source_file", "source_line")


def report_rows(report: ValidationReport) -> list[dict[str, Any]]:
    """One row per result (the :data:`CSV_COLUMNS`), for the shared table writer."""
    return [r.as_dict() for r in report.results]


def iter_results(report: ValidationReport, severity: str | None = None) -> Iterator[ValidationResult]:
    """The results of ``report``, optionally only those of one severity."""
    return (r for r in report.results if severity is None or r.severity == severity)


def node_labels(store_or_graph: Graph | ox.Store, nodes: Iterable[Node]) -> dict[Node, str]:
    """A label for each of ``nodes``: its English ``rdfs:label``, ``case ID`` for a case, else its CURIE."""
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
                case_id = graph.value(node, PNET.caseId)
                if case_id is not None:
                    labels[node] = f"case {case_id}"
    else:
        store = store_or_graph
        label_p, case_p = ox.NamedNode(str(RDFS.label)), ox.NamedNode(str(PNET.caseId))
        for node in wanted:
            ox_found = [q.object for q in store.quads_for_pattern(ox.NamedNode(str(node)), label_p, None)
                        if isinstance(q.object, ox.Literal)]
            en = [o for o in ox_found if (o.language or "").startswith("en")] or ox_found
            if en:
                labels[node] = sorted(o.value for o in en)[0]
                continue
            ids = [q.object.value for q in store.quads_for_pattern(ox.NamedNode(str(node)), case_p, None)
                   if not isinstance(q.object, ox.Triple)]
            if ids:
                labels[node] = f"case {sorted(ids)[0]}"
    for other in nodes:
        if other not in labels:
            labels[other] = curie(other) if isinstance(other, URIRef) else str(other)
    return labels


def curie(node: Node | None) -> str:
    """``node`` in short: a CURIE from the project's prefix map (``case:B1``), ``<iri>``, a literal in N3.

    >>> curie(URIRef("https://w3id.org/pnet-kg/case/B1")), curie(URIRef("urn:x")), curie(Literal(4))
    ('case:B1', '<urn:x>', '"4"^^<http://www.w3.org/2001/XMLSchema#integer>')
    """
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return converter().compress(str(node)) or f"<{node}>"
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


def report_graph(results: Sequence[ValidationResult], conforms: bool, shapes: Graph,
                 sources: dict[int, Node | None]) -> Graph:
    """The standard ``sh:ValidationReport`` graph; ``sources`` gives a result's ``sh:sourceConstraint`` by index."""
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
    name = curie(shape) if isinstance(shape, URIRef) else ""
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
            short = curie(r.focus)
            if short != where:
                where = f"{where} [{short}]"
            details = []
            if r.path is not None and isinstance(r.path, URIRef):
                details.append(f"path {curie(r.path)}")
            if r.value is not None and r.value != r.focus:
                details.append(f"value {curie(r.value)}")
            if r.source:
                details.append(f"from {r.source}")
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
    # every line is one line: a label or value from the data may not break it or drive the terminal
    return "\n".join(printable(line) for line in lines) + "\n"


def severity_name(node: Node | None) -> str:
    """``"Violation"``, ``"Warning"`` or ``"Info"`` for a ``sh:resultSeverity`` (none: Violation)."""
    text = str(node or SH.Violation)
    return text.rsplit("#", 1)[-1]


def first_message(messages: Sequence[Literal]) -> str:
    """The message a result shows: the first English one (or the first of any language) in sort order."""
    if not messages:
        return ""
    english = [m for m in messages if (m.language or "en").startswith("en")] or list(messages)
    return str(sorted(english, key=str)[0])
