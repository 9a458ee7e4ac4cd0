"""The one place that chooses the RDF engine: rdflib for the shipped graph, pyoxigraph where size demands it.

The shipped graph (a few thousand triples) is an :class:`rdflib.Graph`. Case data
at cohort scale (a million triples) goes into an embedded
:class:`pyoxigraph.Store`, bulk-loaded from N-Triples, which parses and queries
one to two orders of magnitude faster on this kind of machine.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .errors import InputError
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


_FORMATS = {".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE, ".nq": ox.RdfFormat.N_QUADS,
            ".rdf": ox.RdfFormat.RDF_XML, ".owl": ox.RdfFormat.RDF_XML, ".xml": ox.RdfFormat.RDF_XML,
            ".jsonld": ox.RdfFormat.JSON_LD, ".trig": ox.RdfFormat.TRIG}


def _readable_rdf(path: Path) -> ox.RdfFormat:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"unknown RDF file suffix {path.suffix!r} (known: {', '.join(sorted(_FORMATS))})", file=path)
    if not path.is_file():
        raise InputError("no such file", file=path)
    if path.stat().st_size == 0:
        raise InputError("the file is empty", file=path)
    return fmt


def _parse_error(path: Path, exc: Exception) -> InputError:
    line = exc.lineno if isinstance(exc, SyntaxError) else None
    message = exc.msg if isinstance(exc, SyntaxError) and exc.msg else str(exc)
    return InputError(f"cannot parse: {message}", file=path, line=line)


def bulk_load_file(store: ox.Store, path: str | Path) -> None:
    """Bulk-load an RDF file into ``store``'s default graph; errors name the file and line."""
    path = Path(path)
    fmt = _readable_rdf(path)
    try:
        store.bulk_load(path=str(path), format=fmt, to_graph=ox.DefaultGraph())
    except (SyntaxError, ValueError, OSError) as exc:
        raise _parse_error(path, exc) from exc


def check_rdf_file(path: str | Path) -> None:
    """Parse an RDF file through (streaming, nothing kept) so that a bad one is named before use."""
    path = Path(path)
    fmt = _readable_rdf(path)
    try:
        for _ in ox.parse(path=str(path), format=fmt):
            pass
    except (SyntaxError, ValueError, OSError) as exc:
        raise _parse_error(path, exc) from exc


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
