"""Trial populations and guideline categories matched to tumour cases: evidence lookup, not advice.

For each case, every trial of the graph with enrolment criteria (``pnet:EnrolmentCriterion``)
is ``included`` (the case meets every criterion), ``excluded`` (it fails one: the criterion is
named) or ``unknown`` (it fails none, but does not record what a criterion tests, such as the
somatostatin-receptor status). Every guideline recommendation with an NCCN category
(``pnet:guidelineCategory``) for the case's tumour type ``applies``, ``does not apply`` or is
``unknown`` for the case's situation (distant metastasis from staging, progression). The
criteria, their bounds and allowed values, the tumour type a histology code denotes and the
situation a progression code denotes are all read from the graph; this module only
interprets them.

>>> ev = evidence({"case_id": "A1", "histology": "net", "primary_subsite": "tail", "ki67_percent": "12"})
>>> [(t.trial_label, t.status) for t in ev.trials if t.trial_label == "CLARINET"]
[('CLARINET', 'excluded')]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from rdflib import Graph

from .cases import Case, check_case, iter_cases, parse_case
from .cases.model import decimal_text
from .dataset import Dataset
from .errors import InputError
from .guard import as_path, check_type
from .load import load
from .prefixes import sparql_prologue
from .rules import Interval
from .staging import UNKNOWN, Stager

#: Said at the head of every output: what the command is, and what it is not.
NOTICE = ("Evidence lookup for researchers, not a treatment recommendation: which trial populations a case "
          "falls within or outside, and which guideline categories were stated for its situation.")
#: The output rows, in order.
OUTPUT_FIELDS: tuple[str, ...] = ("case_id", "kind", "source", "status", "category", "therapy", "reason")

TrialStatus = Literal["included", "excluded", "unknown"]
GuidelineStatus = Literal["applies", "does not apply", "unknown"]


@dataclass(frozen=True)
class Criterion:
    """One enrolment criterion of a trial: a case field with allowed codes, or a variable in a range."""

    iri: str
    trial: str
    field: str  #: case-file field (or ``grade``, from staging) it tests
    allowed: frozenset[str]  #: allowed codes (empty for a range)
    range: Interval | None
    statement: str

    @property
    def requirement(self) -> str:
        """What the criterion requires, short: ``ki67_percent < 10``, ``{G1, G2}``."""
        if self.range is None:
            return "{" + ", ".join(sorted(self.allowed)) + "}"
        r = self.range
        lo = "" if math.isinf(r.lo) else f"{decimal_text(r.lo)} {'<=' if r.lo_inclusive else '<'} "
        hi = "" if math.isinf(r.hi) else f" {'<=' if r.hi_inclusive else '<'} {decimal_text(r.hi)}"
        return f"{lo}{self.field}{hi}"


@dataclass(frozen=True)
class Recommendation:
    """A guideline recommendation with an NCCN category, for a tumour type in a situation."""

    iri: str
    source: str  #: label of the guideline it rests on (or of the work stating it)
    therapy: str
    category: str  #: NCCN category notation (1, 2A, 2B, 3)
    differentiations: frozenset[str]  #: histology codes denoting its tumour type
    progression: str | None  #: progression code its situation requires (``None``: any)
    condition: str | None  #: a further condition of the situation, in the guideline's words
    statement: str


@dataclass(frozen=True)
class TrialMatch:
    """Whether a case lies within a trial's enrolled population, and why not (or why undecided)."""

    trial: str
    trial_label: str
    status: TrialStatus
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class GuidelineMatch:
    """Whether a guideline recommendation was stated for the case's situation."""

    recommendation: str
    source: str
    therapy: str
    category: str
    status: GuidelineStatus
    reason: str


@dataclass(frozen=True)
class CaseEvidence:
    """The trials and guideline categories of one case."""

    case_id: str
    trials: tuple[TrialMatch, ...]
    guidelines: tuple[GuidelineMatch, ...]

    def rows(self) -> list[dict[str, str]]:
        """The output rows of the case (one a trial, one a recommendation)."""
        out = [{"case_id": self.case_id, "kind": "trial", "source": t.trial_label, "status": t.status,
                "category": "", "therapy": "", "reason": "; ".join(t.reasons)} for t in self.trials]
        out += [{"case_id": self.case_id, "kind": "guideline", "source": g.source, "status": g.status,
                 "category": g.category, "therapy": g.therapy, "reason": g.reason} for g in self.guidelines]
        return out


@dataclass
class EvidenceRun:
    """Results of a file, with the errors of the rows skipped under ``keep_going``."""

    results: list[CaseEvidence]
    errors: list[InputError] = field(default_factory=list)


_CRITERIA = """
SELECT ?criterion ?trial ?trialLabel ?field ?code ?part ?lo ?loInc ?hi ?hiInc ?statement WHERE {
  ?criterion a pnet:EnrolmentCriterion ; pnet:forTrial ?trial ; pnet:onFeature|pnet:onVariable ?feature .
  ?feature skos:notation ?field .
  OPTIONAL { ?trial skos:notation ?notation } OPTIONAL { ?trial rdfs:label ?label }
  # the short name before the colon of the label ("CLARINET: lanreotide vs placebo ...")
  BIND(COALESCE(?notation, IF(CONTAINS(?label, ":"), STRBEFORE(?label, ":"), ?label), STR(?trial)) AS ?trialLabel)
  OPTIONAL { ?criterion pnet:statement ?statement }
  OPTIONAL { ?criterion pnet:allowsValue ?allowed .
             OPTIONAL { ?allowed skos:notation ?code }
             # an allowed anatomical site admits every primary sub-site that is part of it
             OPTIONAL { ?sub a pnet:PrimarySubsite ; pnet:partOf+ ?allowed ; skos:notation ?part } }
  OPTIONAL { ?criterion pnet:lowerBound ?lo } OPTIONAL { ?criterion pnet:lowerInclusive ?loInc }
  OPTIONAL { ?criterion pnet:upperBound ?hi } OPTIONAL { ?criterion pnet:upperInclusive ?hiInc }
}
"""

_RECOMMENDATIONS = """
SELECT ?claim ?sourceLabel ?therapy ?category ?diff ?progression ?condition ?statement WHERE {
  ?claim pnet:guidelineCategory/skos:notation ?category ; pnet:indication ?situation ;
         pnet:claimObject ?tumour ; pnet:claimSubject ?subject .
  ?subject rdfs:label ?therapy .
  OPTIONAL { ?claim pnet:statement ?statement } OPTIONAL { ?claim pnet:condition ?condition }
  OPTIONAL { ?claim pnet:restsOn ?rests . ?rests rdfs:label ?restsLabel }
  ?claim pnet:statedIn ?stated . OPTIONAL { ?stated rdfs:label ?statedLabel }
  BIND(COALESCE(?restsLabel, ?statedLabel, STR(?stated)) AS ?fullLabel)
  BIND(IF(CONTAINS(?fullLabel, ":"), STRBEFORE(?fullLabel, ":"), ?fullLabel) AS ?sourceLabel)
  # the histology code whose tumour type the recommendation is for
  ?d a pnet:Differentiation ; skos:notation ?diff ; rdfs:seeAlso ?type .
  ?tumour rdfs:subClassOf* ?type .
  # a situation of progression or stability names the progression code it requires
  OPTIONAL { ?p a pnet:ProgressionStatus ; rdfs:seeAlso ?situation ; skos:notation ?progression }
}
"""


def _interval(row: Mapping[str, Any]) -> Interval | None:
    lo, hi = row.get("lo"), row.get("hi")
    if lo is None and hi is None:
        return None
    return Interval(float(lo.toPython()) if lo is not None else -math.inf,
                    bool(row["loInc"].toPython()) if lo is not None and row.get("loInc") is not None else False,
                    float(hi.toPython()) if hi is not None else math.inf,
                    bool(row["hiInc"].toPython()) if hi is not None and row.get("hiInc") is not None else False)


def _rows(graph: Graph, query: str) -> list[dict[str, Any]]:
    result = graph.query(sparql_prologue() + query)
    names = [str(v) for v in result.vars or ()]
    return [{k: v for k, v in zip(names, row) if v is not None} for row in result]  # type: ignore[arg-type]


class EvidenceMatcher:
    """Matches cases to the trial populations and guideline recommendations of one graph.

    >>> m = EvidenceMatcher()
    >>> sorted({t.trial_label for t in m.match(Case("A1", "net", "head", ki67_percent=4)).trials})
    ['CLARINET', 'RADIANT-3', 'Sunitinib phase III trial in pNET (placebo-controlled)']
    """

    def __init__(self, graph: Graph | None = None, stager: Stager | None = None) -> None:
        graph = graph if graph is not None else load()
        self.stager = stager if stager is not None else Stager()
        allowed: dict[str, set[str]] = {}
        heads: dict[str, tuple[str, str, Interval | None, str]] = {}
        self.trial_label: dict[str, str] = {}
        for r in _rows(graph, _CRITERIA):
            iri = str(r["criterion"])
            heads[iri] = (str(r["trial"]), str(r["field"]), _interval(r), str(r.get("statement", iri)))
            self.trial_label[str(r["trial"])] = str(r["trialLabel"])
            codes = allowed.setdefault(iri, set())
            for key in ("code", "part"):
                if key in r:
                    codes.add(str(r[key]))
        self.criteria: dict[str, list[Criterion]] = {}
        for iri, (trial, name, rng, statement) in sorted(heads.items()):
            self.criteria.setdefault(trial, []).append(
                Criterion(iri, trial, name, frozenset(allowed[iri]), rng, statement))
        recs: dict[str, tuple[str, str, str, str | None, str | None, str]] = {}
        diffs: dict[str, set[str]] = {}
        for r in _rows(graph, _RECOMMENDATIONS):
            iri = str(r["claim"])
            recs[iri] = (str(r["sourceLabel"]), str(r["therapy"]), str(r["category"]),
                         str(r["progression"]) if "progression" in r else None,
                         str(r["condition"]) if "condition" in r else None, str(r.get("statement", iri)))
            diffs.setdefault(iri, set()).add(str(r["diff"]))
        self.recommendations = tuple(Recommendation(iri, s, t, c, frozenset(diffs[iri]), p, cond, st)
                                     for iri, (s, t, c, p, cond, st) in sorted(recs.items()))
        self._ranged = tuple((c, c.range) for cs in self.criteria.values() for c in cs if c.range is not None)
        # a range criterion on a field the case model lacks is undecided (getattr gives None)
        self._ranged_fields = tuple((c.field, rng) for c, rng in self._ranged)
        self._match = lru_cache(maxsize=65536)(self._match_key)
        self._m = lru_cache(maxsize=65536)(self._m_uncached)

    def match(self, case: Case | Mapping[str, Any]) -> CaseEvidence:
        """The trials and guideline categories of one case (a :class:`Case` or a dict of contract fields)."""
        vocab = self.stager.rules.vocabulary
        if isinstance(case, Case):
            check_case(case, vocab)
        elif isinstance(case, Mapping):
            case = parse_case(case, vocab)
        else:
            raise InputError(f"expected a Case or a dict of case-file fields, not {type(case).__name__}")
        return self._match_checked(case)

    def _match_checked(self, case: Case) -> CaseEvidence:
        trials, guidelines = self._match(self._key(case))
        return CaseEvidence(case.case_id, trials, guidelines)

    def _key(self, case: Case) -> tuple[Any, ...]:
        """What the criteria and recommendations can tell apart: many cases share one key, so one answer."""
        grade = self.stager.grade_of(case)[0]
        # M depends only on the histology, the sub-site's node table, the node groups and distant sites and,
        # without a named group, on whether nodes were counted (staged once per distinct combination)
        unlocated = not case.positive_node_groups and bool(case.positive_node_count)
        m = self._m(case.histology, case.primary_subsite, frozenset(case.positive_node_groups),
                    frozenset(case.distant_sites), unlocated)
        inside = tuple(None if (v := getattr(case, name, None)) is None else rng.includes(float(v))
                       for name, rng in self._ranged_fields)
        return (case.histology, case.primary_subsite, case.functional_syndrome, case.somatostatin_receptor_status,
                case.progression, grade, m, inside)

    def _m_uncached(self, histology: str, subsite: str, groups: frozenset[str], sites: frozenset[str],
                    unlocated: bool) -> str:
        # M does not depend on the order of groups and sites: sorted, so that one probe serves every order
        probe = Case("probe", histology, subsite, ki67_percent=0.0, positive_node_groups=tuple(sorted(groups)),
                     distant_sites=tuple(sorted(sites)), positive_node_count=1 if unlocated else None)
        return self.stager.stage_checked(probe).m

    def _match_key(self, key: tuple[Any, ...]) -> tuple[tuple[TrialMatch, ...], tuple[GuidelineMatch, ...]]:
        histology, subsite, functional, sstr, progression, grade, m, inside = key
        values: dict[str, object] = {
            "histology": histology, "primary_subsite": subsite, "functional_syndrome": functional,
            "somatostatin_receptor_status": sstr, "progression": progression,
            "grade": None if grade == UNKNOWN else grade}
        ranged = {c: met for (c, _), met in zip(self._ranged, inside)}
        trials = []
        for trial, criteria in sorted(self.criteria.items(), key=lambda kv: self.trial_label[kv[0]]):
            failed: list[str] = []
            unknown: list[str] = []
            for c in criteria:
                if c.range is not None:
                    met = ranged[c]
                    requirement = f"requires {c.requirement}"
                else:
                    value = values.get(c.field)
                    met = None if value is None else value in c.allowed
                    requirement = f"{c.field}={value}, requires {c.field} in {c.requirement}"
                if met is None:
                    unknown.append(f"{c.field} not recorded")
                elif not met:
                    failed.append(requirement)
            verdict: TrialStatus = "excluded" if failed else "unknown" if unknown else "included"
            trials.append(TrialMatch(trial, self.trial_label[trial], verdict, tuple(failed or unknown)))
        guidelines = []
        distant = m not in (UNKNOWN, "M0")
        for rec in self.recommendations:
            if histology not in rec.differentiations:
                continue  # a recommendation for another tumour type
            status: GuidelineStatus
            if rec.progression is not None and progression is not None and progression != rec.progression:
                status, reason = "does not apply", f"for {rec.progression} disease; case {progression}"
            elif not distant:
                status, reason = "unknown", f"{m}: for unresectable or metastatic disease; resectability not recorded"
            elif rec.progression is not None and progression is None:
                status, reason = "unknown", f"for {rec.progression} disease; progression not recorded"
            else:
                status, reason = "applies", f"{m}" + (f", {progression}" if rec.progression else "")
                if rec.condition:
                    reason += f"; check: {rec.condition}"
            guidelines.append(GuidelineMatch(rec.iri, rec.source, rec.therapy, rec.category, status, reason))
        return tuple(trials), tuple(guidelines)

    def match_cases(self, cases: Iterable[Case | Mapping[str, Any]]) -> Iterator[CaseEvidence]:
        """Match many cases lazily."""
        for case in cases:
            yield self.match(case)


@lru_cache(maxsize=1)
def _default_matcher() -> EvidenceMatcher:
    return EvidenceMatcher()


def evidence(case: Case | Mapping[str, Any]) -> CaseEvidence:
    """The trial populations and guideline categories of one case (evidence lookup, not a recommendation).

    :raises InputError: when a field breaks the contract.
    """
    check_type(case, (Case, Mapping), "case")
    return _default_matcher().match(case)


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',"\r\n') else text


def render_csv(results: Iterable[CaseEvidence]) -> str:
    """The rows of ``results`` as CSV (header first), as ``render_table(..., "csv")`` writes them.

    Many cases share one answer (one cached tuple of matches), so the text after the case
    identifier is made once per answer: 100,000 cases write in well under a second.
    """
    done: dict[tuple[int, int], tuple[object, object, str]] = {}  # ids -> (answer, kept so ids stay unique; template)
    out = [",".join(OUTPUT_FIELDS) + "\n"]
    for result in results:
        key = (id(result.trials), id(result.guidelines))
        hit = done.get(key)
        if hit is None:
            rows = CaseEvidence("", result.trials, result.guidelines).rows()
            tails = ["," + ",".join(_csv_cell(row[f]) for f in OUTPUT_FIELDS[1:]) + "\n" for row in rows]
            # one %-template for every row of the answer: the case identifier goes in front of each
            hit = done[key] = (result.trials, result.guidelines,
                               "".join("%(c)s" + tail.replace("%", "%%") for tail in tails))
        out.append(hit[2] % {"c": _csv_cell(result.case_id)})
    return "".join(out)


def evidence_file(path: str | Path, keep_going: bool = False, *, ignore_columns: Iterable[str] | None = None,
                  ignore_unknown_columns: bool | None = None) -> EvidenceRun:
    """Read, check and match every case of a CSV or JSON case file.

    :raises InputError: on the first bad row unless ``keep_going``, and for a column that is not the contract's.
    """
    path = as_path(path, "path")
    matcher = _default_matcher()
    errors: list[InputError] = []
    cases = iter_cases(path, keep_going=keep_going, errors=errors, vocab=matcher.stager.rules.vocabulary,
                       ignore_columns=ignore_columns, ignore_unknown_columns=ignore_unknown_columns)
    return EvidenceRun([matcher._match_checked(case) for case in cases], errors)


def evidence_dataset(dataset: Dataset) -> EvidenceRun:
    """Match every case a :class:`~pnet_kg.dataset.Dataset` read from its case files (checked by its
    reader: not again); ``errors`` are the rows it skipped (``keep_going``)."""
    check_type(dataset, Dataset, "dataset")
    matcher = _default_matcher()
    return EvidenceRun([matcher._match_checked(case) for case in dataset.cases], list(dataset.input_errors))
