"""Counts of what the graph holds: terms by kind, claims and sources, claims per source."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph
from rdflib.query import ResultRow

from .dataset import Dataset
from .guard import check_type
from .load import load
from .prefixes import sparql_prologue

_COUNTS = sparql_prologue() + """
SELECT
  (COUNT(DISTINCT ?class) AS ?classes) (COUNT(DISTINCT ?op) AS ?object_properties)
  (COUNT(DISTINCT ?dp) AS ?data_properties) (COUNT(DISTINCT ?ap) AS ?annotation_properties)
  (COUNT(DISTINCT ?ind) AS ?individuals) (COUNT(DISTINCT ?claim) AS ?claims)
  (COUNT(DISTINCT ?source) AS ?sources)
WHERE {
  { ?class a owl:Class . FILTER(isIRI(?class)) }
  UNION { ?op a owl:ObjectProperty }
  UNION { ?dp a owl:DatatypeProperty }
  UNION { ?ap a owl:AnnotationProperty }
  UNION { ?ind a owl:NamedIndividual }
  UNION { ?claim a/rdfs:subClassOf* pnet:Claim }
  UNION { ?source a pnet:Source }
}
"""

_PER_SOURCE = sparql_prologue() + """
SELECT ?source ?label (COUNT(DISTINCT ?claim) AS ?claims) (COUNT(DISTINCT ?citing) AS ?cited_by)
WHERE {
  ?source a pnet:Source ; rdfs:label ?label .
  OPTIONAL { ?claim pnet:statedIn ?source }
  OPTIONAL { ?citing pnet:restsOn ?source }
}
GROUP BY ?source ?label
ORDER BY DESC(?claims) DESC(?cited_by) ?label
"""


@dataclass
class Stats:
    """Counts of one graph, and per source label the claims it states (``claims_per_source``)
    and the claims of other sources that rest on it as their cited work (``claims_resting_on``).
    """

    counts: dict[str, int]
    claims_per_source: dict[str, int] = field(default_factory=dict)
    claims_resting_on: dict[str, int] = field(default_factory=dict)


def stats(graph: Graph | Dataset | None = None) -> Stats:
    """Count classes, properties, individuals, claims and sources, and claims per source
    (of the shipped graph, an rdflib graph or a :class:`~pnet_kg.dataset.Dataset`).

    >>> s = stats()
    >>> s.counts["classes"] > 10
    True
    """
    check_type(graph, (Graph, Dataset), "graph", optional=True)
    graph = graph.graph if isinstance(graph, Dataset) else graph if graph is not None else load()
    rows = [r for r in graph.query(_COUNTS) if isinstance(r, ResultRow)]
    counts = {str(name): int(rows[0][str(name)]) for name in rows[0].labels}
    per_source = [r for r in graph.query(_PER_SOURCE) if isinstance(r, ResultRow)]
    return Stats(counts, {str(r["label"]): int(r["claims"]) for r in per_source},
                 {str(r["label"]): int(r["cited_by"]) for r in per_source})
