"""Release artifacts: the merged graph in RDF/XML (for Protégé and the OWL API), Turtle, JSON-LD and N-Triples.

The merged ontology keeps the root's header (IRI, title, licence) and drops the
module headers and their internal ``owl:imports``, so that the OWL API opens one
self-contained file with no import to resolve. A release stamps that header with
its version: ``owl:versionIRI <https://w3id.org/pnet-kg/releases/VERSION/pnet-kg.owl>``,
``owl:versionInfo "VERSION"`` and the release date as ``dcterms:issued``.
"""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, XSD

from .catalog import ROOT_IRI
from .errors import InputError
from .guard import as_path, check_choice
from .io import atomic_writer
from .load import load
from .prefixes import bind_all

#: Where release versions live: ``RELEASES + VERSION + "/pnet-kg.owl"`` is a release's version IRI.
RELEASES = "https://w3id.org/pnet-kg/releases/"
#: A version that can sit in an IRI path: PEP 440 / semantic versions such as 0.2.0, 1.0.0rc1, 2026-11-23.
_VERSION = re.compile(r"^[0-9][0-9A-Za-z.+-]{0,40}$")

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


def package_version() -> str:
    """The installed package's version (``project.version`` of pyproject.toml), the default release version.

    >>> bool(_VERSION.match(package_version()))
    True
    """
    try:
        return importlib.metadata.version("pnet-kg")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "0.0.0"


def check_version(version: str) -> str:
    """Return ``version`` if it can be a release version (it becomes part of an IRI); else raise InputError.

    >>> check_version("0.2.0")
    '0.2.0'
    """
    if not isinstance(version, str) or not _VERSION.match(version):
        raise InputError(f"release version {version!r:.60} is not a version such as 0.2.0 or 1.0.0rc1 "
                         "(digits first; letters, digits, '.', '+', '-')")
    return version


def stamp_release(graph: Graph, version: str, issued: _dt.date) -> Graph:
    """Set the root header's version IRI, version info and release date (``dcterms:issued``) in ``graph``.

    >>> g = stamp_release(Graph(), "0.2.0", _dt.date(2026, 12, 1))
    >>> str(g.value(URIRef(ROOT_IRI), OWL.versionIRI))
    'https://w3id.org/pnet-kg/releases/0.2.0/pnet-kg.owl'
    >>> g.value(URIRef(ROOT_IRI), DCTERMS.issued)
    rdflib.term.Literal('2026-12-01', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#date'))
    """
    root = URIRef(ROOT_IRI)
    check_version(version)
    graph.set((root, OWL.versionIRI, URIRef(f"{RELEASES}{version}/pnet-kg.owl")))
    graph.set((root, OWL.versionInfo, Literal(version)))
    graph.set((root, DCTERMS.issued, Literal(issued.isoformat(), datatype=XSD.date)))
    # OWL 2 DL (and Protégé's OWL API profile check) wants every annotation property declared.
    graph.add((DCTERMS.issued, RDF.type, OWL.AnnotationProperty))
    return graph


def build(out_dir: str | Path = "build", formats: tuple[str, ...] = tuple(FORMATS), *,
          version: str | None = None, issued: _dt.date | None = None) -> list[Artifact]:
    """Write ``pnet-kg.<suffix>`` for each format into ``out_dir`` and return what was written.

    Each file is stamped as release ``version`` (default: the package's version, see
    :func:`package_version`) issued on ``issued`` (default: today, UTC): see :func:`stamp_release`.
    """
    out = as_path(out_dir, "out_dir")
    if isinstance(formats, str) or not isinstance(formats, (tuple, list)):
        raise InputError(f"formats must be a tuple of format names ({', '.join(FORMATS)}), not {formats!r:.60}")
    for suffix in formats:
        check_choice(suffix, FORMATS, "each of formats")
    if issued is not None and not isinstance(issued, _dt.date):
        raise InputError(f"issued must be a datetime.date, not {issued!r:.60}")
    release = check_version(version if version is not None else package_version())
    graph = stamp_release(merged_ontology(), release, issued or _dt.datetime.now(_dt.timezone.utc).date())
    artifacts = []
    for suffix in formats:
        target = out / f"pnet-kg.{suffix}"
        with atomic_writer(target, "wb") as handle:
            graph.serialize(destination=handle, format=FORMATS[suffix], encoding="utf-8")
        artifacts.append(Artifact(target, FORMATS[suffix], len(graph)))
    return artifacts
