"""Named SPARQL queries: a typed catalogue read from ``queries/*.rq`` and one runner for three engines.

:mod:`~pnet_kg.query.catalogue` reads the query files and their headers,
:mod:`~pnet_kg.query.binding` binds typed parameter values into them,
:mod:`~pnet_kg.query.engines` runs them on rdflib, pyoxigraph or an endpoint,
:mod:`~pnet_kg.query.results` turns the rows into plain Python values, and
:mod:`~pnet_kg.query.runner` ties these together in :func:`query` and :func:`run`.

>>> result = query("term-list", category="pnet:SubsiteFamily")
>>> [row["term"] for row in result.rows]
['pnet:SubsiteFamily_body_tail', 'pnet:SubsiteFamily_head', 'pnet:SubsiteFamily_other']
>>> result.labelled_columns()[:2]
['term', 'term_label']
"""

from .binding import allowed_values, bind_value, bound_text, check_values, with_prologue
from .catalogue import PARAM_TYPES, NamedQuery, Param, get_query, list_queries, parse_header
from .engines import EndpointEngine, OxigraphEngine, QueryEngine, RdflibEngine, Target, engine_for
from .results import QueryResult, Value, literal_value
from .runner import QueryForm, ask, construct, query, query_form, read_query_file, run

__all__ = [
    "PARAM_TYPES",
    "EndpointEngine",
    "NamedQuery",
    "OxigraphEngine",
    "Param",
    "QueryEngine",
    "QueryForm",
    "QueryResult",
    "RdflibEngine",
    "Target",
    "Value",
    "allowed_values",
    "ask",
    "bind_value",
    "bound_text",
    "check_values",
    "construct",
    "engine_for",
    "get_query",
    "list_queries",
    "literal_value",
    "parse_header",
    "query",
    "query_form",
    "read_query_file",
    "run",
    "with_prologue",
]
