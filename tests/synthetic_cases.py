"""Synthetic tumour cases in the RDF form of the case contract, some deliberately bad (for validation tests and benchmarks).

Each bad case breaks exactly one rule and says which shape should catch it, so a
test can count the expected results. Grades and stages stated on good cases follow
the WHO 2019 and AJCC 8th edition NET tables of the project reference.
"""

from __future__ import annotations

import random
from collections import Counter

P = "https://w3id.org/pnet-kg/"
CASE = P + "case/"
XSD = "http://www.w3.org/2001/XMLSchema#"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

SUBSITES = ["head", "uncinate", "body", "tail", "neck", "overlapping", "unknown"]
NODE_GROUPS = ["peripancreatic", "celiac", "splenic", "portal_vein", "hepatic", "para_aortic", "pyloric"]
DISTANT = {"liver": "Liver", "lung": "Lung", "bone": "Bone", "peritoneum": "Peritoneum"}
STRUCTURES = ["Duodenum", "CommonBileDuct", "Stomach", "Spleen"]
FUNCTIONAL = ["NonFunctional", "InsulinomaSyndrome", "GastrinomaSyndrome"]

#: bad kind -> the shape (local name under https://w3id.org/pnet-kg/shapes/) that must report it
BAD_KINDS = {
    "ki67_over_100": "TumourCase-ki67",
    "negative_mitoses": "TumourCase-mitoses",
    "zero_size": "TumourCase-size",
    "unknown_subsite": "TumourCase-subsite",
    "no_differentiation": "TumourCase-differentiation",
    "two_ki67": "TumourCase-ki67",
    "no_index": "TumourCase-gradingIndex",
    "grade_too_low": "TumourCase-statedGradeNotLower",
    "grade_too_high": "TumourCase-statedGradeNotHigher",
    "wrong_stage": "TumourCase-stageConsistent",
    "site_twice": "TumourCase-siteListedOnce",
    "site_not_a_site": "Metastasis-siteKind",
    "duplicate_id": "TumourCase-uniqueCaseId",
    "string_mitoses": "TumourCase-mitoses",
}


def _who_grade(ki67: float | None, mitoses: int | None) -> str:
    def grade(x: float | None, g2_from: float, g3_above: float) -> int:
        if x is None:
            return 0
        return 1 if x < g2_from else (2 if x <= g3_above else 3)

    return f"G{max(grade(ki67, 3, 20), grade(mitoses, 2, 20))}"


def _lit(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def synthetic_cases(n: int, seed: int = 1, bad_every: int = 0) -> tuple[str, Counter[str]]:
    """Return ``n`` cases as N-Triples text and the expected result count per shape local name.

    With ``bad_every=k`` every k-th case is bad in one way (kinds in turn); 0 makes all cases good.
    About one case in five states a grade and one in five a stage.
    """
    rng = random.Random(seed)
    lines: list[str] = []
    expected: Counter[str] = Counter()
    kinds = list(BAD_KINDS)
    bad_seen = 0
    for i in range(n):
        kind = None
        if bad_every and i % bad_every == bad_every - 1:
            kind = kinds[bad_seen % len(kinds)]
            bad_seen += 1
            expected[BAD_KINDS[kind]] += 2 if kind == "string_mitoses" else 1
        cid = f"S{i:06d}"
        s = f"<{CASE}{cid}>"

        def add(p: str, o: str) -> None:
            lines.append(f"{s} <{P}{p}> {o} .")

        lines.append(f"{s} <{TYPE}> <{P}TumourCase> .")
        add("caseId", f'"{"S000000" if kind == "duplicate_id" else cid}"')
        poorly = rng.random() < 0.05 and kind not in ("grade_too_low", "grade_too_high", "wrong_stage")
        if kind != "no_differentiation":
            add("hasDifferentiation", f"<{P}{'PoorlyDifferentiated' if poorly else 'WellDifferentiated'}>")
        subsite = "Subsite_nowhere" if kind == "unknown_subsite" else f"Subsite_{rng.choice(SUBSITES)}"
        add("hasPrimarySubsite", f"<{P}{subsite}>")
        add("hasFunctionalStatus", f"<{P}{rng.choice(FUNCTIONAL)}>")
        size = 0 if kind == "zero_size" else round(rng.uniform(3, 80), 1)
        if rng.random() < 0.9 or kind == "zero_size":
            add("tumourSizeMm", _lit(size, "decimal"))
        if rng.random() < 0.1:
            add("invades", f"<{P}{rng.choice(STRUCTURES)}>")
        ki67: float | None = round(rng.choice([rng.uniform(0, 2.9), rng.uniform(3, 20), rng.uniform(20.1, 80)]), 1)
        mitoses: int | None = rng.choice([0, 1, 2, 5, 19, 20, 21, 30])
        if rng.random() < 0.3:
            mitoses = None
        elif rng.random() < 0.2:
            ki67 = None
        if kind == "no_index":
            ki67 = mitoses = None
        if kind == "ki67_over_100":
            ki67 = 130.5
        if kind in ("grade_too_low", "grade_too_high"):
            ki67, mitoses = 10.0, 5
        if ki67 is not None:
            add("ki67Percent", _lit(ki67, "decimal"))
        if kind == "two_ki67":
            if ki67 is None:
                ki67 = 4.5
                add("ki67Percent", _lit(ki67, "decimal"))
            add("ki67Percent", _lit(55.5 if ki67 != 55.5 else 56.5, "decimal"))
        if kind == "negative_mitoses":
            mitoses = -2
        if kind == "string_mitoses":
            add("mitosesPer2mm2", '"many"')
            mitoses = None
        if mitoses is not None:
            add("mitosesPer2mm2", _lit(mitoses, "integer"))
        nodes = rng.sample(NODE_GROUPS, rng.choice([0, 0, 1, 2]))
        distant = rng.sample(sorted(DISTANT), rng.choice([0, 0, 0, 1, 2]))
        sites = [f"NodeGroup_{g}" for g in nodes] + [DISTANT[d] for d in distant]
        if kind == "site_twice":
            sites = ["NodeGroup_celiac", "NodeGroup_celiac"]
        if kind == "site_not_a_site":
            sites = ["Subsite_head"]
        if sites:
            add("positiveNodeCount", _lit(len(nodes) * 2, "integer"))
        for k, site in enumerate(sites, start=1):
            m = f"<{CASE}{cid}/m{k}>"
            add("hasMetastasis", m)
            lines += [f"{m} <{TYPE}> <{P}Metastasis> .", f"{m} <{P}hasSite> <{P}{site}> .",
                      f"{m} <{P}listPosition> {_lit(k, 'integer')} ."]
        if not poorly and kind not in ("no_differentiation", "two_ki67", "ki67_over_100", "negative_mitoses",
                                       "no_index", "string_mitoses") and (rng.random() < 0.2 or kind in (
                                           "grade_too_low", "grade_too_high")):
            grade = _who_grade(ki67, mitoses)
            if kind == "grade_too_low":
                grade = "G1"
            if kind == "grade_too_high":
                grade = "G3"
            add("statedGrade", f"<{P}Grade{grade}>")
        if (not poorly and kind not in ("no_differentiation",) and rng.random() < 0.2) or kind == "wrong_stage":
            t = rng.choice(["T1", "T2", "T3", "T4"])
            n_cat = "N1" if nodes else "N0"
            m_cat = "M1a" if distant else "M0"
            if m_cat != "M0":
                stage = "IV"
            elif n_cat == "N1":
                stage = "III"
            else:
                stage = {"T1": "I", "T2": "II", "T3": "II", "T4": "III"}[t]
            if kind == "wrong_stage":
                if poorly:  # keep the bad case on the NET table
                    lines[:] = [x for x in lines if not (x.startswith(s) and "hasDifferentiation" in x)]
                    add("hasDifferentiation", f"<{P}WellDifferentiated>")
                stage = "I" if stage != "I" else "II"
            add("statedT", f"<{P}{t}>")
            add("statedN", f"<{P}{n_cat}>")
            add("statedM", f"<{P}{m_cat}>")
            add("statedStage", f"<{P}Stage{stage}>")
    if expected.get("TumourCase-uniqueCaseId"):
        expected["TumourCase-uniqueCaseId"] += 1  # the first case shares its identifier too
    return "\n".join(lines) + "\n", expected
