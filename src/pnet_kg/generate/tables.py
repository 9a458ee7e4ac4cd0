"""Reading and checking the rule tables in ``ontology/templates/``: every error names file, line and column.

A table is tab-separated with a header row; a cell names a term by its code (``skos:notation``
within the column's class) or an individual by the part of its IRI after a prefix
(:class:`TermCodes`); the ``*_cell`` readers check one cell's form.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from ..errors import InputError
from ..prefixes import PNET


class RowError(InputError):
    """A bad cell of a table, located by file, line and column (1-based).

    >>> str(RowError("unknown node group", file="node-rules.tsv", line=4, column=2, field="node group", value="x"))
    "node-rules.tsv:4:2: field 'node group': unknown node group (value 'x')"
    """

    def __init__(self, message: str, *, file: str | Path, line: int, column: int, field: str,
                 value: object = None) -> None:
        self.column = column
        super().__init__(message, file=file, line=line, field=field, value=value)

    def _render(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}:{self.column}{super()._render()[len(where):]}"


@dataclass(frozen=True)
class Origin:
    """The table row a generated subject comes from."""

    file: Path
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Row:
    """One table row: cells by column name, with where each cell is."""

    file: Path
    line: int
    cells: dict[str, str]
    columns: dict[str, int]

    def __getitem__(self, name: str) -> str:
        return self.cells[name]

    def error(self, name: str, message: str) -> RowError:
        return RowError(message, file=self.file, line=self.line, column=self.columns[name], field=name,
                        value=self.cells[name] or None)

    @property
    def origin(self) -> Origin:
        return Origin(self.file, self.line)


def read_table(path: Path, columns: Sequence[str], retired: Mapping[str, str] | None = None) -> list[Row]:
    """Read a tab-separated table whose header row holds exactly ``columns`` (in any order).

    Cells are taken as written (no quoting), stripped of surrounding blanks; blank lines are skipped.
    A column of ``retired`` (name -> why it went) is refused with that reason.
    """
    if not path.is_file():
        raise InputError("no such table", file=path)
    with path.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not lines:
        raise InputError("the table is empty: it needs a header row", file=path)
    header = [h.strip() for h in lines[0]]
    for index, name in enumerate(header, 1):
        if retired and name in retired:
            raise RowError(retired[name], file=path, line=1, column=index, field=name)
        if name not in columns:
            raise RowError(f"unknown column (expected: {', '.join(columns)})", file=path, line=1, column=index,
                           field=name)
    missing = [c for c in columns if c not in header]
    if missing:
        raise InputError(f"the header has no column {', '.join(map(repr, missing))}", file=path, line=1)
    rows = []
    for number, cells in enumerate(lines[1:], 2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            raise RowError(f"{len(cells)} cells for {len(header)} columns", file=path, line=number,
                           column=len(header) + 1, field="(extra cell)", value=cells[len(header)])
        cells = cells + [""] * (len(header) - len(cells))
        rows.append(Row(path, number, {h: c.strip() for h, c in zip(header, cells)},
                        {h: i for i, h in enumerate(header, 1)}))
    return rows


class TermCodes:
    """Codes of the terms a table may name, read from the other modules of the ontology."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._codes: dict[str, dict[str, URIRef]] = {}

    def codes(self, cls: str) -> dict[str, URIRef]:
        if cls not in self._codes:
            found: dict[str, URIRef] = {}
            for term in self.graph.subjects(RDF.type, PNET[cls]):
                notation = self.graph.value(term, SKOS.notation)
                if isinstance(term, URIRef) and notation is not None:
                    found[str(notation)] = term
            self._codes[cls] = found
        return self._codes[cls]

    def term(self, row: Row, column: str, *classes: str) -> URIRef:
        """The term whose code is the cell, among the individuals of ``classes``."""
        code = row[column]
        if not code:
            raise row.error(column, "a value is required")
        for cls in classes:
            if code in self.codes(cls):
                return self.codes(cls)[code]
        known = sorted(c for cls in classes for c in self.codes(cls))
        raise row.error(column, f"unknown code (known: {', '.join(known)})")

    def terms(self, row: Row, column: str, cls: str) -> list[URIRef]:
        """The terms of a cell holding codes separated by blanks."""
        found = []
        for code in row[column].split():
            if code not in self.codes(cls):
                raise row.error(column, f"unknown code {code!r} (known: {', '.join(sorted(self.codes(cls)))})")
            found.append(self.codes(cls)[code])
        return found

    def individual(self, row: Row, column: str, prefix: str, cls: str, *, required: bool = True) -> URIRef | None:
        """The individual ``pnet:<prefix><cell>`` of class ``cls`` (sources: ``AJCC8`` is ``pnet:Source_AJCC8``)."""
        value = row[column]
        if not value:
            if required:
                raise row.error(column, "a value is required")
            return None
        term = PNET[prefix + value]
        if (term, RDF.type, PNET[cls]) not in self.graph:
            raise row.error(column, f"no pnet:{cls} pnet:{prefix}{value} in the ontology")
        return term


def boolean_cell(row: Row, column: str, *, required: bool = True) -> bool | None:
    """``yes`` or ``no`` (any case); empty is None when the cell is not ``required``."""
    value = row[column].lower()
    if value in ("yes", "no"):
        return value == "yes"
    if not value and not required:
        return None
    raise row.error(column, "write yes or no" + ("" if required else " (or leave empty for either)"))


def decimal_cell(row: Row, column: str) -> Literal | None:
    """A finite number as an ``xsd:decimal`` literal, or None for an empty cell."""
    text = row[column]
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise row.error(column, "not a number") from None
    if not number.is_finite():
        raise row.error(column, "not a finite number")
    lexical = f"{number:f}"
    # the canonical xsd:decimal form keeps one fractional digit (20.0), as the committed module always did
    return Literal(lexical if "." in lexical else lexical + ".0", datatype=XSD.decimal)


def text_cell(row: Row, column: str, *, required: bool = True) -> str:
    """The cell as written; empty is refused when ``required``."""
    if required and not row[column]:
        raise row.error(column, "a value is required")
    return row[column]


def identifier_cell(row: Row, column: str) -> str:
    """A required cell of letters, digits and ``_`` (it becomes part of an IRI)."""
    value = text_cell(row, column)
    if not re.fullmatch(r"[A-Za-z0-9_]+", value):
        raise row.error(column, "an identifier holds letters, digits and _ only")
    return value

