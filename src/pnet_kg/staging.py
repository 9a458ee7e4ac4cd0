"""Stage tumour cases with the rules of the graph: WHO grade, AJCC 8 T, N, M and stage group, node classes.

The rules are data (:mod:`pnet_kg.rules`); this module only interprets the rule
vocabulary. A variable that is unknown is an interval of possible values, so a
category is reported only when every possible value gives it: ``TX`` for T,
``unknown`` for N and the stage otherwise. Where several rules of one system
match, the category of highest rank applies (the higher grade, the larger T).

>>> r = stage({"case_id": "A1", "histology": "net", "primary_subsite": "tail", "tumor_size_mm": "25",
...            "ki67_percent": "4", "positive_node_groups": "splenic", "positive_node_count": "2"})
>>> (r.grade, r.t, r.n, r.m, r.stage, r.nodes)
('G2', 'T2', 'N1', 'M0', 'III', 'splenic=regional')
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Any

from .cases import Case, check_case, iter_cases, parse_case
from .cases.model import decimal_text
from .dataset import Dataset
from .errors import InputError, PnetKgError
from .guard import as_path, check_type
from .rules import CriterionRule, Interval, NodeRule, RuleSet, load_rules

#: The output fields of the contract, in order.
OUTPUT_FIELDS: tuple[str, ...] = ("case_id", "staging_system", "grade", "t", "n", "m", "stage", "nodes", "warnings")
UNKNOWN = "unknown"
TX = "TX"


@dataclass(frozen=True)
class StageResult:
    """The staging of one case, in the contract's output fields."""

    case_id: str
    staging_system: str
    grade: str
    t: str
    n: str
    m: str
    stage: str
    nodes: str
    warnings: tuple[str, ...] = ()

    def as_row(self) -> dict[str, str]:
        """The contract row (warnings ``;``-separated)."""
        return {"case_id": self.case_id, "staging_system": self.staging_system, "grade": self.grade, "t": self.t,
                "n": self.n, "m": self.m, "stage": self.stage, "nodes": self.nodes,
                "warnings": "; ".join(self.warnings)}


@dataclass
class StagingRun:
    """Results of a file, with the errors of the rows skipped under ``keep_going``."""

    results: list[StageResult]
    errors: list[InputError] = field(default_factory=list)


@dataclass(frozen=True)
class _Decision:
    category: str | None  #: decided category, or None
    candidates: frozenset[str]  #: categories the data leaves possible


def _decide(rules: Sequence[CriterionRule], values: Mapping[str, Interval | None], invaded: frozenset[str],
            unknown_is_anything: bool) -> _Decision:
    """Evaluate criterion rules of one dimension; the highest-ranked certain match wins if nothing above is possible."""
    certain: CriterionRule | None = None
    possible: list[CriterionRule] = []
    for rule in rules:
        if rule.variable is not None and rule.range is not None:
            value = values.get(rule.variable)
            if value is None:
                if not unknown_is_anything:
                    continue
                value = Interval.everything()
            is_certain, is_possible = rule.range.contains(value), rule.range.overlaps(value)
        elif rule.structures:
            # the invaded list is complete (empty means none), so invasion is never uncertain
            is_certain = is_possible = bool(rule.structures & invaded)
        else:
            is_certain = is_possible = True
        if is_possible:
            possible.append(rule)
        if is_certain and (certain is None or rule.rank > certain.rank):
            certain = rule
    floor = certain.rank if certain is not None else -math.inf
    candidates = frozenset(r.assigns for r in possible if r.rank >= floor and (certain is None or r.rank > floor)) | (
        frozenset({certain.assigns}) if certain is not None else frozenset())
    decided = certain.assigns if certain is not None and candidates == {certain.assigns} else None
    return _Decision(decided, candidates)


class Stager:
    """Stages cases with one :class:`RuleSet`; rule lookups are indexed once and repeated sub-results cached."""

    def __init__(self, rules: RuleSet | None = None) -> None:
        self.rules = rules if rules is not None else load_rules()
        r = self.rules
        # A histology is staged by the one system whose stage-group rules cover it. T rules of other
        # systems (UICC 8th draws the 2 cm line elsewhere) do not stage; where their size rows give
        # another T for the case's size, a warning says so (as for node groups).
        self._system: dict[str, str] = {}
        for diff in r.vocabulary.differentiations:
            systems = {s.system for s in r.stage_rules if s.differentiation in (None, diff)}
            if len(systems) > 1:
                raise PnetKgError(f"stage-group rules for histology {diff!r} belong to {len(systems)} staging systems")
            if systems:
                self._system[diff] = systems.pop()
        self._criteria: dict[tuple[str, str], list[CriterionRule]] = {}
        #: (histology, other system) -> its T rules by size
        self._other_sizes: dict[tuple[str, str], list[CriterionRule]] = {}
        for c in r.criteria:
            for diff in ([c.differentiation] if c.differentiation else list(r.vocabulary.differentiations)):
                if c.dimension == "grade" or c.system == self._system.get(diff):
                    self._criteria.setdefault((diff, c.dimension), []).append(c)
                elif c.dimension == "t" and c.variable == "tumor_size_mm":
                    self._other_sizes.setdefault((diff, c.system), []).append(c)
        self._primary: dict[tuple[str, str], NodeRule] = {}
        self._others: dict[tuple[str, str], list[NodeRule]] = {}
        for nr in r.node_rules:
            if nr.system == r.node_system:
                self._primary[(nr.family, nr.group)] = nr
            else:
                self._others.setdefault((nr.family, nr.group), []).append(nr)
        self._grade = lru_cache(maxsize=65536)(self._grade_uncached)
        self._t = lru_cache(maxsize=65536)(self._t_uncached)
        self._stage = lru_cache(maxsize=4096)(self._stage_uncached)
        self._n = lru_cache(maxsize=4096)(self._n_uncached)
        self._size_disagreements = lru_cache(maxsize=65536)(self._size_disagreements_uncached)

    # -- dimensions ---------------------------------------------------------------------------------
    def _grade_uncached(self, diff: str, ki67: float | None, mitoses: int | None) -> str:
        values = {"ki67_percent": None if ki67 is None else Interval.point(ki67),
                  "mitoses_per_2mm2": None if mitoses is None else Interval.point(float(mitoses))}
        # grade uses whichever index is given (the contract needs only one), so an absent one is ignored
        d = _decide(self._criteria.get((diff, "grade"), []), values, frozenset(), unknown_is_anything=False)
        return d.category or UNKNOWN

    def _t_uncached(self, diff: str, size: float | None, invaded: frozenset[str]) -> _Decision:
        size_iv = None if size is None else Interval.point(size)
        return _decide(self._criteria.get((diff, "t"), []), {"tumor_size_mm": size_iv}, invaded,
                       unknown_is_anything=True)

    def _n_uncached(self, diff: str, regional_groups: int, count: int | None) -> _Decision:
        if regional_groups == 0:
            iv = Interval.point(0.0)
        elif count is None:
            # each positive group holds at least one node; the count itself is unknown
            iv = Interval(float(regional_groups), True, math.inf, False)
        else:
            iv = Interval.point(float(max(count, regional_groups)))
        return _decide(self._criteria.get((diff, "n"), []), {"positive_node_count": iv}, frozenset(),
                       unknown_is_anything=True)

    def _m(self, system: str, diff: str, hepatic: bool, extrahepatic: bool) -> str:
        best = None
        for rule in self.rules.m_rules:
            if rule.system != system or (rule.differentiation not in (None, diff)):
                continue
            if rule.requires_hepatic is None and rule.requires_extrahepatic is None:
                continue  # the M of a distant metastasis of unspecified site (see _m_unspecified)
            if rule.requires_hepatic not in (None, hepatic) or rule.requires_extrahepatic not in (None, extrahepatic):
                continue
            if best is None or rule.rank > best.rank:
                best = rule
        return best.assigns if best is not None else UNKNOWN

    def _m_unspecified(self, system: str, diff: str, hepatic: bool, extrahepatic: bool) -> str:
        """M with a distant metastasis of unspecified site: it is hepatic or extrahepatic, so both readings
        are staged; where they differ, the system's rule with neither requirement (M1, no subcategory)."""
        readings = {self._m(system, diff, True, extrahepatic), self._m(system, diff, hepatic, True)}
        if len(readings) == 1:
            return readings.pop()
        nos = [rule for rule in self.rules.m_rules if rule.system == system and rule.differentiation in (None, diff)
               and rule.requires_hepatic is None and rule.requires_extrahepatic is None]
        return max(nos, key=lambda rule: rule.rank).assigns if nos else UNKNOWN

    def _stage_uncached(self, system: str, diff: str, ts: frozenset[str], ns: frozenset[str], m: str) -> str:
        stages: set[str] = set()
        for t, n in product(sorted(ts), sorted(ns)):
            best = None
            for rule in self.rules.stage_rules:
                if rule.system == system and rule.differentiation in (None, diff) and t in rule.t and n in rule.n \
                        and m in rule.m and (best is None or rule.rank > best.rank):
                    best = rule
            if best is None:
                return UNKNOWN
            stages.add(best.assigns)
        return stages.pop() if len(stages) == 1 else UNKNOWN

    # -- one case -----------------------------------------------------------------------------------
    def stage_case(self, case: Case | Mapping[str, Any]) -> StageResult:
        """Stage one case (a :class:`Case` or a dict of contract fields), checked first like a case-file row."""
        if isinstance(case, Case):
            check_case(case, self.rules.vocabulary)  # again: a Case may have been changed after it was made
        elif isinstance(case, Mapping):
            case = parse_case(case, self.rules.vocabulary)
        else:
            raise InputError(f"expected a Case or a dict of case-file fields, not {type(case).__name__}")
        return self.stage_checked(case)

    def stage_checked(self, case: Case) -> StageResult:
        """Stage a case already checked against this stager's vocabulary (by its reader or constructor)."""
        r = self.rules
        diff = case.histology
        system = self._system.get(diff)
        if system is None:
            raise PnetKgError(f"no staging system in the graph has T rules for histology {diff!r}")
        family = r.vocabulary.subsite_family.get(case.primary_subsite, "")
        warnings: list[str] = []
        nodes: list[str] = []
        regional = 0
        distant_nodes = False
        for group in case.positive_node_groups:
            rule = self._primary.get((family, group))
            if rule is None:
                warnings.append(f"no rule of {r.system_notation.get(r.node_system, r.node_system)} classifies "
                                f"{group} nodes for a {case.primary_subsite} primary: ignored")
                continue
            nodes.append(f"{group}={rule.assigns}")
            if rule.assigns == "regional":
                regional += 1
            else:
                distant_nodes = True
            warnings.extend(self._disagreements(rule, case.primary_subsite))
        # a distant site of unspecified location (the site individual with no part of the body: distant_nos)
        unspecified = any(s in r.vocabulary.unspecified_sites for s in case.distant_sites)
        located = [s for s in case.distant_sites if s not in r.vocabulary.unspecified_sites]
        hepatic = any(s in r.vocabulary.hepatic_sites for s in located)
        extrahepatic = distant_nodes or any(s not in r.vocabulary.hepatic_sites for s in located)
        grade, why = self.grade_of(case)
        if why:
            warnings.append(why)
        t = self._t(diff, case.tumor_size_mm, frozenset(case.invaded_structures))
        ts = t.candidates if t.category is None else frozenset({t.category})
        # Positive nodes counted but no group named: they may be regional (N) or distant (M). Both readings
        # are staged; a field is reported only where they agree, otherwise it is unknown.
        unlocated = not case.positive_node_groups and bool(case.positive_node_count)
        readings = [(regional, case.positive_node_count, extrahepatic)]
        if unlocated:
            readings = [(1, case.positive_node_count, extrahepatic), (0, None, True)]
            warnings.append(f"{case.positive_node_count} positive node(s) but no node group named: "
                            "regional or distant cannot be decided")
        if t.category is not None and case.tumor_size_mm is not None:
            warnings.extend(self._size_disagreements(system, diff, case.tumor_size_mm, t.category))
        ns: set[str] = set()
        ms: set[str] = set()
        stages: set[str] = set()
        for regional_groups, count, extra in readings:
            n = self._n(diff, regional_groups, count)
            m = (self._m_unspecified if unspecified else self._m)(system, diff, hepatic, extra)
            ns.add(n.category or UNKNOWN)
            ms.add(m)
            stages.add(self._stage(system, diff, ts, n.candidates if n.category is None else frozenset({n.category}),
                                   m))

        def one(values: set[str]) -> str:
            return values.pop() if len(values) == 1 else UNKNOWN

        return StageResult(
            case_id=case.case_id, staging_system=r.system_notation.get(system, system), grade=grade,
            t=t.category or TX, n=one(ns), m=one(ms), stage=one(stages), nodes=";".join(nodes),
            warnings=tuple(dict.fromkeys(warnings)),
        )

    def grade_of(self, case: Case) -> tuple[str, str | None]:
        """The WHO grade of a checked case, and a warning when its Ki-67 index could not grade the primary.

        A Ki-67 index measured on a lymph-node or distant metastasis (``ki67_site``; which sites grade
        the primary is read from the graph) does not set the primary's grade: the mitotic count does,
        or the grade is unknown.
        """
        site = case.ki67_site
        if site is None or site in self.rules.vocabulary.grading_ki67_sites or case.ki67_percent is None:
            return self._grade(case.histology, case.ki67_percent, case.mitoses_per_2mm2), None
        grade = self._grade(case.histology, None, case.mitoses_per_2mm2)
        basis = "graded from the mitotic count" if case.mitoses_per_2mm2 is not None else "grade unknown"
        return grade, (f"Ki-67 {decimal_text(case.ki67_percent)} % was measured on the {site.replace('_', ' ')}, "
                       f"which does not grade the primary (SEER Ki-67 coding notes): {basis}")

    def _size_disagreements_uncached(self, system: str, diff: str, size: float, t: str) -> tuple[str, ...]:
        """Other systems whose T rows by size give another T for this size (the 2 cm line: AJCC T2, UICC T1).

        Only where size decided T: an invasion rule that raised T is no disagreement about size.
        """
        r = self.rules
        point = {"tumor_size_mm": Interval.point(size)}
        ours = _decide([c for c in self._criteria.get((diff, "t"), []) if c.variable == "tumor_size_mm"], point,
                       frozenset(), unknown_is_anything=False).category
        if ours != t:
            return ()
        found: list[str] = []
        for (d, other), rules in sorted(self._other_sizes.items()):
            if d != diff:
                continue
            theirs = _decide(rules, point, frozenset(), unknown_is_anything=False).category
            if theirs is not None and theirs != ours:
                sources = sorted({r.source_label.get(c.source, c.source) for c in rules if c.assigns == theirs})
                found.append(f"a tumour of {decimal_text(size)} mm is {ours} under {r.system_notation.get(system, system)} "
                       f"but {theirs} under {r.system_notation.get(other, other)}"
                       + (f" (source: {', '.join(sources)})" if sources else ""))
        return tuple(found)

    def _disagreements(self, rule: NodeRule, subsite: str) -> Iterator[str]:
        r = self.rules
        here = r.system_notation.get(rule.system or "", rule.system or "")
        for other in self._others.get((rule.family, rule.group), []):
            if other.assigns == rule.assigns:
                continue
            name = r.system_notation.get(other.system, other.system) if other.system else r.source_label.get(
                other.source, other.source)
            yield (f"{rule.group} nodes are {rule.assigns} for a {subsite} primary under {here} "
                   f"(source: {r.source_label.get(rule.source, rule.source)}) but {other.assigns} under {name} "
                   f"(source: {r.source_label.get(other.source, other.source)})")

    def stage_cases(self, cases: Iterable[Case | Mapping[str, Any]]) -> Iterator[StageResult]:
        """Stage many cases lazily."""
        for case in cases:
            yield self.stage_case(case)


@lru_cache(maxsize=1)
def _default_stager() -> Stager:
    return Stager()


def stage(case: Case | Mapping[str, Any], rules: RuleSet | None = None) -> StageResult:
    """Stage one case given as a :class:`Case` or a dict of contract fields.

    :raises InputError: when a field breaks the contract (a :class:`Case` is checked like a dict).
    """
    check_type(case, (Case, Mapping), "case")
    check_type(rules, RuleSet, "rules", optional=True)
    stager = Stager(rules) if rules is not None else _default_stager()
    return stager.stage_case(case)


def stage_file(path: str | Path, keep_going: bool = False, rules: RuleSet | None = None, *,
               ignore_columns: Iterable[str] | None = None, ignore_unknown_columns: bool | None = None) -> StagingRun:
    """Read, check and stage every case of a CSV or JSON case file.

    ``ignore_columns`` and ``ignore_unknown_columns`` drop columns on purpose, as in :func:`pnet_kg.read_cases`.

    :raises InputError: on the first bad row (missing file, empty file, bad field...) unless ``keep_going``,
        and for a column that is not the contract's.
    """
    path = as_path(path, "path")
    check_type(rules, RuleSet, "rules", optional=True)
    stager = Stager(rules) if rules is not None else _default_stager()
    errors: list[InputError] = []
    cases = iter_cases(path, keep_going=keep_going, errors=errors, vocab=stager.rules.vocabulary,
                       ignore_columns=ignore_columns, ignore_unknown_columns=ignore_unknown_columns)
    results = list(stager.stage_cases(cases))
    return StagingRun(results, errors)


def stage_dataset(dataset: Dataset, rules: RuleSet | None = None) -> StagingRun:
    """Stage every case a :class:`~pnet_kg.dataset.Dataset` read from its case files (no second read);
    ``errors`` are the rows it skipped (``keep_going``)."""
    check_type(rules, RuleSet, "rules", optional=True)
    stager = Stager(rules) if rules is not None else _default_stager()
    # the dataset's reader (or the Case constructor) checked them against the shipped vocabulary; other
    # rules may have another, so their cases are checked again
    run = stager.stage_checked if rules is None else stager.stage_case
    return StagingRun([run(case) for case in dataset.cases], list(dataset.input_errors))
