"""Query results: engine cells turned into plain Python values, IRIs compacted to CURIEs, labels beside them.

Every engine gives its rows as :data:`Value` cells (an IRI as an :class:`IriCell`);
:class:`QueryResult` holds them as dicts with IRIs as compact CURIEs (``pnet:Liver``)
and their ``rdfs:label`` in :attr:`QueryResult.labels`.

>>> literal_value("4", "http://www.w3.org/2001/XMLSchema#integer")
4
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from ..errors import QueryError
from ..io import render_table
from ..prefixes import RDF, XSD, converter

if TYPE_CHECKING:  # pandas is optional, imported only by to_dataframe
    import pandas

#: A value in a result row.
Value = str | int | float | Decimal | bool | _dt.date | _dt.datetime | None

_XSD = str(XSD)
_INTEGER_TYPES = {f"{_XSD}{t}" for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
    "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}
_STRING_TYPES = {f"{_XSD}string", str(RDF.langString), f"{_XSD}normalizedString", f"{_XSD}token", f"{_XSD}anyURI"}
_LABEL_SUFFIX = "_label"


class IriCell(str):
    """An IRI cell before compaction (distinguishes IRIs from string literals)."""

    __slots__ = ()


def _canonical_decimal(number: Decimal) -> Decimal:
    # Engines differ in the lexical form they return ("13.0" vs "13"): compare as values.
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


def literal_value(lexical: str, datatype: str | None, language: str | None = None) -> Value:
    """Convert a literal's lexical form and datatype IRI to a plain Python value.

    >>> literal_value("13.0", "http://www.w3.org/2001/XMLSchema#decimal")
    Decimal('13')
    >>> literal_value("2021-06-05", "http://www.w3.org/2001/XMLSchema#date")
    datetime.date(2021, 6, 5)
    """
    if language or datatype is None or datatype in _STRING_TYPES:
        return lexical
    try:
        if datatype in _INTEGER_TYPES:
            return int(lexical)
        if datatype == f"{_XSD}decimal":
            return _canonical_decimal(Decimal(lexical))
        if datatype in (f"{_XSD}double", f"{_XSD}float"):
            return float(lexical)
        if datatype == f"{_XSD}boolean":
            return lexical.strip() in ("true", "1")
        if datatype == f"{_XSD}date":
            return _dt.date.fromisoformat(lexical[:10])
        if datatype == f"{_XSD}dateTime":
            return _dt.datetime.fromisoformat(lexical.replace("Z", "+00:00"))
    except (ValueError, InvalidOperation):
        return lexical  # an ill-typed literal keeps its text
    return lexical


class Compactor:
    """IRI -> CURIE with a cache (results of case queries repeat the same few IRIs)."""

    def __init__(self) -> None:
        self._conv = converter()
        self._cache: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        hit = self._cache.get(iri)
        if hit is None:
            hit = self._conv.compress(iri) or iri
            self._cache[iri] = hit
        return hit


def pick_label(current: tuple[int, str] | None, text: str, language: str | None) -> tuple[int, str]:
    """The better of the label found so far and ``text``: English, then no language tag, then any other."""
    rank = 0 if language == "en" else 1 if not language else 2
    candidate = (rank, text)
    return candidate if current is None or candidate < current else current


@dataclass
class QueryResult:
    """The rows of one query: ``columns`` in SELECT order, ``rows`` as dicts of plain values.

    IRIs are compact CURIEs (or full IRIs without a known prefix); ``labels`` maps
    each such identifier to its ``rdfs:label``. :meth:`records` and the output
    formats put a ``<column>_label`` column beside every column that holds labelled IRIs.
    """

    columns: list[str]
    rows: list[dict[str, Value]]
    labels: dict[str, str] = field(default_factory=dict)
    iri_columns: tuple[str, ...] = ()
    name: str | None = None
    engine: str = ""

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Value]]:
        return iter(self.rows)

    def tuples(self) -> list[tuple[Value, ...]]:
        """Rows as tuples in column order (handy to compare engines)."""
        return [tuple(r[c] for c in self.columns) for r in self.rows]

    def labelled_columns(self) -> list[str]:
        """Columns with a ``<column>_label`` inserted after each column of labelled IRIs."""
        out: list[str] = []
        for c in self.columns:
            out.append(c)
            label = c + _LABEL_SUFFIX
            if c in self.iri_columns and label not in self.columns and any(
                    isinstance(r[c], str) and r[c] in self.labels for r in self.rows):
                out.append(label)
        return out

    def records(self, labels: bool = True) -> list[dict[str, Value]]:
        """Rows as dicts; with ``labels`` a ``<column>_label`` value beside each labelled IRI."""
        if not labels:
            return [dict(r) for r in self.rows]
        columns = self.labelled_columns()
        extra = [c for c in columns if c not in self.columns]
        out = []
        for r in self.rows:
            record = dict(r)
            for c in extra:
                iri = r[c[: -len(_LABEL_SUFFIX)]]
                record[c] = self.labels.get(iri) if isinstance(iri, str) else None
            out.append({c: record[c] for c in columns})
        return out

    def render(self, fmt: str = "table", labels: bool = True, columns: Sequence[str] = ()) -> str:
        """Render in one of :data:`pnet_kg.io.TABLE_WRITERS` (table, csv, tsv, json, jsonl, markdown).

        ``columns`` keeps only those result columns (with their label columns), in that order.
        """
        unknown = [c for c in columns if c not in self.columns]
        if unknown:
            raise QueryError(f"no column {', '.join(map(repr, unknown))}; the columns are: {', '.join(self.columns)}")
        shown = self.labelled_columns() if labels else list(self.columns)
        if columns:
            shown = [c for keep in columns for c in (keep, keep + _LABEL_SUFFIX) if c in shown]
        return render_table(self.records(labels), shown, fmt)

    def to_dataframe(self, labels: bool = False) -> pandas.DataFrame:
        """The rows as a :class:`pandas.DataFrame` (needs pandas: ``pip install pnet-kg[dataframe]``)."""
        try:
            import pandas as pd  # optional (extra "dataframe"): imported only here
        except ImportError as exc:
            raise QueryError("to_dataframe needs pandas: pip install 'pnet-kg[dataframe]'") from exc
        columns = self.labelled_columns() if labels else self.columns
        return pd.DataFrame.from_records(self.records(labels), columns=columns)
