"""Release artifacts: the merged graph in RDF/XML (for Protégé and the OWL API), Turtle, JSON-LD and N-Triples.

The merged ontology keeps the root's header (IRI, version IRI, title, licence)
and drops the module headers and their internal ``owl:imports``, so that the OWL
API opens one self-contained file with no import to resolve.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from .catalog import ROOT_IRI
from .errors import InputError
from .guard import as_path, check_choice
from .io import atomic_writer
from .load import load
from .prefixes import bind_all

#: Artifact suffix -> rdflib serialisation format.
FORMATS: dict[str, str] = {"owl": "xml", "ttl": "turtle", "jsonld": "json-ld", "nt": "nt"}


@dataclass(frozen=True)
class Artifact:
    """One written release file."""

    path: Path
    format: str
    triples: int


def merged_ontology(graph: Graph | None = None) -> Graph:
    """Return the shipped graph as one ontology: the root header, no module headers, no internal imports."""
    source = graph if graph is not None else load()
    root = URIRef(ROOT_IRI)
    modules = {s for s in source.subjects(RDF.type, OWL.Ontology) if s != root}
    merged = bind_all(Graph())
    for s, p, o in source:
        if s in modules or (s == root and p == OWL.imports):
            continue
        merged.add((s, p, o))
    return merged


def build(out_dir: str | Path = "build", formats: tuple[str, ...] = tuple(FORMATS)) -> list[Artifact]:
    """Write ``pnet-kg.<suffix>`` for each format into ``out_dir`` and return what was written.

    Each file carries the root ontology's ``owl:versionIRI``.
    """
    out = as_path(out_dir, "out_dir")
    if isinstance(formats, str) or not isinstance(formats, (tuple, list)):
        raise InputError(f"formats must be a tuple of format names ({', '.join(FORMATS)}), not {formats!r:.60}")
    for suffix in formats:
        check_choice(suffix, FORMATS, "each of formats")
    graph = merged_ontology()
    artifacts = []
    for suffix in formats:
        target = out / f"pnet-kg.{suffix}"
        with atomic_writer(target, "wb") as handle:
            graph.serialize(destination=handle, format=FORMATS[suffix], encoding="utf-8")
        artifacts.append(Artifact(target, FORMATS[suffix], len(graph)))
    return artifacts
