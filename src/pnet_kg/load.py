"""Load the shipped graph: the root ontology and, through the catalog, all it imports.

Imports are resolved from the package (never the network), exactly as Protégé
resolves them through ``catalog-v001.xml``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL

from .catalog import ROOT_IRI, read_catalog
from .errors import InputError, PnetKgError
from .formats import parse_error, readable_rdf
from .guard import as_paths, check_type
from .prefixes import bind_all
from .resources import ontology_dir


def walk_imports(root: str, load_module: Callable[[str, Path], Iterable[str]]) -> dict[str, Path]:
    """Visit ``root`` and its imports breadth-first, resolved through the catalog.

    ``load_module(iri, path)`` loads one module wherever the caller keeps it (an rdflib
    graph, a pyoxigraph store) and returns the IRIs that module imports.
    """
    catalog = read_catalog(ontology_dir())
    order: dict[str, Path] = {}
    pending = [root]
    while pending:
        iri = pending.pop(0)
        if iri in order:
            continue
        if iri not in catalog:
            raise PnetKgError(f"owl:imports {iri} has no entry in catalog-v001.xml")
        if not catalog[iri].is_file():
            raise PnetKgError(f"{ontology_dir() / 'catalog-v001.xml'}: the entry for {iri} names {catalog[iri]}, "
                              "which does not exist")
        order[iri] = catalog[iri]
        pending.extend(load_module(iri, catalog[iri]))
    return order


def _imports(graph: Graph, iri: str) -> list[str]:
    return [str(o) for o in graph.objects(URIRef(iri), OWL.imports)]


def module_files(root: str = ROOT_IRI) -> dict[str, Path]:
    """Return ``{ontology IRI: file}`` for ``root`` and everything it imports, in import order.

    >>> files = module_files()
    >>> next(iter(files)) == ROOT_IRI
    True
    """
    return walk_imports(root, lambda iri, path: _imports(parse_module(path, Graph()), iri))


def load_modules(root: str = ROOT_IRI) -> dict[str, Graph]:
    """Return each module of the shipped graph as its own :class:`rdflib.Graph`, keyed by ontology IRI."""
    check_type(root, str, "root")
    modules: dict[str, Graph] = {}

    def parse(iri: str, path: Path) -> list[str]:
        modules[iri] = bind_all(parse_module(path, Graph()))
        return _imports(modules[iri], iri)

    walk_imports(root, parse)
    return modules


def parse_file(path: str | Path, graph: Graph | None = None) -> Graph:
    """Parse one RDF file into ``graph`` (a new one by default) with rdflib, the format from its suffix.

    Raises :class:`InputError` naming the file (and line, where the parser knows it)
    when the file is missing, empty, of unknown type or malformed (:func:`~pnet_kg.formats.readable_rdf`).
    """
    path = Path(path)
    graph = graph if graph is not None else bind_all(Graph())
    fmt = readable_rdf(path).rdflib
    try:
        graph.parse(path, format=fmt)
    except Exception as exc:  # rdflib raises many unrelated types for bad syntax
        raise parse_error(path, fmt, exc) from exc
    return graph


def parse_module(path: Path, graph: Graph) -> Graph:
    """Parse a shipped Turtle module into ``graph``; a syntax error names the file and its real line."""
    try:
        return graph.parse(path, format="turtle")
    except OSError as exc:
        raise InputError(f"cannot read the ontology module: {exc.strerror or exc}", file=path) from None
    except Exception as exc:  # rdflib raises many unrelated types for bad syntax
        raise parse_error(path, "turtle", exc) from None


def load(extra: Iterable[str | Path] = ()) -> Graph:
    """Return the merged shipped graph (ontology, knowledge and rules) as one :class:`rdflib.Graph`.

    ``extra`` names further RDF files (Turtle, N-Triples, JSON-LD, RDF/XML) to add.

    >>> g = load()
    >>> from rdflib.namespace import OWL, RDF
    >>> (URIRef(ROOT_IRI), RDF.type, OWL.Ontology) in g
    True
    """
    extra = as_paths(extra, "extra")
    graph = bind_all(Graph())
    # each module is parsed once, straight into the merged graph, which then also answers its imports
    walk_imports(ROOT_IRI, lambda iri, path: _imports(parse_module(path, graph), iri))
    for path in extra:
        parse_file(path, graph)
    return graph

