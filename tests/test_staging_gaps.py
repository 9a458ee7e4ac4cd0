"""The case model's gaps of issue 15: sub-site C25.4, the peripancreatic sub-groups, the 2 cm line warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from pnet_kg import stage
from pnet_kg.rules import load_rules


def _case(**kw: str) -> dict[str, str]:
    return {"case_id": "A", "histology": "net", "primary_subsite": "head", "ki67_percent": "2", **kw}


def test_islets_c25_4_takes_the_other_node_list_like_c25_9() -> None:
    rules = load_rules()
    assert rules.vocabulary.subsite_family["islets"] == rules.vocabulary.subsite_family["unknown"] == "other"
    # a celiac node: distant for a head primary, regional for the "other" family
    assert stage(_case(primary_subsite="islets", positive_node_groups="celiac")).nodes == "celiac=regional"
    assert stage(_case(primary_subsite="unknown", positive_node_groups="celiac")).nodes == "celiac=regional"
    assert stage(_case(primary_subsite="head", positive_node_groups="celiac")).nodes == "celiac=distant"


@pytest.mark.parametrize("group", ["superior_head_body", "inferior_head_body", "anterior_nos", "posterior_nos"])
@pytest.mark.parametrize("subsite", ["head", "tail", "neck", "islets"])
def test_peripancreatic_sub_groups_are_regional_for_every_family(group: str, subsite: str) -> None:
    r = stage(_case(primary_subsite=subsite, tumor_size_mm="15", positive_node_groups=group))
    assert (r.nodes, r.n, r.m, r.stage) == (f"{group}=regional", "N1", "M0", "III")
    assert r.warnings == ()  # no other system of the graph classifies them


@pytest.mark.parametrize(("size", "t", "warned"), [
    ("19.9", "T1", False), ("20", "T2", True), ("20.0", "T2", True), ("20.1", "T2", False), ("40", "T2", False),
    ("40.1", "T3", False)])
def test_two_centimetre_line_warns_where_ajcc_and_uicc_disagree(size: str, t: str, warned: bool) -> None:
    r = stage(_case(tumor_size_mm=size))
    assert r.t == t
    warning = [w for w in r.warnings if "UICC" in w]
    assert bool(warning) == warned
    if warned:
        assert warning[0].startswith("a tumour of 20 mm is T2 under AJCC8 pancreatic NET but T1 under UICC 8th")


def test_no_size_warning_when_invasion_decides_t_or_for_nec() -> None:
    assert stage(_case(tumor_size_mm="20", invaded_structures="duodenum")).warnings == ()
    assert stage(_case(histology="nec", tumor_size_mm="20")).warnings == ()
    assert stage(_case()).warnings == ()  # size unknown


@pytest.mark.parametrize(("sites", "histology", "m"), [
    ("distant_nos", "net", "M1"),                 # hepatic or extrahepatic: no subcategory
    ("distant_nos;lung", "net", "M1"),            # M1b or M1c
    ("distant_nos;liver", "net", "M1"),           # M1a or M1c
    ("distant_nos;liver;lung", "net", "M1c"),     # both known already: the unspecified site changes nothing
    ("liver", "net", "M1a"),
    ("distant_nos", "nec", "M1"),                 # the exocrine chapter has no subcategories
])
def test_distant_metastasis_nos_is_m1_stage_iv(sites: str, histology: str, m: str) -> None:
    r = stage(_case(histology=histology, tumor_size_mm="10", distant_sites=sites))
    assert (r.m, r.stage) == (m, "IV")


def test_distant_nos_with_a_distant_node_is_m1() -> None:
    r = stage(_case(tumor_size_mm="10", distant_sites="distant_nos", positive_node_groups="para_aortic"))
    assert (r.m, r.stage, r.nodes) == ("M1", "IV", "para_aortic=distant")


def test_distant_nos_is_read_from_the_graph() -> None:
    rules = load_rules()
    assert rules.vocabulary.unspecified_sites == frozenset({"distant_nos"})
    [nos] = [r for r in rules.m_rules if r.requires_hepatic is None and r.requires_extrahepatic is None]
    assert nos.assigns == "M1" and nos.iri.endswith("Rule_AJCC8_NET_M1_nos")


@pytest.mark.parametrize(("site", "mitoses", "grade", "warned"), [
    ("", "", "G2", False),                 # no site: the primary's Ki-67, as before
    ("primary", "", "G2", False),
    ("lymph_node", "", "unknown", True),   # a node's Ki-67 does not grade the primary, no mitoses: unknown
    ("metastasis", "", "unknown", True),
    ("metastasis", "1", "G1", True),       # graded from the mitotic count instead
    ("lymph_node", "21", "G3", True),
])
def test_ki67_of_a_node_or_metastasis_does_not_grade_the_primary(site: str, mitoses: str, grade: str,
                                                                   warned: bool) -> None:
    r = stage(_case(ki67_percent="12", mitoses_per_2mm2=mitoses, ki67_site=site, tumor_size_mm="10"))
    assert r.grade == grade
    assert any("does not grade the primary" in w for w in r.warnings) == warned


def test_ki67_sites_that_grade_the_primary_are_read_from_the_graph() -> None:
    vocab = load_rules().vocabulary
    assert set(vocab.ki67_sites) == {"primary", "lymph_node", "metastasis"}
    assert vocab.grading_ki67_sites == frozenset({"primary"})


def test_ki67_site_header_spelling_and_bad_code(tmp_path: Path) -> None:
    from pnet_kg import InputError, read_cases

    path = tmp_path / "c.csv"
    path.write_text("case_id,histology,primary_subsite,Ki-67,Ki-67 site\nA,net,head,12,Lymph node\n")
    assert read_cases(path).cases[0].ki67_site == "lymph_node"
    path.write_text("case_id,histology,primary_subsite,Ki-67,Ki-67 site\nA,net,head,12,liver\n")
    with pytest.raises(InputError) as err:
        read_cases(path)
    assert (err.value.line, err.value.field) == (2, "ki67_site")
