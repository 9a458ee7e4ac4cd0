"""Validate the shipped graph and researchers' data against the SHACL shapes in ``shapes/``.

The shapes (SHACL Core and SHACL-SPARQL only) are the single source of truth. Two
engines apply them and give the same results:

* ``"fast"`` (the default) reads the shapes once, compiles every constraint into one
  SPARQL query over all focus nodes (:mod:`.compiler`, within the allow-list of
  :mod:`.support`), and runs the queries on an embedded pyoxigraph store (:mod:`.runner`,
  with :mod:`.spellings` giving back the data's own literals): 100,000 cases in seconds;
* ``"pyshacl"`` (:mod:`.reference`), the reference implementation over rdflib, used by the
  tests to prove that the fast engine agrees with it, and as a fallback for shapes that use
  a part of SHACL the compiler does not handle (``"auto"`` chooses).

:func:`validate` is the one entry point. Failures the data causes are *returned* in a
:class:`ValidationReport` (:mod:`.report`); input that cannot be read (:class:`~pnet_kg.dataset.Dataset`
opens it) is *raised* as :class:`~pnet_kg.errors.InputError` naming file and line.

>>> report = validate()
>>> report.conforms in (True, False)
True
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal as TypingLiteral

from rdflib import Graph, Literal
from rdflib.namespace import RDF
from rdflib.term import Node

from ..errors import InputError, UnsupportedShape
from ..guard import check_choice, check_type
from ..prefixes import SH
from .compiler import compile_shapes
from ..dataset import DataInput, Dataset
from .reference import pyshacl_results, results_from_report
from .report import (SEVERITIES, ValidationReport, ValidationResult, iter_results, report_graph, report_text,
                     with_source)
from .runner import fast_results
from .shapes import path_text, shapes_graph
from .spellings import lexical_holds, restore_terms

__all__ = [
    "SEVERITIES",
    "DataInput",
    "Dataset",
    "Engine",
    "ValidationReport",
    "ValidationResult",
    "compile_shapes",
    "iter_results",
    "path_text",
    "report_text",
    "results_from_report",
    "shapes_graph",
    "validate",
]

#: Which engine :func:`validate` runs.
Engine = TypingLiteral["auto", "fast", "pyshacl"]


def validate(data: Dataset | DataInput | Iterable[DataInput] | None = None, *, shapes: Graph | None = None,
             shipped: bool = True, engine: Engine = "auto", keep_going: bool = False,
             allow_warnings: bool = False) -> ValidationReport:
    """Validate the shipped graph plus ``data`` against the SHACL shapes.

    :param data: a :class:`~pnet_kg.dataset.Dataset` (then ``shipped`` and ``keep_going`` are its own), or
        files (Turtle, N-Triples, JSON-LD, RDF/XML, or case CSV/JSON read through
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
    check_choice(engine, ("auto", "fast", "pyshacl"), "engine")
    check_type(shapes, Graph, "shapes", optional=True)
    if data is not None and not isinstance(data, (str, Path, Graph, Dataset)):
        if not isinstance(data, Iterable):
            raise InputError(f"data must be a file path, an rdflib Graph or a list of them, not {type(data).__name__}")
        data = list(data)
        for item in data:
            check_type(item, (str, Path, Graph), "each item of data")
    shapes = shapes if shapes is not None else shapes_graph()
    if engine in ("auto", "fast"):
        try:
            compile_shapes(shapes)  # compile first: fall back before loading anything
        except UnsupportedShape:
            if engine == "fast":
                raise
            engine = "pyshacl"
    dataset = data if isinstance(data, Dataset) else Dataset.open(data, shipped=shipped, keep_going=keep_going)
    errors = dataset.input_errors
    results: list[ValidationResult] | None = None
    sources: dict[int, Node | None] = {}
    used = engine
    if engine in ("auto", "fast"):
        try:
            pairs = [(r, check) for r, check in restore_terms(fast_results(dataset.store, shapes), dataset)
                     if not lexical_holds(check, r.value)]
            results, sources = [r for r, _ in pairs], {i: check.source_constraint for i, (_, check) in enumerate(pairs)}
            used = "fast"
        except UnsupportedShape:
            if engine == "fast":
                raise
    sh_report: Graph | None = None
    if results is None:
        results, sh_report = pyshacl_results(dataset.graph, shapes)
        used = "pyshacl"
    results = [with_source(r, dataset) for r in results]
    order = {s: i for i, s in enumerate(SEVERITIES)}
    indexed = sorted(enumerate(results), key=lambda ir: (order.get(ir[1].severity, 9), str(ir[1].shape),
                                                           ir[1].focus_label, str(ir[1].focus), str(ir[1].value)))
    results = [r for _, r in indexed]
    sources = {new: sources.get(old) for new, (old, _) in enumerate(indexed)}
    # rows skipped under keep_going were never checked: what is left cannot vouch for the input
    conforms = not errors and not any(r.severity == "Violation" or not allow_warnings for r in results)
    if sh_report is None:
        sh_report = report_graph(results, conforms, shapes, sources)
    else:  # pySHACL ran with allow_warnings (to read every result); state the chosen rule's answer
        report_node = sh_report.value(predicate=RDF.type, object=SH.ValidationReport)
        assert report_node is not None
        sh_report.set((report_node, SH.conforms, Literal(conforms)))
    text = report_text(results, conforms, shapes, errors)
    return ValidationReport(conforms, results, sh_report, text, used, errors)
