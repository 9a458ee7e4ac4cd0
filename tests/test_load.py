from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import OWL, RDF

import pnet_kg
from pnet_kg.catalog import ROOT_IRI, read_catalog
from pnet_kg.load import module_files
from pnet_kg.resources import ontology_dir


def test_root_imports_every_module_through_the_catalog() -> None:
    files = module_files()
    catalog = read_catalog(ontology_dir())
    # every catalogued file is reachable from the root, and every ttl file is catalogued
    assert set(files) == set(catalog)
    on_disk = {p.resolve() for p in ontology_dir().rglob("*.ttl")}
    assert on_disk == set(catalog.values())


def test_every_module_is_an_ontology_with_a_version_iri(graph) -> None:  # type: ignore[no-untyped-def]
    for iri in module_files():
        assert (URIRef(iri), RDF.type, OWL.Ontology) in graph
        version = graph.value(URIRef(iri), OWL.versionIRI)
        assert version is not None and str(version).startswith("https://w3id.org/pnet-kg/releases/"), iri


def test_root_header_has_title_license_creator_dates(graph) -> None:  # type: ignore[no-untyped-def]
    root = URIRef(ROOT_IRI)
    dct = "http://purl.org/dc/terms/"
    for prop in ("title", "description", "license", "creator", "created", "modified"):
        assert graph.value(root, URIRef(dct + prop)) is not None, prop
    assert str(graph.value(root, URIRef(dct + "license"))) == "https://creativecommons.org/licenses/by/4.0/"


def test_load_with_extra_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    extra = tmp_path / "extra.ttl"
    extra.write_text("<https://example.org/x> <https://example.org/p> 1 .\n")
    base = len(pnet_kg.load())
    assert len(pnet_kg.load([extra])) == base + 1


def test_missing_and_malformed_extra_files_name_the_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    with pytest.raises(pnet_kg.InputError, match="nope.ttl"):
        pnet_kg.load([tmp_path / "nope.ttl"])
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n")
    with pytest.raises(pnet_kg.InputError, match="bad.ttl"):
        pnet_kg.load([bad])
    empty = tmp_path / "empty.ttl"
    empty.write_text("")
    with pytest.raises(pnet_kg.InputError, match="empty"):
        pnet_kg.load([empty])
