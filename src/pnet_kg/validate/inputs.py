"""Read what :func:`~pnet_kg.validate.validate` checks: the shipped graph plus the user's files or graphs,
into a pyoxigraph store (fast engine) or an rdflib graph (pySHACL).

>>> len(load_store(shipped=False))
0
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Union

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import OWL

from ..cases import case_ntriples, is_case_file
from ..catalog import ROOT_IRI
from ..errors import InputError
from ..load import load, parse_file, walk_imports
from ..prefixes import bind_all
from ..store import RDF_FORMATS, add_files, add_graph, bulk_load_file

#: What ``data`` may hold: a file path (RDF, or a case CSV/JSON read through :mod:`pnet_kg.cases`) or a graph.
DataInput = Union[str, Path, Graph]


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise InputError("no such file", file=path)
    if not path.is_file():
        raise InputError("not a file", file=path)
    if path.stat().st_size == 0:
        raise InputError("the file is empty", file=path)


def _check_rdf_suffix(path: Path) -> None:
    # Named here rather than by the store's loader, so that the message also lists the case files.
    if path.suffix.lower() not in RDF_FORMATS:
        known = ", ".join(sorted(set(RDF_FORMATS) | {".csv", ".json"}))
        raise InputError(f"unknown file type {path.suffix or '(no suffix)'!r} (known: {known})", file=path)


def _shipped_into(store: ox.Store) -> None:
    """Load the root ontology and its imports closure (through the catalog) into ``store``."""
    imports = ox.NamedNode(str(OWL.imports))

    def load_module(iri: str, path: Path) -> list[str]:
        bulk_load_file(store, path)  # a syntax error names the module and line
        return [q.object.value for q in store.quads_for_pattern(ox.NamedNode(iri), imports, None)
                if isinstance(q.object, ox.NamedNode)]

    walk_imports(ROOT_IRI, load_module)


def as_list(data: DataInput | Iterable[DataInput] | None) -> list[DataInput]:
    """``data`` as a list of inputs (none, one, or the items given)."""
    if data is None:
        return []
    if isinstance(data, (str, Path, Graph)):
        return [data]
    return list(data)


def load_store(data: DataInput | Iterable[DataInput] | None = None, *, shipped: bool = True,
               keep_going: bool = False, errors: list[InputError] | None = None) -> ox.Store:
    """Return an in-memory pyoxigraph store with the shipped graph (unless ``shipped=False``) and ``data``."""
    store = ox.Store()
    if shipped:
        _shipped_into(store)
    errors = errors if errors is not None else []
    for item in as_list(data):
        if isinstance(item, Graph):
            add_graph(store, item)
            continue
        path = Path(item)
        _check_readable(path)
        if not is_case_file(path):
            _check_rdf_suffix(path)
        add_files(store, [path], keep_going=keep_going, errors=errors)
    return store


def load_graph(data: DataInput | Iterable[DataInput] | None = None, *, shipped: bool = True,
               keep_going: bool = False, errors: list[InputError] | None = None) -> Graph:
    """The same data as :func:`load_store`, as one :class:`rdflib.Graph` (for pySHACL)."""
    graph = load() if shipped else bind_all(Graph())
    errors = errors if errors is not None else []
    for item in as_list(data):
        if isinstance(item, Graph):
            graph += item
            continue
        path = Path(item)
        _check_readable(path)
        if is_case_file(path):
            graph.parse(data=case_ntriples(path, keep_going, errors).decode("utf-8"), format="nt")
        else:
            _check_rdf_suffix(path)
            parse_file(path, graph)
    return graph
