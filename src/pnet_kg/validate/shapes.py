"""The shapes graph (the shipped ``shapes/*.ttl`` or the user's files) and its property paths.

>>> from rdflib import URIRef
>>> path_text(shapes_graph(), URIRef("https://w3id.org/pnet-kg/ki67Percent"))
'<https://w3id.org/pnet-kg/ki67Percent>'
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.term import Node

from ..errors import UnsupportedShape
from ..load import parse_file
from ..prefixes import SH
from ..resources import data_dir


@lru_cache(maxsize=1)
def _shipped_shapes() -> Graph:
    graph = Graph()
    for path in sorted(data_dir("shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def shapes_graph(files: Iterable[str | Path] | None = None) -> Graph:
    """Return the shapes: the shipped ``shapes/*.ttl`` (default) or the given Turtle files.

    >>> len(shapes_graph()) > 100
    True
    """
    if files is None:
        return _shipped_shapes()
    graph = Graph()
    for path in files:
        parse_file(path, graph)
    return graph


def path_text(shapes: Graph | None, path: Node | None) -> str | None:
    """A SHACL property path as a SPARQL property path (``None`` stays ``None``).

    >>> g = Graph()
    >>> path_text(g, URIRef("urn:p"))
    '<urn:p>'
    """
    if path is None:
        return None
    if isinstance(path, URIRef):
        return f"<{path}>"
    if shapes is None:
        raise UnsupportedShape(f"complex path {path} needs the shapes graph")
    if (path, RDF.first, None) in shapes:
        return "(" + "/".join(str(path_text(shapes, p)) for p in Collection(shapes, path)) + ")"
    for predicate, wrap in ((SH.alternativePath, None), (SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                            (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = shapes.value(path, predicate)
        if inner is None:
            continue
        if predicate == SH.alternativePath:
            return "(" + "|".join(str(path_text(shapes, p)) for p in Collection(shapes, inner)) + ")"
        assert wrap is not None
        return "(" + wrap.format(path_text(shapes, inner)) + ")"
    raise UnsupportedShape(f"unknown SHACL path {path}")
