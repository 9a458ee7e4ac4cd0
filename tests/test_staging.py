"""Staging by the rules of the graph: the contract's examples, every threshold from both sides, edge cases, invariants."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef

from pnet_kg.cases import Case
from pnet_kg.rules import load_rules, rules_from_graph
from pnet_kg.staging import Stager, StageResult, stage

PNET = "https://w3id.org/pnet-kg/"
DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")


def run(**fields: Any) -> StageResult:
    """Stage a NET of the tail with Ki-67 2 % unless told otherwise (dict input, as the API takes it)."""
    record: dict[str, Any] = {"case_id": "X", "histology": "net", "primary_subsite": "tail", "ki67_percent": "2"}
    record.update({k: v for k, v in fields.items()})
    return stage(record)


# ------------------------------------------------------------------ the contract's four examples
def test_contract_example_a1() -> None:
    # A1,net,tail,25,,4,,none,splenic,2,
    # Ki-67 4 lies in [3, 20] -> G2. 25 mm lies in [20, 40] -> T2. Splenic nodes are regional for a body/tail
    # primary (node table) -> N1. No distant site -> M0. T2 N1 M0: "any T, N1, M0" -> stage III.
    r = stage({"case_id": "A1", "histology": "net", "primary_subsite": "tail", "tumor_size_mm": "25",
               "ki67_percent": "4", "functional_syndrome": "none", "positive_node_groups": "splenic",
               "positive_node_count": "2"})
    assert (r.staging_system, r.grade, r.t, r.n, r.m, r.stage) == ("AJCC8 pancreatic NET", "G2", "T2", "N1", "M0", "III")
    assert r.nodes == "splenic=regional" and r.warnings == ()


def test_contract_example_a2() -> None:
    # A2,net,head,15,,1.5,,insulinoma,,0,liver;bone
    # Ki-67 1.5 < 3 -> G1. 15 mm < 20 -> T1. No node group -> N0. Liver (hepatic) and bone (extrahepatic) -> M1c.
    # Any T, any N, M1c -> stage IV.
    r = stage({"case_id": "A2", "histology": "net", "primary_subsite": "head", "tumor_size_mm": "15",
               "ki67_percent": "1.5", "functional_syndrome": "insulinoma", "positive_node_count": "0",
               "distant_sites": "liver;bone"})
    assert (r.grade, r.t, r.n, r.m, r.stage, r.nodes) == ("G1", "T1", "N0", "M1c", "IV", "")


def test_contract_example_a3() -> None:
    # A3,net,head,30,,12,,none,splenic;portal_vein,3,
    # Ki-67 12 -> G2. 30 mm -> T2. Portal vein nodes are regional for a head primary -> N1; splenic nodes are
    # distant for a head primary -> an extrahepatic metastatic site, no liver -> M1b. M1b -> stage IV.
    r = stage({"case_id": "A3", "histology": "net", "primary_subsite": "head", "tumor_size_mm": "30",
               "ki67_percent": "12", "positive_node_groups": "splenic;portal_vein", "positive_node_count": "3"})
    assert (r.grade, r.t, r.n, r.m, r.stage) == ("G2", "T2", "N1", "M1b", "IV")
    assert r.nodes == "splenic=distant;portal_vein=regional"


def test_contract_example_a4() -> None:
    # A4,net,head,18,,2,25,none,celiac,1,
    # Ki-67 2 says G1 but 25 mitoses (> 20) say G3: the higher grade applies -> G3. 18 mm -> T1.
    # Celiac nodes are distant for a head primary -> no regional node (N0) and an extrahepatic site (M1b) -> IV.
    # UICC 8th lists the celiac nodes as regional for head primaries: a warning names it and both sources.
    r = stage({"case_id": "A4", "histology": "net", "primary_subsite": "head", "tumor_size_mm": "18",
               "ki67_percent": "2", "mitoses_per_2mm2": "25", "positive_node_groups": "celiac",
               "positive_node_count": "1"})
    assert (r.grade, r.t, r.n, r.m, r.stage, r.nodes) == ("G3", "T1", "N0", "M1b", "IV", "celiac=distant")
    assert len(r.warnings) == 1
    w = r.warnings[0]
    assert "celiac" in w and "UICC 8th" in w and "regional" in w
    assert "SEER Extent of Disease 2018" in w and "UICC TNM Classification of Malignant Tumours, 8th edition" in w


def test_output_row_has_exactly_the_contract_fields() -> None:
    assert list(run().as_row()) == ["case_id", "staging_system", "grade", "t", "n", "m", "stage", "nodes", "warnings"]


# ------------------------------------------------------------------ WHO grade thresholds, both sides
@pytest.mark.parametrize(("ki67", "grade"), [("2.99", "G1"), ("3.0", "G2"), ("20.0", "G2"), ("20.1", "G3"),
                                             ("0", "G1"), ("100", "G3")])
def test_ki67_thresholds(ki67: str, grade: str) -> None:
    assert run(ki67_percent=ki67).grade == grade


@pytest.mark.parametrize(("mitoses", "grade"), [("1", "G1"), ("2", "G2"), ("20", "G2"), ("21", "G3"), ("0", "G1")])
def test_mitosis_thresholds(mitoses: str, grade: str) -> None:
    assert run(ki67_percent="", mitoses_per_2mm2=mitoses).grade == grade


def test_higher_grade_applies_both_ways() -> None:
    assert run(ki67_percent="25", mitoses_per_2mm2="1").grade == "G3"
    assert run(ki67_percent="1", mitoses_per_2mm2="5").grade == "G2"


def test_nec_is_graded_by_differentiation_and_staged_by_the_exocrine_chapter() -> None:
    r = run(histology="nec", ki67_percent="5", tumor_size_mm="30", positive_node_groups="splenic",
            positive_node_count="2")
    assert (r.staging_system, r.grade, r.t, r.n, r.m, r.stage) == ("AJCC8 exocrine pancreas", "NEC", "T2", "N1", "M0", "IIB")


# ------------------------------------------------------------------ T thresholds, both chapters
@pytest.mark.parametrize(("size", "t"), [("19.9", "T1"), ("20", "T2"), ("40", "T2"), ("40.1", "T3")])
def test_net_size_thresholds(size: str, t: str) -> None:
    assert run(tumor_size_mm=size).t == t


@pytest.mark.parametrize(("size", "t"), [("20", "T1"), ("20.1", "T2"), ("40", "T2"), ("40.1", "T3")])
def test_exocrine_size_thresholds(size: str, t: str) -> None:
    assert run(histology="nec", tumor_size_mm=size).t == t


def test_invasion_decides_t_when_size_is_unknown() -> None:
    assert run(invaded_structures="duodenum").t == "T3"
    assert run(invaded_structures="spleen").t == "T4"
    assert run(invaded_structures="common_bile_duct", tumor_size_mm="50").t == "T3"
    assert run(invaded_structures="stomach", tumor_size_mm="10").t == "T4"
    assert run(histology="nec", invaded_structures="common_hepatic_artery").t == "T4"
    # duodenal invasion is not a T criterion of the exocrine chapter: size unknown -> TX
    assert run(histology="nec", invaded_structures="duodenum").t == "TX"
    assert run().t == "TX"


# ------------------------------------------------------------------ N and stage, unknowns
@pytest.mark.parametrize(("count", "n", "stage_"), [("3", "N1", "IIB"), ("4", "N2", "III")])
def test_exocrine_node_count_thresholds(count: str, n: str, stage_: str) -> None:
    r = run(histology="nec", tumor_size_mm="15", positive_node_groups="peripancreatic", positive_node_count=count)
    assert (r.n, r.stage) == (n, stage_)


def test_exocrine_regional_nodes_without_count_leave_n_unknown() -> None:
    r = run(histology="nec", tumor_size_mm="15", positive_node_groups="peripancreatic")
    assert (r.n, r.stage) == ("unknown", "unknown")
    # ... unless M1 or T4 decides the stage
    assert run(histology="nec", tumor_size_mm="15", positive_node_groups="peripancreatic",
               distant_sites="lung").stage == "IV"
    assert run(histology="nec", invaded_structures="celiac_axis", positive_node_groups="peripancreatic").stage == "III"


def test_net_count_is_not_needed_for_n1() -> None:
    assert run(tumor_size_mm="10", positive_node_groups="peripancreatic").n == "N1"


def test_tx_n0_m0_is_unknown_but_tx_n1_or_m1_decides() -> None:
    assert (run().t, run().n, run().m, run().stage) == ("TX", "N0", "M0", "unknown")
    assert run(positive_node_groups="celiac").stage == "III"  # celiac is regional for a tail primary
    assert run(distant_sites="liver").stage == "IV"


def test_t4_n0_m0_is_stage_three() -> None:
    assert run(tumor_size_mm="10", invaded_structures="colon").stage == "III"


@pytest.mark.parametrize("subsite", ["neck", "overlapping", "unknown"])
def test_other_family(subsite: str) -> None:
    # the "other" family counts every node group of the first 19 rows as regional, even splenic and portal vein
    r = run(primary_subsite=subsite, tumor_size_mm="10", positive_node_groups="splenic;portal_vein;pelvic")
    assert r.nodes == "splenic=regional;portal_vein=regional;pelvic=distant"
    assert (r.n, r.m, r.stage) == ("N1", "M1b", "IV")


def test_head_family_includes_uncinate() -> None:
    assert run(primary_subsite="uncinate", positive_node_groups="celiac").nodes == "celiac=distant"


def test_other_systems_warn_only_where_they_disagree() -> None:
    cs = run(positive_node_groups="superior_mesenteric")  # regional (SEER 2018), distant in CS v02.05
    assert cs.nodes == "superior_mesenteric=regional"
    assert any("CS v02.05" in w and "Collaborative Stage" in w for w in cs.warnings)
    ss = run(positive_node_groups="celiac")  # regional (AJCC/SEER EOD), distant in SEER Summary Stage 2018
    assert any("SEER Summary Stage 2018" in w for w in ss.warnings)
    assert run(positive_node_groups="peripancreatic").warnings == ()


def test_dataclass_input() -> None:
    r = stage(Case("D1", "net", "body", 45.0, ki67_percent=30.0, distant_sites=("liver",)))
    assert (r.grade, r.t, r.m, r.stage) == ("G3", "T3", "M1a", "IV")


def test_bad_dict_raises_input_error() -> None:
    from pnet_kg.errors import InputError

    with pytest.raises(InputError, match="ki67_percent"):
        run(ki67_percent="101")


# ------------------------------------------------------------------ rules are data
def _copy(graph: Graph) -> Graph:
    g = Graph()
    for triple in graph:
        g.add(triple)
    return g


def test_a_rule_changed_in_the_graph_changes_the_result(graph: Graph) -> None:
    g = _copy(graph)
    g1, g2 = URIRef(PNET + "Rule_WHO2019_G1_ki67"), URIRef(PNET + "Rule_WHO2019_G2_ki67")
    upper, lower = URIRef(PNET + "upperBound"), URIRef(PNET + "lowerBound")
    g.set((g1, upper, Literal(Decimal("5"), datatype=DECIMAL)))
    g.set((g2, lower, Literal(Decimal("5"), datatype=DECIMAL)))
    celiac_head = URIRef(PNET + "Rule_SEER_EOD2018_head_celiac")
    g.set((celiac_head, URIRef(PNET + "assigns"), URIRef(PNET + "Regional")))
    stager = Stager(rules_from_graph(g))
    case = {"case_id": "Y", "histology": "net", "primary_subsite": "head", "ki67_percent": "4",
            "tumor_size_mm": "10", "positive_node_groups": "celiac"}
    before, after = stage(case), stager.stage_case(case)
    assert (before.grade, before.n, before.stage) == ("G2", "N0", "IV")
    assert (after.grade, after.n, after.m, after.stage) == ("G1", "N1", "M0", "III")
    assert after.warnings == ()  # now AJCC/SEER and UICC agree


def test_every_seer_row_is_present_and_attributed(graph: Graph) -> None:
    rules = load_rules()
    seer = [r for r in rules.node_rules if r.system == rules.node_system]
    assert len(seer) == 3 * 28  # 24 rows of the table, and the 4 peripancreatic sub-groups it names
    assert {r.source for r in seer} == {PNET + "Source_SEER_EOD2018"}
    inferred = {(r.family, r.group) for r in seer if r.inference}
    assert inferred == {("body_tail", "common_bile_duct"), ("body_tail", "pyloric"), ("head", "gastroepiploic"),
                        ("head", "porta_hepatis"), ("other", "porta_hepatis")}


# ------------------------------------------------------------------ invariants (hypothesis)
CODES = load_rules().vocabulary
cases = st.builds(
    Case,
    case_id=st.just("H"),
    histology=st.sampled_from(sorted(CODES.differentiations)),
    primary_subsite=st.sampled_from(sorted(CODES.subsites)),
    tumor_size_mm=st.none() | st.floats(min_value=0.1, max_value=150, allow_nan=False),
    invaded_structures=st.lists(st.sampled_from(sorted(CODES.structures)), max_size=2, unique=True).map(tuple),
    ki67_percent=st.floats(min_value=0, max_value=100, allow_nan=False),
    mitoses_per_2mm2=st.none() | st.integers(min_value=0, max_value=60),
    positive_node_groups=st.lists(st.sampled_from(sorted(CODES.node_groups)), max_size=4, unique=True).map(tuple),
    positive_node_count=st.none() | st.integers(min_value=0, max_value=12),
    distant_sites=st.lists(st.sampled_from(sorted(CODES.distant_sites)), max_size=3, unique=True).map(tuple),
)
STAGE_ORDER = {"I": 10, "IA": 11, "IB": 12, "II": 20, "IIA": 21, "IIB": 22, "III": 30, "IV": 40}


@settings(max_examples=300, deadline=None)
@given(cases)
def test_m1_implies_stage_iv(case: Case) -> None:
    r = stage(case)
    if r.m.startswith("M1"):
        assert r.stage == "IV"


@settings(max_examples=300, deadline=None)
@given(cases, st.sampled_from(sorted(CODES.distant_sites)))
def test_adding_a_distant_site_never_lowers_the_stage(case: Case, site: str) -> None:
    before = stage(case)
    more = Case(**{**{f: getattr(case, f) for f in case.__slots__ if f != "line"},  # type: ignore[attr-defined]
                   "distant_sites": tuple(dict.fromkeys((*case.distant_sites, site)))})
    after = stage(more)
    assert after.stage == "IV"
    if before.stage != "unknown":
        assert STAGE_ORDER[after.stage] >= STAGE_ORDER[before.stage]


GRADE_ORDER = {"G1": 1, "G2": 2, "G3": 3, "NEC": 4}


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=0, max_value=100, allow_nan=False), st.floats(min_value=0, max_value=100, allow_nan=False),
       st.none() | st.integers(min_value=0, max_value=60), st.sampled_from(["net", "nec"]))
def test_grade_never_falls_as_ki67_rises(a: float, b: float, mitoses: int | None, histology: str) -> None:
    lo, hi = sorted((a, b))
    g_lo = stage(Case("K", histology, "head", ki67_percent=lo, mitoses_per_2mm2=mitoses)).grade
    g_hi = stage(Case("K", histology, "head", ki67_percent=hi, mitoses_per_2mm2=mitoses)).grade
    assert GRADE_ORDER[g_hi] >= GRADE_ORDER[g_lo]


# ------------------------------------------------------------------ positive nodes with no group named
def test_counted_nodes_without_a_group_are_not_staged_node_negative() -> None:
    # 2 positive nodes, no group: they may be regional (N1, stage III) or distant (N0 M1b, stage IV).
    # Staging N0/stage I would understage; the honest answer is unknown, with a warning.
    r = run(tumor_size_mm="10", positive_node_count="2")
    assert (r.t, r.n, r.m, r.stage) == ("T1", "unknown", "unknown", "unknown")
    assert any("no node group named" in w for w in r.warnings)
    # with a liver metastasis both readings are stage IV (M1a or M1c): the stage is decided, M is not
    r = run(tumor_size_mm="10", positive_node_count="2", distant_sites="liver")
    assert (r.n, r.m, r.stage) == ("unknown", "unknown", "IV")
    # a count of 0 with no group is node-negative
    r = run(tumor_size_mm="10", positive_node_count="0")
    assert (r.n, r.m, r.stage) == ("N0", "M0", "I")


def test_hand_worked_cases_from_the_standards() -> None:
    # Each row worked by hand from staging-and-grading.md (AJCC 8 NET / exocrine chapters, WHO 2019, node table).
    cases = [
        # body NET, size unknown, invades the duodenum: T3 whatever the size; N0 M0 -> II
        (dict(primary_subsite="body", ki67_percent="1", invaded_structures="duodenum"), ("T3", "N0", "M0", "II")),
        # head NET 30 mm invading the spleen: T4 -> T4 N0 M0 is stage III
        (dict(primary_subsite="head", tumor_size_mm="30", ki67_percent="1", invaded_structures="spleen"),
         ("T4", "N0", "M0", "III")),
        # head NET with gastroepiploic nodes: distant for a head primary -> N0 M1b IV
        (dict(primary_subsite="head", tumor_size_mm="10", ki67_percent="1", positive_node_groups="gastroepiploic"),
         ("T1", "N0", "M1b", "IV")),
        # neck ("other" family) with splenic nodes: regional for "other" -> N1 M0 III
        (dict(primary_subsite="neck", tumor_size_mm="10", ki67_percent="1", positive_node_groups="splenic"),
         ("T1", "N1", "M0", "III")),
        # tail NET with common bile duct nodes: distant for body/tail (inference row) -> M1b
        (dict(primary_subsite="tail", tumor_size_mm="5", ki67_percent="1", positive_node_groups="common_bile_duct"),
         ("T1", "N0", "M1b", "IV")),
        # pelvic node plus liver: hepatic and extrahepatic -> M1c
        (dict(primary_subsite="head", tumor_size_mm="10", ki67_percent="1", positive_node_groups="pelvic",
              distant_sites="liver"), ("T1", "N0", "M1c", "IV")),
        # lung only, size unknown, no invasion: TX but M1 decides stage IV
        (dict(primary_subsite="head", ki67_percent="1", distant_sites="lung"), ("TX", "N0", "M1b", "IV")),
        # NEC: exocrine chapter; 50 mm invading the duodenum is T3 by size (duodenum does not raise T there)
        (dict(histology="nec", primary_subsite="head", tumor_size_mm="50", ki67_percent="60",
              invaded_structures="duodenum", positive_node_count="0"), ("T3", "N0", "M0", "IIA")),
        # NEC invading the common hepatic artery: T4 whatever the size -> III
        (dict(histology="nec", primary_subsite="head", tumor_size_mm="10", ki67_percent="60",
              invaded_structures="common_hepatic_artery", positive_node_count="0"), ("T4", "N0", "M0", "III")),
    ]
    for fields, expected in cases:
        r = run(**fields)
        assert (r.t, r.n, r.m, r.stage) == expected, (fields, r)
