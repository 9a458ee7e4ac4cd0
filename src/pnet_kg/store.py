"""The pyoxigraph side: terms between rdflib and pyoxigraph, a graph or an RDF file into a store.

Knows RDF only; case files are turned into triples by :mod:`pnet_kg.cases` and handed to a
store by :class:`pnet_kg.dataset.Dataset`, the one way data comes in.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .formats import parse_error, readable_rdf
from .load import load


def _to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def from_ox(term: object) -> Node | None:
    """Convert a pyoxigraph term to the matching rdflib term (``None`` stays ``None``)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not a pyoxigraph term: {term!r}")


def add_graph(store: ox.Store, graph: Graph) -> None:
    """Add every triple of an rdflib ``graph`` to ``store`` (default graph)."""
    store.extend(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o)) for s, p, o in graph)  # type: ignore[arg-type]


def bulk_load_file(store: ox.Store, path: str | Path) -> None:
    """Bulk-load an RDF file into ``store``'s default graph; errors name the file and line."""
    path = Path(path)
    fmt = readable_rdf(path)
    try:
        store.bulk_load(path=str(path), format=fmt.oxigraph, to_graph=ox.DefaultGraph())
    except (SyntaxError, ValueError, OSError) as exc:
        raise parse_error(path, fmt.rdflib, exc) from None


def oxigraph_store(extra: Iterable[str | Path] = (), graph: Graph | None = None,
                   path: str | Path | None = None) -> ox.Store:
    """Return a pyoxigraph store holding the shipped graph (or ``graph``) plus the RDF files ``extra``.

    ``path`` keeps the store on disk; by default it lives in memory.

    >>> store = oxigraph_store()
    >>> len(store) == len(load())
    True
    """
    store = ox.Store(str(path)) if path is not None else ox.Store()
    add_graph(store, graph if graph is not None else load())
    for file in extra:
        bulk_load_file(store, file)
    return store
