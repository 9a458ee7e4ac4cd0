"""Column names of case files: the folding table that maps a header to the contract's fields, and the column policy.

"Case ID", "Tumour size (mm)" or "Ki-67 (%)" name the contract's columns too; any other
column is an error unless dropped on purpose (``ignore_columns``, ``--ignore-column``).

>>> Columns(file=None).resolve(["Case ID", "Ki-67 (%)"], 1)
['case_id', 'ki67_percent']
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from ..errors import InputError
from .model import FIELDS, REQUIRED


def _column_key(name: str) -> str:
    """The folded form of a column name: case, punctuation, units in brackets and 'tumour' do not matter.

    >>> _column_key("Tumour Size (mm)"), _column_key("Ki-67 (%)"), _column_key("Case ID")
    ('tumor_size_mm', 'ki_67_percent', 'case_id')
    """
    text = unicodedata.normalize("NFKC", name).lower().replace("%", " percent ").replace("tumour", "tumor")
    return "_".join(re.sub(r"[^0-9a-z]+", " ", text).split())


#: Column names that spreadsheets, registries and other tools use for the contract's fields (folded by
#: :func:`_column_key`). Not every look-alike: SEER's "Regional Nodes Positive" codes 95-99 mean
#: "no nodes examined" and the like, so it is no positive_node_count; mitoses per 10 HPF are another unit.
_COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "case_id": ("id", "case", "case_no", "case_number", "caseid", "tumor_id"),
    "histology": ("differentiation", "histologic_type", "histological_type", "histology_type",
                  "tumor_differentiation"),
    "primary_subsite": ("subsite", "primary_site", "primary_tumor_site", "tumor_site", "tumor_location",
                        "primary_location", "location"),
    "tumor_size_mm": ("tumor_size", "tumor_size_in_mm", "size_mm", "size", "largest_tumor_size_mm",
                      "max_tumor_size_mm", "tumor_diameter_mm", "diameter_mm", "tumor_size_mm_largest"),
    "invaded_structures": ("invasion", "invaded", "invades", "invaded_organs", "invaded_structure"),
    "ki67_percent": ("ki67", "ki_67", "ki_67_percent", "ki67_index", "ki_67_index", "ki67_pct", "ki_67_pct",
                     "ki67_li", "ki_67_li", "ki67_labeling_index", "ki_67_labeling_index", "ki67_labelling_index",
                     "ki_67_labelling_index", "ki_67_proliferation_index", "ki67_proliferation_index", "mib1",
                     "mib_1", "ki67_index_percent", "ki_67_index_percent"),
    "mitoses_per_2mm2": ("mitoses", "mitotic_count", "mitotic_rate", "mitoses_per_2_mm2", "mitoses_2mm2",
                         "mitotic_count_per_2_mm2", "mitotic_count_per_2mm2", "mitotic_count_2mm2",
                         "mitotic_count_2_mm2", "mitotic_rate_per_2_mm2", "mitotic_rate_per_2mm2"),
    "functional_syndrome": ("functional_status", "syndrome", "functionality", "functional", "hormonal_syndrome"),
    "positive_node_groups": ("node_groups", "positive_lymph_node_groups", "involved_node_groups",
                             "positive_nodal_groups", "nodal_groups", "lymph_node_groups"),
    "positive_node_count": ("positive_nodes", "number_of_positive_nodes", "positive_lymph_nodes", "n_positive_nodes",
                            "positive_nodes_count", "nodes_positive", "positive_lymph_node_count",
                            "number_of_positive_lymph_nodes"),
    "distant_sites": ("metastatic_sites", "distant_metastases", "distant_metastasis", "distant_metastasis_sites",
                      "metastasis_sites", "metastases", "sites_of_metastasis", "sites_of_distant_metastasis"),
    "somatostatin_receptor_status": ("sstr", "sstr_status", "somatostatin_receptor", "somatostatin_receptors",
                                     "sstr_expression", "somatostatin_receptor_expression", "ssr_status"),
    "ki67_site": ("ki_67_site", "ki67_specimen", "ki_67_specimen", "ki67_measured_on", "ki_67_measured_on",
                  "ki67_source", "ki_67_source", "ki67_sample_site", "ki_67_sample_site"),
    "progression": ("progression_status", "disease_progression", "progressive_disease", "disease_course"),
}
_COLUMNS: dict[str, str] = {_column_key(f): f for f in FIELDS} | {
    alias: f for f, aliases in _COLUMN_ALIASES.items() for alias in aliases}


@dataclass(frozen=True)
class ColumnPolicy:
    """Columns a reader drops on purpose: by name (``ignore``) or every unknown one; ``report`` hears of them."""

    ignore: frozenset[str] = frozenset()
    ignore_unknown: bool = False
    report: Callable[[str, tuple[str, ...]], None] | None = None


_POLICY: ContextVar[ColumnPolicy] = ContextVar("pnet_kg_column_policy", default=ColumnPolicy())


@contextmanager
def column_policy(ignore: Iterable[str] = (), ignore_unknown: bool = False,
                  report: Callable[[str, tuple[str, ...]], None] | None = None) -> Iterator[ColumnPolicy]:
    """Read case files within the block with this :class:`ColumnPolicy` (the command line's
    ``--ignore-column`` and ``--ignore-unknown-columns`` reach every command's reader this way)."""
    token = _POLICY.set(ColumnPolicy(frozenset(ignore), ignore_unknown, report))
    try:
        yield _POLICY.get()
    finally:
        _POLICY.reset(token)


class Columns:
    """Maps the column names of one file to contract fields; an unknown column is an error unless dropped."""

    def __init__(self, file: str | None, ignore: Iterable[str] | None = None, ignore_unknown: bool | None = None) -> None:
        policy = _POLICY.get()
        self.file = file
        names = policy.ignore if ignore is None else frozenset(ignore)
        self.ignore = {_column_key(n) for n in names} | set(names)
        self.ignore_unknown = policy.ignore_unknown if ignore_unknown is None else ignore_unknown
        self.report = policy.report
        self.dropped: list[str] = []
        self._cache: dict[tuple[str, ...], list[str | None]] = {}

    def resolve(self, names: list[str], line: int | None) -> list[str | None]:
        key = tuple(names)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._resolve(names, line)
        return hit

    def _resolve(self, names: list[str], line: int | None) -> list[str | None]:
        out: list[str | None] = []
        for number, raw in enumerate(names, start=1):
            if not isinstance(raw, str):  # pragma: no cover - JSON keys are always text
                raise InputError("a column name must be text", file=self.file, line=line, value=raw)
            name, key = raw.strip(), _column_key(raw)
            field = _COLUMNS.get(key)
            if name in self.ignore or (key and key in self.ignore) or (field is None and self.ignore_unknown):
                if field in REQUIRED:
                    raise InputError("a required column cannot be ignored", file=self.file, line=line, field=name)
                out.append(None)
                if name not in self.dropped:
                    self.dropped.append(name)
                continue
            if field is None:
                nearest = difflib.get_close_matches(key, list(_COLUMNS), n=1, cutoff=0.6)
                hint = f"; nearest known name: {_COLUMNS[nearest[0]]}" if nearest else ""
                what = f"unknown column{hint}" if name else f"column {number} has no name"
                raise InputError(f"{what} (the columns of the contract: {', '.join(FIELDS)}; drop a column on "
                                 "purpose with --ignore-column NAME or --ignore-unknown-columns)",
                                 file=self.file, line=line, field=name)
            if field in out:
                raise InputError("duplicate column in the header", file=self.file, line=line, field=field, value=name)
            out.append(field)
        return out

    def done(self) -> None:
        """Tell the policy's ``report`` which columns of the file were dropped."""
        if self.dropped and self.report is not None and self.file is not None:
            self.report(self.file, tuple(self.dropped))
