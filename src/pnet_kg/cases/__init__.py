"""Tumour case files (the contract of ``case-format.md``): read CSV or JSON, check every field, write RDF.

:mod:`~pnet_kg.cases.model` holds :class:`Case` and its one check, :mod:`~pnet_kg.cases.columns`
maps a file's header to the contract's fields, :mod:`~pnet_kg.cases.table` reads (and writes)
case files, and :mod:`~pnet_kg.cases.rdf` turns cases into triples.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
>>> _ = path.write_text("case_id,histology,primary_subsite,ki67_percent\\nA1,net,tail,4\\n")
>>> read_cases(path).cases[0].primary_subsite
'tail'
"""

from .columns import ColumnPolicy, column_policy
from .model import FIELDS, REQUIRED, Case, CaseFile, check_case
from .rdf import CASE_NS, TTL_HEADER, CaseSyntax, case_iri, case_rdf, case_triples, write_cases, write_rdf
from .table import is_case_file, iter_cases, parse_case, read_cases, write_case_table

__all__ = [
    "CASE_NS",
    "FIELDS",
    "REQUIRED",
    "TTL_HEADER",
    "Case",
    "CaseFile",
    "ColumnPolicy",
    "CaseSyntax",
    "case_iri",
    "case_rdf",
    "case_triples",
    "check_case",
    "column_policy",
    "is_case_file",
    "iter_cases",
    "parse_case",
    "read_cases",
    "write_case_table",
    "write_cases",
    "write_rdf",
]
