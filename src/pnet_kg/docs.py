"""Documentation generated from the ontology: HTML pages (pyLODE) and a Mermaid diagram of the model."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from .build import merged_ontology
from .dataset import Dataset
from .io import atomic_write_text
from .prefixes import IAO_DEFINITION, OBOINOWL, PNET, converter


def write_docs(out_dir: Path, graph: Graph | Dataset | None = None) -> Path | None:
    """Write ``out_dir/pnet-kg.html`` with pyLODE; return its path, or ``None`` when pyLODE is not installed."""
    try:  # lazy: pyLODE may be missing (the page is then skipped) and only this function needs it
        from pylode import OntPub
    except ImportError:
        return None
    # pyLODE logs at DEBUG on the root logger while it works; keep the command's output readable.
    logging.getLogger().setLevel(logging.WARNING)
    merged = _merged(graph)
    import pylode.utils  # lazy like OntPub above: optional here, and 60 ms to import

    # pyLODE 3.3 collects the members of a union or intersection in a set() of HTML elements, which
    # hash by id: their order changed from run to run. For this render, that set() is a list (the
    # members then keep the order of the RDF list, the same on every build).
    pylode.utils.set = _InsertionOrdered
    try:
        html = _with_individuals(OntPub)(ontology=_for_pylode(merged)).make_html()
    finally:
        del pylode.utils.set
    target = out_dir / "pnet-kg.html"
    atomic_write_text(target, html)
    return target


class _InsertionOrdered(list[Any]):
    """A list with ``add``: what pyLODE's member collection needs of a set, in insertion order."""

    def add(self, item: Any) -> None:
        self.append(item)


#: What the "Named Individuals" section shows of each individual (pyLODE's own section lists have no such one).
_INDIVIDUAL_PROPS = [RDFS.isDefinedBy, DCTERMS.title, DCTERMS.description, SKOS.notation, RDF.type,
                     SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch]


_ROW_TITLES = [(SKOS.notation, "Code", "SKOS"), (RDF.type, "Type", "RDF"),
               (SKOS.exactMatch, "Exact match", "SKOS"), (SKOS.closeMatch, "Close match", "SKOS"),
               (SKOS.broadMatch, "Broad match", "SKOS"), (SKOS.narrowMatch, "Narrow match", "SKOS"),
               (SKOS.relatedMatch, "Related match", "SKOS")]


def _with_individuals(ontpub: Any) -> Any:
    """pyLODE's ``OntPub`` with a "Named Individuals" section (node groups, sub-sites, grades, TNM
    categories, stage groups...): each with its code (``skos:notation``), label, definition and
    cross-references, and an entry in the table of contents."""
    # lazy: pyLODE (and dominate, which it brings) may be missing, and pyLODE takes 60 ms to import
    from dominate.tags import a, h4, li, ul
    from pylode.utils import section_html

    class WithIndividuals(ontpub):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # pyLODE's background vocabularies give no title for these: the table would say "None".
            for prop, title, ont_title in _ROW_TITLES:
                known = self.props_labeled.get(prop) or {}
                if not known.get("title"):
                    self.props_labeled[prop] = {"title": title, "description": str(prop), "ont_title": ont_title}

        def _make_main_sections(self) -> None:
            super()._make_main_sections()
            if (None, RDF.type, OWL.NamedIndividual) in self.ont:
                with self.content:
                    section_html("Named Individuals", self.ont, self.back_onts, self.ns, OWL.NamedIndividual,
                                 _INDIVIDUAL_PROPS, self.toc, "namedindividuals", self.fids,
                                 self.props_labeled).render()

        def _make_toc(self) -> None:
            super()._make_toc()
            entries = self.toc.get("namedindividuals") or []
            first = self.doc.body.get("ul", cls="first") if entries else []
            if first:
                item = li(h4(a("Named Individuals", href="#namedindividuals")))
                item.add(ul([li(a(title, href=href)) for href, title in entries], cls="second"))
                # before "Namespaces" and "Legend", the last two entries
                first[0].children.insert(len(first[0].children) - 2, item)
                item.parent = first[0]

    return WithIndividuals


def _for_pylode(graph: Graph) -> Graph:
    """A copy that pyLODE can show in full: it renders skos:definition and rdfs:seeAlso, not the OBO
    annotations, so definitions and cross-references are repeated in those terms (for display only)."""
    # pyLODE lists terms, and the restrictions of a class, in the order the store yields them:
    # canonicalise the blank nodes (their labels then depend on their content, not on the parse)
    # and insert the triples sorted by the subject's label, so that the page is alphabetical and
    # the same on every build.
    graph = to_canonical_graph(graph)
    labels = {subject: str(label).lower() for subject, label in graph.subject_objects(RDFS.label)}

    def order(triple: tuple[Any, Any, Any]) -> tuple[str, str, str, str]:
        return (labels.get(triple[0], "~"), str(triple[0]), str(triple[1]), str(triple[2]))

    # Claims and staging rules are individuals too, but statements rather than vocabulary (hundreds of
    # them): the "Named Individuals" section lists the vocabulary only (node groups, sub-sites, grades...).
    statements = set(graph.transitive_subjects(RDFS.subClassOf, PNET.Claim))
    claims = {s for c in statements for s in graph.subjects(RDF.type, c)}
    shown = Graph()
    for triple in sorted(graph, key=order):
        if not (triple[0] in claims and triple[1] == RDF.type and triple[2] == OWL.NamedIndividual):
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


def _merged(graph: Graph | Dataset | None) -> Graph:
    """The graph to document: the one given, a dataset's as one ontology, or the shipped one."""
    if isinstance(graph, Dataset):
        return merged_ontology(graph.graph)
    return graph if graph is not None else merged_ontology()


def mermaid_diagram(graph: Graph | Dataset | None = None) -> str:
    """A Mermaid class diagram of the model: the classes that object properties connect, those
    properties (domain --> range) and the subclass links among those classes.

    >>> print(mermaid_diagram().splitlines()[0])
    classDiagram
    """
    g = _merged(graph)

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
