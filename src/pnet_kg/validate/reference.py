"""The reference engine: pySHACL over rdflib, and reading any SHACL engine's report graph as results.

``engine="auto"`` comes here when the compiler declines the shapes; the tests compare both engines.

>>> from rdflib import Graph
>>> pyshacl_results(Graph(), Graph())[0]
[]
"""

from __future__ import annotations

import logging

from rdflib import BNode, Graph, Literal, URIRef

from ..errors import InputError
from ..prefixes import SH
from .report import ValidationResult, first_message, node_labels, severity_name


def pyshacl_results(graph: Graph, shapes: Graph) -> tuple[list[ValidationResult], Graph]:
    """pySHACL's results for ``graph`` against ``shapes``, and its report graph."""
    import pyshacl  # 0.15 s to import, and only this fallback needs it

    # Not allow_warnings: pySHACL then also lets a Warning-severity member of sh:or / sh:not / sh:node
    # count as conforming, which changes which results there are (conforms is decided by validate()).
    # pySHACL logs its errors to stderr through a handler of its own: the message we raise says it once
    log = logging.getLogger("pyshacl-validate")
    was_disabled, log.disabled = log.disabled, True
    try:
        _, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=False, js=False,
                                        allow_warnings=False, allow_infos=False, meta_shacl=False)
    except (pyshacl.errors.ShapeLoadError, pyshacl.errors.ConstraintLoadError,
            pyshacl.errors.ReportableRuntimeError) as exc:  # an ill-formed shape is the user's input
        raise InputError(f"the shapes are not well-formed SHACL: {str(exc).splitlines()[0]}") from None
    finally:
        log.disabled = was_disabled
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
    labels = node_labels(graph, (report.value(n, SH.focusNode) for n, _ in raw))  # type: ignore[misc]
    results = []
    for node, messages in raw:
        focus = report.value(node, SH.focusNode)
        assert focus is not None
        path = report.value(node, SH.resultPath)
        shape = report.value(node, SH.sourceShape)
        if isinstance(path, BNode):  # engines copy complex paths; point back at the shapes graph's node
            path = shapes.value(shape, SH.path) if shape is not None else path
        results.append(ValidationResult(severity_name(report.value(node, SH.resultSeverity)), focus, labels[focus],
                                        path, report.value(node, SH.value), first_message(messages),
                                        shape if shape is not None else BNode(),
                                        URIRef(str(report.value(node, SH.sourceConstraintComponent)))))
    return results
