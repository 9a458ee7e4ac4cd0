"""owlready2 users reach terms by name through the terms' namespace (issue 14)."""

from __future__ import annotations

from pnet_kg.owl import TERMS, load_owlready


def test_terms_are_reached_by_name_through_the_namespace() -> None:
    onto = load_owlready()
    assert onto.NodeGroup_celiac is None  # the base IRI is the ontology's, not the terms'
    pnet = onto.get_namespace(TERMS)
    assert pnet.NodeGroup_celiac is not None and pnet.NodeGroup_celiac.iri == TERMS + "NodeGroup_celiac"
    assert str(pnet.Liver.label.first()) == "liver"
