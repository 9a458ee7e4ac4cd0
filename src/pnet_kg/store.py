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
from .guard import refuse_xml_dtd
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


#: RDF file suffixes: the format's name (rdflib's, shown in messages) and pyoxigraph's format.
RDF_FORMATS: dict[str, tuple[str, ox.RdfFormat]] = {
    ".ttl": ("turtle", ox.RdfFormat.TURTLE), ".nt": ("nt", ox.RdfFormat.N_TRIPLES),
    ".jsonld": ("json-ld", ox.RdfFormat.JSON_LD), ".rdf": ("xml", ox.RdfFormat.RDF_XML),
    ".owl": ("xml", ox.RdfFormat.RDF_XML), ".xml": ("xml", ox.RdfFormat.RDF_XML), ".n3": ("n3", ox.RdfFormat.N3),
    ".nq": ("nquads", ox.RdfFormat.N_QUADS), ".trig": ("trig", ox.RdfFormat.TRIG),
}


def _readable_rdf(path: Path) -> tuple[str, ox.RdfFormat]:
    fmt = RDF_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"unknown RDF file suffix {path.suffix!r} (known: {', '.join(sorted(RDF_FORMATS))})",
                         file=path)
    if not path.is_file():
        raise InputError("no such file", file=path)
    if path.stat().st_size == 0:
        raise InputError("the file is empty", file=path)
    if fmt[1] == ox.RdfFormat.RDF_XML:
        refuse_xml_dtd(path)
        _check_well_formed_xml(path)
    return fmt


def _check_well_formed_xml(path: Path) -> None:
    """Refuse RDF/XML that is not well-formed XML: Oxigraph's parser takes a truncated file (an
    unclosed ``rdf:RDF``) as a whole one and loads what it has read, silently."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    # no handlers: nothing is kept; external entities and the external DTD are never read
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                parser.Parse(block, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise InputError(f"cannot parse as xml: not well-formed XML ({expat.ErrorString(exc.code)})", file=path,
                         line=exc.lineno) from None


def _parse_error(path: Path, name: str, exc: Exception) -> InputError:
    line = exc.lineno if isinstance(exc, SyntaxError) else None
    message = exc.msg if isinstance(exc, SyntaxError) and exc.msg else str(exc)
    return InputError(f"cannot parse as {name}: {message}", file=path, line=line)


def bulk_load_file(store: ox.Store, path: str | Path) -> None:
    """Bulk-load an RDF file into ``store``'s default graph; errors name the file and line."""
    path = Path(path)
    name, fmt = _readable_rdf(path)
    try:
        store.bulk_load(path=str(path), format=fmt, to_graph=ox.DefaultGraph())
    except (SyntaxError, ValueError, OSError) as exc:
        raise _parse_error(path, name, exc) from None


def check_rdf_file(path: str | Path) -> None:
    """Parse an RDF file through (streaming, nothing kept) so that a bad one is named before use."""
    path = Path(path)
    name, fmt = _readable_rdf(path)
    try:
        for _ in ox.parse(path=str(path), format=fmt):
            pass
    except (SyntaxError, ValueError, OSError) as exc:
        raise _parse_error(path, name, exc) from None


def add_files(store: ox.Store, files: Iterable[str | Path], *, keep_going: bool = False,
              errors: list[InputError] | None = None) -> None:
    """Add files to ``store``: case files (CSV/JSON of the contract) read and checked through
    :mod:`pnet_kg.cases` (``keep_going`` and ``errors`` as in :func:`pnet_kg.cases.iter_cases`),
    RDF files bulk-loaded."""
    from .cases import case_ntriples, is_case_file

    for file in files:
        if is_case_file(file):
            store.bulk_load(case_ntriples(file, keep_going, errors), format=ox.RdfFormat.N_TRIPLES,
                            to_graph=ox.DefaultGraph())
        else:
            bulk_load_file(store, file)


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
