"""The fast SHACL engine against a public SHACL Core suite it was never tuned to (issue 17).

Each file of the DASH Core suite (``tests/input/dash-core/``, see its NOTICE) is data, shapes and
the expected report at once. The fast engine must give exactly the expected results (focus,
path, value, severity, constraint component, source shape) and ``conforms``, or decline
(:class:`UnsupportedShape`, so that ``engine="auto"`` falls back to pySHACL). A wrong answer,
above all a "conforms" where the data violates the shapes, fails here by file name.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import INPUT
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from pnet_kg.errors import UnsupportedShape
from pnet_kg.prefixes import SH
from pnet_kg.validate import path_text, validate

SUITE = INPUT / "dash-core"
FILES = sorted(SUITE.rglob("*.test.ttl"))
DASH_EXPECTED = "http://datashapes.org/dash#expectedResult"


def _term(node: Node | None) -> Any:
    # Blank nodes of the data are renamed by the store: compare them as "a blank node"
    return "_:b" if isinstance(node, BNode) else node


def _path(graph: Graph, path: Node | None) -> str | None:
    return path_text(graph, path) if path is not None else None


def _expected(graph: Graph) -> tuple[bool, Counter[tuple[Any, ...]]]:
    report = next(graph.objects(None, URIRef(DASH_EXPECTED)))
    conforms = graph.value(report, SH.conforms)
    assert isinstance(conforms, Literal)
    keys: Counter[tuple[Any, ...]] = Counter()
    for result in graph.objects(report, SH.result):
        shape = graph.value(result, SH.sourceShape)
        keys[(_term(graph.value(result, SH.focusNode)), _path(graph, graph.value(result, SH.resultPath)),
              _term(graph.value(result, SH.value)), graph.value(result, SH.resultSeverity),
              graph.value(result, SH.sourceConstraintComponent), _term(shape))] += 1
    return bool(conforms.toPython()), keys


def _run(path: Path) -> tuple[bool, Counter[tuple[Any, ...]]] | None:
    graph = Graph().parse(path, format="turtle")
    try:
        report = validate(graph, shapes=graph, shipped=False, engine="fast")
    except UnsupportedShape:
        return None
    keys: Counter[tuple[Any, ...]] = Counter()
    for r in report.results:
        keys[(_term(r.focus), _path(graph, r.path), _term(r.value), SH[r.severity], r.constraint,
              _term(r.shape))] += 1
    return report.conforms, keys


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SUITE)))
def test_fast_engine_gives_the_expected_report_or_declines(path: Path) -> None:
    got = _run(path)
    if got is None:
        return  # declined: engine="auto" hands these shapes to pySHACL
    expected = _expected(Graph().parse(path, format="turtle"))
    assert got[0] == expected[0], "conforms differs"
    assert got[1] == expected[1]


def test_the_suite_is_all_there_and_mostly_compiled() -> None:
    # 85 files; the engine must compile a good share rather than decline its way to a green test
    assert len(FILES) == 85
    compiled = sum(_run(path) is not None for path in FILES)
    assert compiled >= 50, compiled  # 51 at this writing
