"""The staging rules and case-file value sets, read from the graph by SPARQL once into typed structures.

Nothing here knows a threshold, a T category or a regional node: every number and
every table row comes from ``ontology/knowledge/staging-rules.ttl`` (and the value
sets from the anatomy and core modules). Change a rule in the graph and
:func:`load_rules` returns the changed rule.

>>> rules = load_rules()
>>> sorted(r.assigns for r in rules.criteria if r.variable == "ki67_percent")
['G1', 'G2', 'G3']
>>> rules.vocabulary.subsite_family["uncinate"]
'head'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import pyoxigraph as ox
from rdflib import Graph

from .errors import PnetKgError
from .prefixes import PNET, sparql_prologue
from .store import add_graph, from_ox

#: The node table that decides regional versus distant (the other systems only raise warnings).
NODE_SYSTEM = str(PNET["System_AJCC8_SEER_EOD2018"])

Dimension = Literal["grade", "t", "n"]


@dataclass(frozen=True)
class Interval:
    """A range of real numbers with open or closed ends (``math.inf`` for no end).

    >>> Interval(3, True, 20, True).contains(Interval.point(20.0))
    True
    >>> Interval(-math.inf, False, 3, False).overlaps(Interval(3, True, 20, True))
    False
    """

    lo: float
    lo_inclusive: bool
    hi: float
    hi_inclusive: bool

    @classmethod
    def point(cls, value: float) -> Interval:
        return cls(value, True, value, True)

    @classmethod
    def everything(cls) -> Interval:
        return cls(-math.inf, False, math.inf, False)

    def includes(self, x: float) -> bool:
        above = self.lo < x or (self.lo == x and self.lo_inclusive)
        below = x < self.hi or (x == self.hi and self.hi_inclusive)
        return above and below

    def contains(self, other: Interval) -> bool:
        """True when every value of ``other`` lies in this interval."""
        lo_ok = self.lo < other.lo or (self.lo == other.lo and (self.lo_inclusive or not other.lo_inclusive))
        hi_ok = other.hi < self.hi or (other.hi == self.hi and (self.hi_inclusive or not other.hi_inclusive))
        return lo_ok and hi_ok

    def overlaps(self, other: Interval) -> bool:
        """True when some value lies in both intervals."""
        lo, hi = max(self.lo, other.lo), min(self.hi, other.hi)
        if lo < hi:
            return True
        return lo == hi and self.includes(lo) and other.includes(lo)


@dataclass(frozen=True)
class CriterionRule:
    """A grade, T or N rule: a range of one variable, a list of invaded structures, or neither (always holds)."""

    iri: str
    system: str
    differentiation: str | None  #: case-file code (``net``/``nec``), ``None`` for any
    dimension: Dimension
    variable: str | None  #: case-file field the range applies to (the variable's skos:notation)
    range: Interval | None
    structures: frozenset[str]  #: case-file codes of structures whose invasion satisfies the rule
    assigns: str  #: notation of the category
    rank: int
    source: str = ""  #: the source that states the rule (IRI)


@dataclass(frozen=True)
class MRule:
    """An M rule: ``None`` in a requirement means either."""

    iri: str
    system: str
    differentiation: str | None
    requires_hepatic: bool | None
    requires_extrahepatic: bool | None
    assigns: str
    rank: int


@dataclass(frozen=True)
class StageRule:
    """A stage-group row: the stage when T, N and M are each among the allowed notations."""

    iri: str
    system: str
    differentiation: str | None
    t: frozenset[str]
    n: frozenset[str]
    m: frozenset[str]
    assigns: str
    rank: int


@dataclass(frozen=True)
class NodeRule:
    """A node-table row: ``group`` is ``assigns`` (``regional``/``distant``) for primaries of ``family``."""

    iri: str
    system: str | None
    source: str
    family: str
    group: str
    assigns: str
    inference: bool


@dataclass(frozen=True)
class Vocabulary:
    """The case-file codes (skos:notation within their class) and the individuals they name."""

    differentiations: Mapping[str, str]
    subsites: Mapping[str, str]
    subsite_family: Mapping[str, str]  #: sub-site code -> family code
    structures: Mapping[str, str]
    functional: Mapping[str, str]
    node_groups: Mapping[str, str]
    distant_sites: Mapping[str, str]
    hepatic_sites: frozenset[str]  #: distant-site codes that are the liver or part of it
    sstr: Mapping[str, str] = field(default_factory=dict)  #: somatostatin-receptor status codes
    progression: Mapping[str, str] = field(default_factory=dict)  #: progression status codes
    unspecified_sites: frozenset[str] = frozenset()  #: distant-site codes of a metastasis of unspecified site
    ki67_sites: Mapping[str, str] = field(default_factory=dict)  #: where a Ki-67 index was measured
    grading_ki67_sites: frozenset[str] = frozenset()  #: Ki-67 site codes whose index grades the primary


@dataclass(frozen=True)
class RuleSet:
    """Every rule and value set staging needs, with labels of systems and sources for messages."""

    vocabulary: Vocabulary
    criteria: tuple[CriterionRule, ...]
    m_rules: tuple[MRule, ...]
    stage_rules: tuple[StageRule, ...]
    node_rules: tuple[NodeRule, ...]
    system_notation: Mapping[str, str]
    system_label: Mapping[str, str]
    source_label: Mapping[str, str]
    node_system: str = NODE_SYSTEM


_VOCAB = """
SELECT ?kind ?code ?term WHERE {
  VALUES (?kind ?class) {
    ("differentiation" pnet:Differentiation) ("subsite" pnet:PrimarySubsite) ("structure" pnet:AdjacentStructure)
    ("functional" pnet:FunctionalStatus) ("node_group" pnet:LymphNodeGroup) ("distant_site" pnet:DistantOrganSite)
    ("sstr" pnet:SomatostatinReceptorStatus) ("progression" pnet:ProgressionStatus)
    ("ki67_site" pnet:Ki67MeasurementSite)
  }
  ?term a ?class ; skos:notation ?code .
}
"""

_FAMILY = "SELECT ?code ?family WHERE { ?s a pnet:PrimarySubsite ; skos:notation ?code ; pnet:inSubsiteFamily/skos:notation ?family }"

_HEPATIC = """
SELECT ?code WHERE {
  ?site a pnet:DistantOrganSite ; skos:notation ?code .
  FILTER(?site = pnet:Liver || EXISTS { ?site pnet:partOf+ pnet:Liver })
}
"""

_UNSPECIFIED = "SELECT ?code WHERE { pnet:DistantMetastasisNOS a pnet:DistantOrganSite ; skos:notation ?code }"

_GRADING_KI67 = "SELECT ?code WHERE { ?s a pnet:Ki67MeasurementSite ; skos:notation ?code ; pnet:gradesPrimary true }"

_CRITERIA = """
SELECT ?rule ?system ?diff ?kind ?variable ?lo ?loInc ?hi ?hiInc ?assigns ?rank ?source
       (GROUP_CONCAT(?structure; separator=" ") AS ?structures)
WHERE {
  ?rule a pnet:CriterionRule ; pnet:underStagingSystem ?system ; pnet:assigns ?cat .
  ?cat skos:notation ?assigns ; pnet:rank ?rank .
  VALUES (?kind ?catClass) { ("grade" pnet:WHOGrade) ("t" pnet:TCategory) ("n" pnet:NCategory) }
  ?cat a ?catClass .
  OPTIONAL { ?rule pnet:forDifferentiation/skos:notation ?diff }
  OPTIONAL { ?rule pnet:onVariable/skos:notation ?variable }
  OPTIONAL { ?rule pnet:lowerBound ?lo } OPTIONAL { ?rule pnet:lowerInclusive ?loInc }
  OPTIONAL { ?rule pnet:upperBound ?hi } OPTIONAL { ?rule pnet:upperInclusive ?hiInc }
  OPTIONAL { ?rule pnet:onInvasionOf/skos:notation ?structure }
  OPTIONAL { ?rule pnet:statedIn ?source }
}
GROUP BY ?rule ?system ?diff ?kind ?variable ?lo ?loInc ?hi ?hiInc ?assigns ?rank ?source
"""

_M = """
SELECT ?rule ?system ?diff ?hep ?extra ?assigns ?rank WHERE {
  ?rule a pnet:MCategoryRule ; pnet:underStagingSystem ?system ; pnet:assigns ?cat .
  ?cat skos:notation ?assigns ; pnet:rank ?rank .
  OPTIONAL { ?rule pnet:forDifferentiation/skos:notation ?diff }
  OPTIONAL { ?rule pnet:requiresHepatic ?hep } OPTIONAL { ?rule pnet:requiresExtrahepatic ?extra }
}
"""

_STAGE = """
SELECT ?rule ?system ?diff ?assigns ?rank ?axis ?allowed WHERE {
  ?rule a pnet:StageGroupRule ; pnet:underStagingSystem ?system ; pnet:assigns ?cat .
  ?cat skos:notation ?assigns ; pnet:rank ?rank .
  OPTIONAL { ?rule pnet:forDifferentiation/skos:notation ?diff }
  VALUES (?axis ?prop) { ("t" pnet:allowsT) ("n" pnet:allowsN) ("m" pnet:allowsM) }
  ?rule ?prop ?cell . ?cell skos:notation ?allowed .
}
"""

_NODES = """
SELECT ?rule ?system ?source ?family ?group ?assigns ?inference WHERE {
  ?rule a pnet:NodeClassificationRule ; pnet:statedIn ?source ;
        pnet:forSubsiteFamily/skos:notation ?family ; pnet:forNodeGroup ?g ; pnet:assigns/skos:notation ?assigns .
  ?g a pnet:LymphNodeGroup ; skos:notation ?group .
  OPTIONAL { ?rule pnet:underStagingSystem ?system }
  OPTIONAL { ?rule pnet:isInference ?inference }
}
"""

_LABELS = """
SELECT ?s ?label ?notation WHERE {
  { ?s a pnet:StagingSystem } UNION { ?s a pnet:Source }
  OPTIONAL { ?s rdfs:label ?label } OPTIONAL { ?s skos:notation ?notation }
}
"""


def _rows(store: ox.Store, query: str) -> list[dict[str, object]]:
    # On pyoxigraph, not rdflib: the same rows as rdflib terms, in a tenth of the time (rdflib took
    # about 0.9 s of every command's start-up here)
    solutions = store.query(sparql_prologue() + query)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: from_ox(row[n]) for n in names} for row in solutions]


def _bool(term: object) -> bool | None:
    return None if term is None else bool(term.toPython())  # type: ignore[attr-defined]


def _str(term: object) -> str | None:
    return None if term is None else str(term)


def _interval(row: Mapping[str, object]) -> Interval | None:
    lo, hi = row.get("lo"), row.get("hi")
    if lo is None and hi is None:
        return None
    return Interval(
        float(lo.toPython()) if lo is not None else -math.inf,  # type: ignore[attr-defined]
        bool(_bool(row.get("loInc"))) if lo is not None else False,
        float(hi.toPython()) if hi is not None else math.inf,  # type: ignore[attr-defined]
        bool(_bool(row.get("hiInc"))) if hi is not None else False,
    )


def _vocabulary(store: ox.Store) -> Vocabulary:
    kinds: dict[str, dict[str, str]] = {}
    for row in _rows(store, _VOCAB):
        kinds.setdefault(str(row["kind"]), {})[str(row["code"])] = str(row["term"])
    family = {str(r["code"]): str(r["family"]) for r in _rows(store, _FAMILY)}
    hepatic = frozenset(str(r["code"]) for r in _rows(store, _HEPATIC))
    return Vocabulary(
        differentiations=kinds.get("differentiation", {}), subsites=kinds.get("subsite", {}), subsite_family=family,
        structures=kinds.get("structure", {}), functional=kinds.get("functional", {}),
        node_groups=kinds.get("node_group", {}), distant_sites=kinds.get("distant_site", {}), hepatic_sites=hepatic,
        sstr=kinds.get("sstr", {}), progression=kinds.get("progression", {}),
        unspecified_sites=frozenset(str(r["code"]) for r in _rows(store, _UNSPECIFIED)),
        ki67_sites=kinds.get("ki67_site", {}),
        grading_ki67_sites=frozenset(str(r["code"]) for r in _rows(store, _GRADING_KI67)),
    )


def rules_from_graph(graph: Graph) -> RuleSet:
    """Read every staging rule and value set of an rdflib ``graph`` (see :func:`rules_from_store`).

    :raises PnetKgError: when the graph holds no grading or staging rules.
    """
    store = ox.Store()  # the queries run on a pyoxigraph copy (see _rows)
    add_graph(store, graph)
    return rules_from_store(store)


def rules_from_store(store: ox.Store) -> RuleSet:
    """Read every staging rule and value set of a pyoxigraph ``store`` (one SPARQL query per table),
    such as a :class:`~pnet_kg.dataset.Dataset`'s.

    :raises PnetKgError: when the store holds no grading or staging rules.
    """
    # each table in IRI order: the same rule set whichever store (and insertion order) it was read from
    criteria = tuple(sorted((
        CriterionRule(
            iri=str(r["rule"]), system=str(r["system"]), differentiation=_str(r.get("diff")),
            dimension=str(r["kind"]),  # type: ignore[arg-type]
            variable=_str(r.get("variable")), range=_interval(r),
            structures=frozenset(str(r["structures"]).split()) if r.get("structures") else frozenset(),
            assigns=str(r["assigns"]), rank=int(r["rank"].toPython()),  # type: ignore[attr-defined]
            source=_str(r.get("source")) or "",
        )
        for r in _rows(store, _CRITERIA)
    ), key=lambda rule: rule.iri))
    m_rules = tuple(sorted((
        MRule(str(r["rule"]), str(r["system"]), _str(r.get("diff")), _bool(r.get("hep")), _bool(r.get("extra")),
              str(r["assigns"]), int(r["rank"].toPython()))  # type: ignore[attr-defined]
        for r in _rows(store, _M)
    ), key=lambda rule: rule.iri))
    axes: dict[str, dict[str, set[str]]] = {}
    heads: dict[str, tuple[str, str | None, str, int]] = {}
    for r in _rows(store, _STAGE):
        rule = str(r["rule"])
        heads[rule] = (str(r["system"]), _str(r.get("diff")), str(r["assigns"]), int(r["rank"].toPython()))  # type: ignore[attr-defined]
        axes.setdefault(rule, {"t": set(), "n": set(), "m": set()})[str(r["axis"])].add(str(r["allowed"]))
    stage_rules = tuple(
        StageRule(rule, s, d, frozenset(axes[rule]["t"]), frozenset(axes[rule]["n"]), frozenset(axes[rule]["m"]), a, k)
        for rule, (s, d, a, k) in sorted(heads.items())
    )
    node_rules = tuple(sorted((
        NodeRule(str(r["rule"]), _str(r.get("system")), str(r["source"]), str(r["family"]), str(r["group"]),
                 str(r["assigns"]), bool(_bool(r.get("inference"))))
        for r in _rows(store, _NODES)
    ), key=lambda rule: rule.iri))
    if not criteria or not stage_rules:
        raise PnetKgError("the graph holds no grading or staging rules (is knowledge/staging-rules.ttl imported?)")
    system_label: dict[str, str] = {}
    system_notation: dict[str, str] = {}
    source_label: dict[str, str] = {}
    for r in _rows(store, _LABELS):
        s = str(r["s"])
        if r.get("label") is not None:
            system_label.setdefault(s, str(r["label"]))
            source_label.setdefault(s, str(r["label"]))
        if r.get("notation") is not None:
            system_notation[s] = str(r["notation"])
    return RuleSet(_vocabulary(store), criteria, m_rules, stage_rules, node_rules,
                   system_notation, system_label, source_label)


@lru_cache(maxsize=1)
def _shipped_rules() -> RuleSet:
    # imported here: the dataset reads case files with these rules (a cycle at module level)
    from .dataset import Dataset

    return rules_from_store(Dataset.open().store)  # the modules bulk-loaded: a tenth of rdflib's load()


def load_rules(graph: Graph | None = None) -> RuleSet:
    """Return the rules of ``graph``, or of the shipped graph (read once per process)."""
    return rules_from_graph(graph) if graph is not None else _shipped_rules()
