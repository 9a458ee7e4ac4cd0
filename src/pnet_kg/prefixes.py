"""The project's prefix map, read once from ``ontology/prefixes.tsv`` and ``xref-prefixes.tsv``.

Every serialisation, query and report binds prefixes from here, so that no
module carries an ad-hoc prefix.
"""

from __future__ import annotations

import csv
from functools import lru_cache

import curies
from rdflib import Graph, Namespace

from .resources import ontology_dir

PNET = Namespace("https://w3id.org/pnet-kg/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
OBOINOWL = Namespace("http://www.geneontology.org/formats/oboInOwl#")
IAO_DEFINITION = OBO["IAO_0000115"]


def _read(name: str) -> dict[str, str]:
    with (ontology_dir() / name).open(encoding="utf-8", newline="") as handle:
        return {row["prefix"]: row["uri_prefix"] for row in csv.DictReader(handle, delimiter="\t")}


@lru_cache(maxsize=1)
def rdf_prefixes() -> dict[str, str]:
    """Prefixes used in the RDF files and SPARQL queries (``pnet``, ``owl``, ``skos``...).

    >>> rdf_prefixes()["pnet"]
    'https://w3id.org/pnet-kg/'
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
    """The namespace ``prefix`` names in ``prefixes.tsv``.

    >>> namespace("case")["A1"]
    rdflib.term.URIRef('https://w3id.org/pnet-kg/case/A1')
    """
    return Namespace(rdf_prefixes()[prefix])


#: Namespaces of the map that modules build IRIs and datatypes from.
RDF = namespace("rdf")
RDFS = namespace("rdfs")
XSD = namespace("xsd")
CASE = namespace("case")


def bind_all(graph: Graph) -> Graph:
    """Bind the project's RDF prefixes on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, uri in rdf_prefixes().items():
        graph.bind(prefix, uri, override=True, replace=True)
    return graph


def sparql_prologue() -> str:
    """``PREFIX`` lines for every RDF prefix, to put before a query that uses them."""
    return "".join(f"PREFIX {p}: <{u}>\n" for p, u in rdf_prefixes().items())
