"""The SSSOM mapping file: generated from the graph's cross-references, validated by sssom-py, and
every cross-reference checked against the identifiers transcribed from the reference notes."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from pnet_kg.errors import PnetKgError
from pnet_kg.mappings import contradictions, mapping_rows, mappings_dir, mappings_text, write_mappings
from pnet_kg.prefixes import OBOINOWL, PNET, converter

COMMITTED = mappings_dir() / "pnet-kg.sssom.tsv"
REFERENCE = mappings_dir() / "reference-identifiers.tsv"


@pytest.fixture(scope="module")
def rows(graph: Graph) -> list[dict[str, str]]:
    return mapping_rows(graph)


def _reference() -> dict[str, dict[str, str]]:
    with REFERENCE.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return {row["curie"]: row for row in csv.DictReader(lines, delimiter="\t")}


def test_committed_file_is_what_the_graph_generates(graph: Graph) -> None:
    assert COMMITTED.read_text(encoding="utf-8") == mappings_text(graph), \
        "ontology/mappings/pnet-kg.sssom.tsv is stale: run `pnet-kg generate`"


def test_sssom_py_validates_the_committed_file() -> None:
    from sssom.constants import SchemaValidationType as V
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    msdf = parse_sssom_table(COMMITTED)
    reports = validate(msdf, [V.JsonSchema, V.PrefixMapCompleteness, V.StrictCurieFormat], fail_on_error=False)
    assert all(not report.results for report in reports.values()), reports
    # its prefix map is the project's one
    project = converter().prefix_map
    for prefix, uri in msdf.converter.bimap.items():
        if prefix in project:
            assert project[prefix] == uri, prefix
    assert len(msdf.df) > 150


def test_every_cross_reference_of_the_graph_is_a_row(graph: Graph, rows: list[dict[str, str]]) -> None:
    pairs = {(r["subject_id"], r["object_id"]) for r in rows}
    for subject, xref in graph.subject_objects(OBOINOWL.hasDbXref):
        if str(subject).startswith(str(PNET)):
            assert (converter().compress(str(subject)), str(xref)) in pairs
    by_pair = {(r["subject_id"], r["object_id"]): r for r in rows}
    # the examples: the xref sits on DistantMetastasis, and clinical/therapy xrefs are present
    assert by_pair[("pnet:DistantMetastasis", "NCIT:C18206")]["predicate_id"] == "skos:exactMatch"
    assert by_pair[("pnet:DistantOrganMetastasis", "NCIT:C18206")]["predicate_id"] == "skos:broadMatch"
    assert ("pnet:MEN1", "MONDO:0007540") in pairs and ("pnet:Everolimus", "drugbank:DB01590") in pairs
    assert all(r["mapping_justification"] == "semapv:ManualMappingCuration" and r["comment"] for r in rows)


def test_cross_references_agree_with_the_reference_identifiers(graph: Graph) -> None:
    assert contradictions(graph) == []


def test_each_checked_row_quotes_the_reference(rows: list[dict[str, str]]) -> None:
    reference = _reference()
    checked = [r for r in rows if r["object_id"] in reference]
    assert len(checked) > 100
    for row in checked:
        ref = reference[row["object_id"]]
        assert row["object_label"] == ref["label"]
        assert row["comment"].startswith(f"checked: {row['object_id']} is '{ref['label']}'") and ref["section"] in row["comment"]


def test_malignant_only_and_site_free_codes_are_not_exact(rows: list[dict[str, str]]) -> None:
    predicate = {(r["subject_id"], r["object_id"]): r["predicate_id"] for r in rows}
    assert predicate[("pnet:Insulinoma", "ICDO:8151/3")] == "skos:closeMatch"
    assert predicate[("pnet:Insulinoma", "NCIT:C95598")] == "skos:exactMatch"
    assert predicate[("pnet:PancreaticNeuroendocrineCarcinoma", "ICDO:8246/3")] == "skos:broadMatch"
    assert predicate[("pnet:PancreaticNeuroendocrineCarcinoma", "NCIT:C3773")] == "skos:broadMatch"
    assert predicate[("pnet:PancreaticNeuroendocrineCarcinoma", "NCIT:C3770")] == "skos:closeMatch"
    assert predicate[("pnet:Sunitinib", "NCIT:C71622")] == "skos:closeMatch"


def test_a_planted_contradiction_is_named() -> None:
    g = Graph()
    g.add((PNET.Neck, OBOINOWL.hasDbXref, Literal("UBERON:0001069")))
    g.add((PNET.Neck, OBOINOWL.hasDbXref, Literal("NCIT:C12270")))
    g.add((PNET.Drug, URIRef("http://www.w3.org/2004/02/skos/core#exactMatch"), URIRef(converter().expand("NCIT:C71622"))))
    problems = contradictions(g)
    assert any(p.startswith("pnet:Neck: exact matches name different concepts") for p in problems)
    assert "pnet:Drug: exact match to NCIT:C71622, which the reference marks UNVERIFIED" in problems


def test_write_is_idempotent(tmp_path: Path, graph: Graph) -> None:
    target = tmp_path / "m.sssom.tsv"
    assert write_mappings(target, graph) == (target, True)
    assert write_mappings(target, graph) == (target, False)


def test_missing_sssom_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, graph: Graph) -> None:
    monkeypatch.setitem(sys.modules, "sssom.util", None)
    with pytest.raises(PnetKgError, match=r"pip install 'pnet-kg\[curation\]'"):
        mappings_text(graph)
