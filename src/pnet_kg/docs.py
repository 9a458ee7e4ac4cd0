"""Documentation generated from the ontology: HTML pages (pyLODE) and a Mermaid diagram of the model."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from .build import merged_ontology
from .io import atomic_write_text
from .prefixes import IAO_DEFINITION, OBOINOWL, PNET, converter


def write_docs(out_dir: Path, graph: Graph | None = None) -> Path | None:
    """Write ``out_dir/pnet-kg.html`` with pyLODE; return its path, or ``None`` when pyLODE is not installed."""
    try:  # lazy: pyLODE may be missing (the page is then skipped) and only this function needs it
        from pylode import OntPub
    except ImportError:
        return None
    # pyLODE logs at DEBUG on the root logger while it works; keep the command's output readable.
    logging.getLogger().setLevel(logging.WARNING)
    merged = graph if graph is not None else merged_ontology()
    html = OntPub(ontology=_for_pylode(merged)).make_html()
    target = out_dir / "pnet-kg.html"
    atomic_write_text(target, html)
    return target


def _for_pylode(graph: Graph) -> Graph:
    """A copy that pyLODE can show in full: it renders skos:definition and rdfs:seeAlso, not the OBO
    annotations, so definitions and cross-references are repeated in those terms (for display only)."""
    # pyLODE lists terms in the order the store yields them: insert the triples sorted by the
    # subject's label, so that the page is alphabetical and the same on every build.
    labels = {subject: str(label).lower() for subject, label in graph.subject_objects(RDFS.label)}

    def order(triple: tuple[Any, Any, Any]) -> tuple[str, str, str, str]:
        return (labels.get(triple[0], "~"), str(triple[0]), str(triple[1]), str(triple[2]))

    shown = Graph()
    for triple in sorted(graph, key=order):
        shown.add(triple)
    for term, definition in graph.subject_objects(IAO_DEFINITION):
        shown.add((term, SKOS.definition, definition))
    for term in set(graph.subjects(OBOINOWL.hasDbXref)):
        xrefs = sorted(str(x) for x in graph.objects(term, OBOINOWL.hasDbXref))
        shown.add((term, RDFS.comment, Literal("Cross-references: " + ", ".join(xrefs))))
        for xref in xrefs:
            iri = converter().expand(xref)
            if iri:
                shown.add((term, RDFS.seeAlso, URIRef(iri)))
    for prefix, uri in graph.namespaces():
        shown.bind(prefix, uri)
    return shown


def _name(graph: Graph, term: URIRef) -> str:
    return str(term).removeprefix(str(PNET))


def mermaid_diagram(graph: Graph | None = None) -> str:
    """A Mermaid class diagram of the model: the classes that object properties connect, those
    properties (domain --> range) and the subclass links among those classes.

    >>> print(mermaid_diagram().splitlines()[0])
    classDiagram
    """
    g = graph if graph is not None else merged_ontology()

    def ours(term: object) -> bool:
        return isinstance(term, URIRef) and str(term).startswith(str(PNET))

    edges, nodes = set(), set()
    for prop in g.subjects(RDF.type, OWL.ObjectProperty):
        for domain in g.objects(prop, RDFS.domain):
            for range_ in g.objects(prop, RDFS.range):
                if ours(prop) and ours(domain) and ours(range_):
                    nodes |= {domain, range_}
                    edges.add(f"    {_name(g, domain)} --> {_name(g, range_)} : {_name(g, prop)}")  # type: ignore[arg-type]
    for cls in list(nodes):
        for parent in g.objects(cls, RDFS.subClassOf):
            if parent in nodes:
                edges.add(f"    {_name(g, parent)} <|-- {_name(g, cls)}")  # type: ignore[arg-type]
    return "\n".join(["classDiagram", *sorted(edges)]) + "\n"
