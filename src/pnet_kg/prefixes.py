"""The project's prefix map, read once from ``ontology/prefixes.tsv`` and ``xref-prefixes.tsv``.

Every serialisation, query and report binds prefixes from here, so that no
module carries an ad-hoc prefix; the namespaces modules build IRIs from (``PNET``, ``CASE``,
``OBO``, ``XSD``, ``SH``...) are read from the same map. Code that only matches W3C terms may
use :mod:`rdflib.namespace`, whose terms are checked.
"""

from __future__ import annotations

import csv
from functools import lru_cache

import curies
from rdflib import Graph, Namespace

from .resources import ontology_dir

def _read(name: str) -> dict[str, str]:
    with (ontology_dir() / name).open(encoding="utf-8", newline="") as handle:
        return {row["prefix"]: row["uri_prefix"] for row in csv.DictReader(handle, delimiter="\t")}


@lru_cache(maxsize=1)
def rdf_prefixes() -> dict[str, str]:
    """Prefixes used in the RDF files and SPARQL queries (``pnet``, ``owl``, ``skos``...).

    >>> rdf_prefixes()["pnet"]
    'https://w3id.org/pnet-kg/'
    >>> [str(ns) == rdf_prefixes()[p] for p, ns in (("pnet", PNET), ("obo", OBO), ("oboInOwl", OBOINOWL), ("sh", SH))]
    [True, True, True, True]
    """
    return _read("prefixes.tsv")


@lru_cache(maxsize=1)
def xref_prefixes() -> dict[str, str]:
    """Prefixes allowed in ``oboInOwl:hasDbXref`` CURIEs (``NCIT``, ``MONDO``, ``UBERON``...).

    >>> sorted(xref_prefixes())[:3]
    ['ATC', 'CHEBI', 'ECO']
    """
    return _read("xref-prefixes.tsv")


@lru_cache(maxsize=1)
def converter() -> curies.Converter:
    """A :class:`curies.Converter` over both maps, to expand and compress identifiers.

    >>> converter().expand("NCIT:C27720")
    'http://purl.obolibrary.org/obo/NCIT_C27720'
    >>> converter().compress("https://w3id.org/pnet-kg/Liver")
    'pnet:Liver'
    """
    merged = {**rdf_prefixes(), **xref_prefixes()}
    return curies.load_prefix_map(merged)


def namespace(prefix: str) -> Namespace:
    """The namespace a prefix of the map stands for (an unknown prefix raises :class:`curies.ExpansionError`).

    >>> namespace("case")["P001"]
    rdflib.term.URIRef('https://w3id.org/pnet-kg/case/P001')
    """
    return Namespace(converter().expand(f"{prefix}:", strict=True))


PNET = namespace("pnet")
CASE = namespace("case")
SHP = namespace("shp")
OBO = namespace("obo")
OBOINOWL = namespace("oboInOwl")
IAO_DEFINITION = OBO["IAO_0000115"]
RDF = namespace("rdf")
RDFS = namespace("rdfs")
XSD = namespace("xsd")
SH = namespace("sh")


def bind_all(graph: Graph) -> Graph:
    """Bind the project's RDF prefixes on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, uri in rdf_prefixes().items():
        graph.bind(prefix, uri, override=True, replace=True)
    return graph


def sparql_prologue() -> str:
    """``PREFIX`` lines for every RDF prefix, to put before a query that uses them."""
    return "".join(f"PREFIX {p}: <{u}>\n" for p, u in rdf_prefixes().items())
