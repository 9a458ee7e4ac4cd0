"""One quality-control report of the ontology, in the manner of ``robot report``.

:func:`qc` runs the SHACL shapes (``shapes/*.ttl``, through :mod:`pnet_kg.validate`) and every
``queries/qc/*-violation.rq`` over the ontology, and lists each problem with its level,
rule, subject, property, value and message, and where a curator fixes it: the table row
that generates the subject, or else the first line of the source file that describes it.

Levels: ``ERROR``, ``WARN``, ``INFO`` (SHACL ``sh:Violation``, ``sh:Warning``, ``sh:Info``);
each QC query declares its level in its header (``# level: ERROR``).

>>> QcReport([Problem("WARN", "source_without_claim", "pnet:Source_X", "", "", "no claim", "", None)]).fails("ERROR")
False
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .catalog import read_catalog
from .errors import QueryError
from .generate import Origin, row_origins
from .prefixes import SH, bind_all

LEVELS = ("ERROR", "WARN", "INFO")
#: SHACL severity (local name) -> report level
SEVERITY_LEVEL = {"Violation": "ERROR", "Warning": "WARN", "Info": "INFO"}
COLUMNS = ("level", "rule", "subject", "property", "value", "message", "file", "line")
#: report format names of ``-O`` -> :data:`pnet_kg.io.TABLE_WRITERS` names
FORMATS = {"tsv": "tsv", "md": "markdown", "json": "json"}
_QUERY_COLUMNS = ["level", "rule", "subject", "property", "value", "message"]
_LEVEL_HEADER = re.compile(r"^#\s*level:\s*(\S+)\s*$", re.MULTILINE)
_LEVEL_BIND = re.compile(r'BIND\(\s*"(\w+)"\s+AS\s+\?level\s*\)', re.IGNORECASE)
_SUBJECT_LINE = re.compile(r"^([^\s#@.\[(][^\s]*)")


@dataclass(frozen=True)
class Problem:
    """One row of the report; ``file`` and ``line`` say where the subject is defined (empty when unknown)."""

    level: str
    rule: str
    subject: str
    property: str
    value: str
    message: str
    file: str
    line: int | None


@dataclass
class QcReport:
    """What :func:`qc` found, sorted by level, rule and subject."""

    problems: list[Problem]

    def count(self, level: str) -> int:
        return sum(1 for p in self.problems if p.level == level)

    def fails(self, fail_on: str) -> bool:
        """True when a problem is at ``fail_on`` or a more severe level."""
        worst = LEVELS.index(fail_on)
        return any(LEVELS.index(p.level) <= worst for p in self.problems)

    def render(self, fmt: str = "tsv") -> str:
        """The report as ``tsv`` (the default, like ``robot report``), ``md`` or ``json``."""
        from .io import render_table

        rows = [{k: ("" if v is None else v) for k, v in asdict(p).items()} for p in self.problems]
        return render_table(rows, COLUMNS, FORMATS[fmt])

    def summary(self) -> str:
        return ", ".join(f"{self.count(level)} {level}" for level in LEVELS)


def query_level(text: str, path: Path) -> str:
    """The level a QC query declares in its header.

    >>> query_level('# level: WARN\\nSELECT * WHERE { BIND("WARN" AS ?level) }', Path("q.rq"))
    'WARN'
    """
    match = _LEVEL_HEADER.search(text)
    if match is None or match.group(1) not in LEVELS:
        raise QueryError(f"{path}: a QC query declares its level in its header: '# level: {' | '.join(LEVELS)}'")
    # The ?level column keeps `pnet-kg query qc/...` a ROBOT report on its own; it must say what the header says.
    for bound in _LEVEL_BIND.findall(text):
        if bound != match.group(1):
            raise QueryError(f"{path}: the query binds ?level {bound!r} but its header says {match.group(1)}")
    return match.group(1)


def source_lines(files: Iterable[Path], graph: Graph) -> dict[str, tuple[Path, int]]:
    """Subject (as written, ``pnet:X`` or ``<iri>``, and as full IRI) -> the first line that describes it.

    The sources are in canonical form, where a subject starts its block at the start of a line.
    """
    found: dict[str, tuple[Path, int]] = {}
    nm = graph.namespace_manager
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = _SUBJECT_LINE.match(line)
            if match is None:
                continue
            token = match.group(1)
            found.setdefault(token, (path, number))
            try:
                iri = token[1:-1] if token.startswith("<") else str(nm.expand_curie(token))
            except ValueError:
                continue
            found.setdefault(iri, (path, number))
    return found


def _text(node: Node | None, graph: Graph) -> str:
    if node is None:
        return ""
    if isinstance(node, Literal):
        return str(node)
    if isinstance(node, BNode):
        return f"_:{node}"
    return node.n3(graph.namespace_manager)


def _rule_name(shape: Node, shapes: Graph) -> str:
    """A shape's name: its local name, or its parent node shape's for a blank property shape."""
    if isinstance(shape, BNode):
        parent = shapes.value(predicate=SH.property, object=shape)
        return _rule_name(parent, shapes) if parent is not None else "shacl"
    return re.split(r"[#/]", str(shape))[-1]


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def qc(directory: str | Path | None = None, *, shapes: Graph | None = None,
       queries: str | Path | None = None) -> QcReport:
    """Run the SHACL shapes and the QC queries over the ontology in ``directory`` (default: the shipped one).

    :param directory: an ontology folder with ``catalog-v001.xml``; every module it lists is checked.
    :param shapes: a shapes graph; default: the shipped ``shapes/*.ttl``.
    :param queries: a folder of ``*-violation.rq``; default: the shipped ``queries/qc``.
    """
    import pyoxigraph as ox

    from .load import parse_file
    from .query import run
    from .resources import data_dir, ontology_dir
    from .store import add_graph
    from .validate import shapes_graph, validate

    root = Path(directory) if directory is not None else ontology_dir()
    files = sorted(set(read_catalog(root).values()))
    graph = bind_all(Graph())
    for path in files:
        parse_file(path, graph)
    shapes = shapes if shapes is not None else shapes_graph()
    origins: Mapping[URIRef, Origin] = row_origins(root, graph) if (root / "templates").is_dir() else {}
    lines = source_lines(sorted(root.rglob("*.ttl")), graph)

    def where(subject: Node | None, text: str) -> tuple[str, int | None]:
        origin = origins.get(subject) if isinstance(subject, URIRef) else None
        if origin is not None:  # generated: the row is where it is fixed
            return _display(origin.file), origin.line
        hit = lines.get(text) or (lines.get(str(subject)) if subject is not None else None)
        return (_display(hit[0]), hit[1]) if hit else ("", None)

    problems: list[Problem] = []
    for r in validate(graph, shapes=shapes, shipped=False).results:
        subject = _text(r.focus, graph)
        problems.append(Problem(SEVERITY_LEVEL.get(r.severity, "ERROR"), _rule_name(r.shape, shapes), subject,
                                _text(r.path, graph) if isinstance(r.path, URIRef) else "",
                                "" if r.value == r.focus else _text(r.value, graph), r.message,
                                *where(r.focus, subject)))
    store = ox.Store()
    add_graph(store, graph)
    folder = Path(queries) if queries is not None else data_dir("queries") / "qc"
    for path in sorted(folder.glob("*-violation.rq")):
        text = path.read_text(encoding="utf-8")
        level = query_level(text, path)
        result = run(text, store, labels=False)
        if result.columns != _QUERY_COLUMNS:
            raise QueryError(f"{path}: a QC query selects {' '.join('?' + c for c in _QUERY_COLUMNS)}")
        for row in result.rows:
            if str(row["level"]) != level:
                raise QueryError(f"{path}: the query binds ?level {row['level']!r} but its header says {level}")
            subject = str(row["subject"] or "")
            iri = graph.namespace_manager.expand_curie(subject) if re.match(r"^\w+:\w", subject) else None
            problems.append(Problem(level, str(row["rule"] or path.stem.removesuffix("-violation")), subject,
                                    str(row["property"] or ""), "" if row["value"] is None else str(row["value"]),
                                    str(row["message"] or ""), *where(iri, subject)))
    order = {level: i for i, level in enumerate(LEVELS)}
    problems.sort(key=lambda p: (order[p.level], p.rule, p.subject, p.property, p.value))
    return QcReport(problems)

