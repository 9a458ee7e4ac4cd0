"""Synthetic cohorts in the case-file contract, for demos, tests and benchmarks.

The proportions of nodal and liver metastasis at presentation are read from the
claims of the graph (source 000: about 45 % and 25 %), and positive node groups are
drawn from the groups the node table calls regional for the primary's family, so
a changed claim or rule changes the cohort. Sub-site, grade and size mixes are not
stated by the sources as proportions; they are fixed, documented demo weights.

>>> cases = list(synth_cases(3, seed=1))
>>> [c.case_id for c in cases]
['S000001', 'S000002', 'S000003']
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph

from .cases import Case, write_case_table
from .errors import PnetKgError
from .guard import check_type
from .io import atomic_writer
from .load import load
from .prefixes import sparql_prologue
from .rules import RuleSet, load_rules, rules_from_graph

_PROPORTIONS = """
SELECT ?object (AVG(?value) AS ?p) (GROUP_CONCAT(STR(?claim); separator=" ") AS ?claims) WHERE {
  VALUES ?object { pnet:NodalMetastasis pnet:LiverMetastasis }
  ?claim pnet:claimAspect pnet:Aspect_proportion_at_presentation ;
         pnet:claimSubject pnet:PancreaticNeuroendocrineTumour ;
         pnet:claimObject ?object ; pnet:unit pnet:Unit_proportion ; pnet:value ?value .
}
GROUP BY ?object
"""

# Demo mixes the sources do not quantify (weights, not staging rules).
_SUBSITES = {"head": 0.42, "uncinate": 0.06, "body": 0.2, "tail": 0.22, "neck": 0.04, "overlapping": 0.03, "unknown": 0.03}
_FUNCTIONAL = {"none": 0.8, "insulinoma": 0.1, "gastrinoma": 0.05, "glucagonoma": 0.02, "vipoma": 0.02,
               "somatostatinoma": 0.01}
_KI67 = [(0.5, (0.1, 2.9)), (0.38, (3.0, 20.0)), (0.12, (20.1, 60.0))]  # (weight, uniform range) for NET
_EXTRAHEPATIC = {"lung": 0.3, "bone": 0.35, "peritoneum": 0.25, "ovary": 0.03, "brain": 0.02, "other": 0.05}


@dataclass(frozen=True)
class CohortParameters:
    """Proportions at presentation and the claims they come from."""

    p_nodal: float
    p_liver: float
    claims: tuple[str, ...]


def _query(graph: Graph) -> dict[str, tuple[float, list[str]]]:
    out: dict[str, tuple[float, list[str]]] = {}
    for row in graph.query(sparql_prologue() + _PROPORTIONS):
        obj, p, claims = row  # type: ignore[misc]
        out[str(obj).rsplit("/", 1)[-1]] = (float(str(p)), str(claims).split())
    return out


@lru_cache(maxsize=1)
def _shipped_graph() -> Graph:
    return load()


def cohort_parameters(graph: Graph | None = None) -> CohortParameters:
    """Read the nodal and liver proportions at presentation from the claims of ``graph``.

    >>> p = cohort_parameters()
    >>> (p.p_nodal, p.p_liver)
    (0.45, 0.25)
    """
    found = _query(graph if graph is not None else _shipped_graph())
    missing = [k for k in ("NodalMetastasis", "LiverMetastasis") if k not in found]
    if missing:
        raise PnetKgError(f"no proportion-at-presentation claim for {', '.join(missing)} in the graph")
    return CohortParameters(found["NodalMetastasis"][0], found["LiverMetastasis"][0],
                            tuple(found["NodalMetastasis"][1] + found["LiverMetastasis"][1]))


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def synth_cases(n: int, seed: int = 0, graph: Graph | None = None) -> Iterator[Case]:
    """Yield ``n`` reproducible synthetic cases (same ``seed``, same cohort)."""
    check_type(n, int, "n")
    check_type(seed, int, "seed")
    check_type(graph, Graph, "graph", optional=True)
    if n < 0:
        raise PnetKgError("the number of cases must be >= 0")
    params = cohort_parameters(graph)
    rules: RuleSet = rules_from_graph(graph) if graph is not None else load_rules()
    regional: dict[str, list[str]] = {}
    distant: dict[str, list[str]] = {}
    for rule in rules.node_rules:
        if rule.system == rules.node_system:
            (regional if rule.assigns == "regional" else distant).setdefault(rule.family, []).append(rule.group)
    for table in (*regional.values(), *distant.values()):
        table.sort()
    structures = sorted(rules.vocabulary.structures)
    hepatic = sorted(rules.vocabulary.hepatic_sites)
    rng = random.Random(seed)
    width = max(6, len(str(n)))
    for i in range(1, n + 1):
        histology = "nec" if rng.random() < 0.05 else "net"
        subsite = _pick(rng, _SUBSITES)
        family = rules.vocabulary.subsite_family[subsite]
        size = None if rng.random() < 0.05 else round(min(200.0, math.exp(rng.gauss(3.0, 0.55))), 1)
        invaded = tuple(rng.sample(structures, 1)) if rng.random() < 0.08 else ()
        if histology == "nec":
            ki67: float | None = round(rng.uniform(25.0, 90.0), 1)
        else:
            lo, hi = rng.choices([r for _, r in _KI67], weights=[w for w, _ in _KI67])[0]
            ki67 = round(rng.uniform(lo, hi), 1)
        mitoses = None
        if rng.random() < 0.3 or rng.random() < 0.1:
            mitoses = max(0, int(rng.gauss((ki67 or 5.0) / 2, 2)))
            if rng.random() < 0.3:
                ki67 = None
        groups: tuple[str, ...] = ()
        count: int | None = 0 if rng.random() < 0.7 else None
        if rng.random() < params.p_nodal and regional.get(family):
            groups = tuple(rng.sample(regional[family], rng.randint(1, min(3, len(regional[family])))))
            count = len(groups) + rng.randint(0, 4) if rng.random() < 0.85 else None
        sites: list[str] = []
        if rng.random() < params.p_liver:
            sites += hepatic
            if rng.random() < 0.2:
                sites.append(_pick(rng, _EXTRAHEPATIC))
        elif rng.random() < 0.04:
            sites.append(_pick(rng, _EXTRAHEPATIC))
        if rng.random() < 0.03 and distant.get(family):
            groups = groups + (rng.choice(distant[family]),)
        yield Case(
            case_id=f"S{i:0{width}d}", histology=histology, primary_subsite=subsite, tumor_size_mm=size,
            invaded_structures=invaded, ki67_percent=ki67, mitoses_per_2mm2=mitoses,
            functional_syndrome=_pick(rng, _FUNCTIONAL) if histology == "net" else "none",
            positive_node_groups=tuple(dict.fromkeys(groups)), positive_node_count=count,
            distant_sites=tuple(dict.fromkeys(sites)),
        )


def write_synth(path: str | Path, n: int, seed: int = 0, fmt: str = "csv") -> int:
    """Write a synthetic cohort to ``path`` (CSV or JSON) atomically; return the number of cases."""
    with atomic_writer(path) as handle:
        return write_case_table(synth_cases(n, seed), handle, "json" if fmt == "json" else "csv")
