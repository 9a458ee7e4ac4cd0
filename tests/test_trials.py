"""Issue 15: trials, guidelines, reviews and an approval as sources; their typed results, NCCN
categories, support links, liver-directed options and trial enrolment criteria as data.

Every figure pinned here is one stated in the project reference therapy-evidence.md.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

import pnet_kg

PNET = "https://w3id.org/pnet-kg/"
OBO = "http://purl.obolibrary.org/obo/"


def p(name: str) -> URIRef:
    return URIRef(PNET + name)


def value(graph: Graph, subject: str, prop: str) -> object:
    term = graph.value(p(subject), p(prop))
    return term.toPython() if isinstance(term, Literal) else term


SOURCES = {
    "Source_RADIANT3": ("randomised_controlled_trial", "PMC5791842"),
    "Source_SunitinibPhase3": ("randomised_controlled_trial", "reported in Cancer Discov 2011;1(1):OF4"),
    "Source_CLARINET": ("randomised_controlled_trial", "N Engl J Med 2014;371:224"),
    "Source_CancerDiscov2011": ("journal_item", "Cancer Discov 2011;1(1):OF4"),
    "Source_NCCN2012": ("clinical_practice_guideline", "as tabulated in AJR 2013;201:811-824, Table 3 (PMC3970265)"),
    "Source_AJR2013": ("journal_item", "AJR 2013;201:811-824; PMC3970265"),
    "Source_NCCN2015": ("clinical_practice_guideline", "J Natl Compr Canc Netw 2015;13(1):78"),
    "Source_Cancers2022": ("peer_reviewed_review", "Cancers 2022;14:2028; PMC9030061"),
    "Source_LewisHubbard2011": ("peer_reviewed_review", "Int J Hepatol 2011:452343"),
    "Source_WJSO2018": ("peer_reviewed_review", "PMC6046097"),
    "Source_FDA2018_Lu177Dotatate": ("regulatory_approval", "NCI drug information page, lutetium Lu 177 dotatate"),
}


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_each_work_is_a_source_with_kind_date_and_identifier(graph: Graph, source: str) -> None:
    kind, identifier = SOURCES[source]
    assert (p(source), RDF.type, p("Source")) in graph
    assert graph.value(p(source), p("hasSourceKind")) == p(f"SourceKind_{kind}")
    assert str(graph.value(p(source), p("stableIdentifier"))) == identifier
    assert graph.value(p(source), p("dateNote")) is not None
    # every new source backs a claim: it states one, or one rests on it
    assert any(graph.subjects(p("statedIn"), p(source))) or any(graph.subjects(p("restsOn"), p(source)))


def test_publication_years_are_those_of_the_citations(graph: Graph) -> None:
    years = {s: value(graph, s, "publicationDate") for s in SOURCES}
    assert {s: d.year for s, d in years.items() if d is not None} == {  # type: ignore[attr-defined]
        "Source_CLARINET": 2014, "Source_CancerDiscov2011": 2011, "Source_NCCN2012": 2012, "Source_AJR2013": 2013,
        "Source_NCCN2015": 2015, "Source_Cancers2022": 2022, "Source_LewisHubbard2011": 2011, "Source_WJSO2018": 2018,
        "Source_FDA2018_Lu177Dotatate": 2018}
    # the reference gives no date for these two: a date note says so, and no date is made up
    assert years["Source_RADIANT3"] is None and years["Source_SunitinibPhase3"] is None


def test_radiant3_overall_survival_hazard_ratio_and_crossover(graph: Graph) -> None:
    assert (value(graph, "Claim_RADIANT3_01", "sampleSize"), value(graph, "Claim_RADIANT3_02", "sampleSize"),
            value(graph, "Claim_RADIANT3_03", "sampleSize")) == (410, 207, 203)
    assert value(graph, "Claim_RADIANT3_02", "inArm") == p("Arm_RADIANT3_everolimus")
    regimen = graph.value(p("Claim_RADIANT3_02"), p("hasRegimen"))
    assert (graph.value(regimen, p("doseAmount")).toPython(), graph.value(regimen, p("intervalValue")).toPython(),  # type: ignore[union-attr]
            graph.value(regimen, p("intervalUnit"))) == (Decimal(10), Decimal(1), p("Unit_day"))
    assert (value(graph, "Claim_RADIANT3_04", "value"), value(graph, "Claim_RADIANT3_04", "unit"),
            value(graph, "Claim_RADIANT3_04", "inArm")) == (Decimal("44.0"), p("Unit_month"), p("Arm_RADIANT3_everolimus"))
    assert (value(graph, "Claim_RADIANT3_05", "value"), value(graph, "Claim_RADIANT3_05", "inArm")) == (
        Decimal("37.7"), p("Arm_RADIANT3_placebo"))
    hr = "Claim_RADIANT3_06"
    assert value(graph, hr, "claimAspect") == p("Aspect_hazard_ratio_overall_survival")
    assert (value(graph, hr, "value"), value(graph, hr, "pValue")) == (Decimal("0.94"), Decimal("0.30"))
    assert (value(graph, hr, "experimentalArm"), value(graph, hr, "controlArm")) == (
        p("Arm_RADIANT3_everolimus"), p("Arm_RADIANT3_placebo"))
    assert value(graph, hr, "ciLower") is None, "the reference gives no confidence interval for the OS hazard ratio"
    assert (value(graph, "Claim_RADIANT3_07", "value"), value(graph, "Claim_RADIANT3_07", "unit"),
            value(graph, "Claim_RADIANT3_07", "inArm")) == (Decimal("0.85"), p("Unit_proportion"), p("Arm_RADIANT3_placebo"))
    for n in range(1, 8):
        assert value(graph, f"Claim_RADIANT3_{n:02d}", "evidenceCode") == URIRef(OBO + "ECO_0007121")


def test_radiant3_progression_free_survival_is_reported_second_hand(graph: Graph) -> None:
    figures = {c: (value(graph, c, "value"), value(graph, c, "inArm"), value(graph, c, "restsOn"))
               for c in ("Claim_CancerDiscov2011_01", "Claim_CancerDiscov2011_02", "Claim_CancerDiscov2011_03")}
    assert figures == {
        "Claim_CancerDiscov2011_01": (Decimal("4.6"), p("Arm_RADIANT3_placebo"), p("Source_RADIANT3")),
        "Claim_CancerDiscov2011_02": (Decimal("11.0"), p("Arm_RADIANT3_everolimus"), p("Source_RADIANT3")),
        "Claim_CancerDiscov2011_03": (Decimal("6.4"), None, p("Source_RADIANT3")),
    }
    for claim in figures:
        assert value(graph, claim, "evidenceCode") == URIRef(OBO + "ECO_0006017")
        assert value(graph, claim, "unit") == p("Unit_month")


def test_sunitinib_trial_figures_and_what_is_read_into_them(graph: Graph) -> None:
    assert value(graph, "Claim_CancerDiscov2011_04", "sampleSize") == 171
    assert (value(graph, "Claim_CancerDiscov2011_05", "value"), value(graph, "Claim_CancerDiscov2011_06", "value")) == (
        Decimal("5.5"), Decimal("11.4"))
    # the reference does not say "median": the graph says that this is its reading
    assert value(graph, "Claim_CancerDiscov2011_05", "isInference") is True
    assert value(graph, "Claim_CancerDiscov2011_07", "timing") == "2011"


def test_clarinet_arms_hazard_ratio_with_confidence_interval(graph: Graph) -> None:
    assert (value(graph, "Claim_CLARINET_01", "sampleSize"), value(graph, "Claim_CLARINET_02", "sampleSize")) == (101, 103)
    regimen = graph.value(p("Claim_CLARINET_01"), p("hasRegimen"))
    assert (graph.value(regimen, p("regimenDrug")), graph.value(regimen, p("doseAmount")).toPython(),  # type: ignore[union-attr]
            graph.value(regimen, p("intervalValue")).toPython(), graph.value(regimen, p("intervalUnit"))) == (  # type: ignore[union-attr]
        p("Lanreotide"), Decimal(120), Decimal(28), p("Unit_day"))
    hr = "Claim_CLARINET_03"
    assert value(graph, hr, "claimAspect") == p("Aspect_hazard_ratio_progression_free_survival")
    assert [value(graph, hr, prop) for prop in ("value", "ciLower", "ciUpper", "confidenceLevel")] == [
        Decimal("0.47"), Decimal("0.30"), Decimal("0.73"), Decimal("0.95")]
    assert (value(graph, "Claim_CLARINET_04", "value"), value(graph, "Claim_CLARINET_05", "value")) == (
        Decimal("0.651"), Decimal("0.330"))
    assert value(graph, "Claim_CLARINET_04", "timing") == "24 months"
    assert value(graph, "Claim_CLARINET_06", "value") == Decimal("0.33")


def test_nccn_categories_are_a_value_set_defined_by_nccn_2015(graph: Graph) -> None:
    members = set(graph.subjects(RDF.type, p("GuidelineCategory")))
    assert {str(graph.value(m, URIRef("http://www.w3.org/2004/02/skos/core#notation"))) for m in members} == {
        "1", "2A", "2B", "3"}
    defined = {graph.value(c, p("claimSubject")) for c in graph.subjects(p("statedIn"), p("Source_NCCN2015"))}
    assert defined == members
    assert "uniform" in str(graph.value(p("NCCN_2A"), URIRef(OBO + "IAO_0000115")))
    assert "major" in str(graph.value(p("NCCN_3"), URIRef(OBO + "IAO_0000115")))


NCCN2012 = {  # (therapy, pNET category, GI NET category) per AJR 2013 Table 3
    "CurativeResection": ("2A", "2A"), "Observation": ("2A", "2A"), "Octreotide": ("2B", "2A"),
    "TargetedTherapy": ("2A", "3"), "Chemotherapy": ("2A", "3"), "LiverDirectedTherapy": ("2B", "2B"),
}


def test_nccn_2012_categories_per_situation_and_tumour_type(graph: Graph) -> None:
    table: dict[str, dict[str, str]] = {}
    for claim in graph.subjects(p("statedIn"), p("Source_AJR2013")):
        category = graph.value(claim, p("guidelineCategory"))
        assert graph.value(claim, p("restsOn")) == p("Source_NCCN2012")
        assert graph.value(claim, p("evidenceCode")) == URIRef(OBO + "ECO_0000033")
        if category is None:
            continue
        therapy = str(graph.value(claim, p("claimSubject"))).removeprefix(PNET)
        tumour = str(graph.value(claim, p("claimObject"))).removeprefix(PNET)
        table.setdefault(therapy, {})[tumour] = str(category).removeprefix(PNET + "NCCN_")
        assert graph.value(claim, p("indication")) is not None
    assert {t: (c["PancreaticNeuroendocrineTumour"], c["GastrointestinalNeuroendocrineTumour"])
            for t, c in table.items()} == NCCN2012


def test_therapies_query_shows_the_category() -> None:
    rows = pnet_kg.query("therapies", situation="pnet:ProgressiveDisease",
                         tumour_type="pnet:PancreaticNeuroendocrineTumour", therapy="pnet:Octreotide").rows
    assert {(r["claim"], r["category"]) for r in rows if r["source"] == "pnet:Source_AJR2013"} == {
        ("pnet:Claim_AJR2013_05", "pnet:NCCN_2B")}


def test_evidence_hand_shows_a_document_claim_reaching_a_trial() -> None:
    rows = pnet_kg.query("evidence-hand", source="pnet:Source_001").rows
    reached = {(r["supported_by"], r["reaches"]) for r in rows if r["claim"] == "pnet:Claim_001_12"}
    assert reached == {("pnet:Claim_CancerDiscov2011_03", "pnet:Source_RADIANT3"),
                       ("pnet:Claim_CancerDiscov2011_08", "pnet:Source_CancerDiscov2011")}
    lanreotide = {r["reaches"] for r in rows if r["claim"] == "pnet:Claim_001_09"}
    assert lanreotide == {"pnet:Source_CLARINET"}


def test_support_links_go_from_the_five_documents_to_the_new_works(graph: Graph) -> None:
    links = list(graph.subject_objects(p("supportedBy")))
    assert len(links) >= 20
    for claim, support in links:
        source = str(graph.value(claim, p("statedIn")))
        assert source.removeprefix(PNET) in {f"Source_00{n}" for n in range(5)}
        assert str(graph.value(support, p("statedIn"))).removeprefix(PNET) in SOURCES


def test_unsupported_therapy_claims() -> None:
    rows = pnet_kg.query("therapy-claims-unsupported").rows
    claims = {r["claim"] for r in rows}
    assert "pnet:Claim_002_61" in claims  # radiofrequency ablation as an option: no cited or linked support
    assert "pnet:Claim_001_12" not in claims  # everolimus: supported by RADIANT-3 through Cancer Discovery
    assert "pnet:Claim_001_02" not in claims  # rests on ESMO 2020
    assert not claims & {"pnet:Claim_CLARINET_03", "pnet:Claim_RADIANT3_06"}  # trial results are the evidence
    assert {r["source"] for r in rows} >= {"pnet:Source_002", "pnet:Source_004"}
    one = pnet_kg.query("therapy-claims-unsupported", source="pnet:Source_003").rows
    assert one and {r["source"] for r in one} == {"pnet:Source_003"}


LIVER = {"HepaticResection", "TransarterialEmbolization", "TransarterialChemoembolization", "Radioembolization",
         "HepaticArteryInfusion", "RadiofrequencyAblation", "MicrowaveAblation", "Cryoablation", "AlcoholAblation",
         "LiverTransplantation"}


def test_liver_directed_options_are_complete_each_with_its_source(graph: Graph) -> None:
    stated = {str(graph.value(c, p("claimSubject"))).removeprefix(PNET)
              for c in graph.subjects(p("statedIn"), p("Source_LewisHubbard2011"))}
    assert stated == LIVER
    for cls in ("HepaticArteryInfusion", "Cryoablation", "AlcoholAblation"):
        assert graph.value(p(cls), RDFS.label) is not None
        assert graph.value(p(cls), URIRef(OBO + "IAO_0000115")) is not None
    assert (p("Cryoablation"), RDFS.subClassOf, p("LocalAblation")) in graph
    assert (p("AlcoholAblation"), RDFS.subClassOf, p("LocalAblation")) in graph
    assert (p("HepaticArteryInfusion"), RDFS.subClassOf, p("LiverDirectedTherapy")) in graph


# ---------------------------------------------------------------- trial populations as data

POPULATIONS = {
    ("pnet:Source_CLARINET", "pnet:Criterion_CLARINET_differentiation", "net", None, None, True),
    ("pnet:Source_CLARINET", "pnet:Criterion_CLARINET_functional_status", "none", None, None, False),
    ("pnet:Source_CLARINET", "pnet:Criterion_CLARINET_grade", "G1", None, None, False),
    ("pnet:Source_CLARINET", "pnet:Criterion_CLARINET_grade", "G2", None, None, False),
    ("pnet:Source_CLARINET", "pnet:Criterion_CLARINET_ki67", None, Decimal(10), False, False),
    ("pnet:Source_CLARINET", "pnet:Criterion_CLARINET_primary_site", "pancreas", None, None, False),
    ("pnet:Source_CLARINET", "pnet:Criterion_CLARINET_sstr", "positive", None, None, False),
    ("pnet:Source_RADIANT3", "pnet:Criterion_RADIANT3_grade", "G1", None, None, True),
    ("pnet:Source_RADIANT3", "pnet:Criterion_RADIANT3_grade", "G2", None, None, True),
    ("pnet:Source_RADIANT3", "pnet:Criterion_RADIANT3_primary_site", "pancreas", None, None, False),
    ("pnet:Source_RADIANT3", "pnet:Criterion_RADIANT3_progression", "progressive", None, None, False),
    ("pnet:Source_SunitinibPhase3", "pnet:Criterion_Sunitinib_primary_site", "pancreas", None, None, True),
    ("pnet:Source_SunitinibPhase3", "pnet:Criterion_Sunitinib_progression", "progressive", None, None, True),
}


def test_trial_populations_query_lists_every_criterion() -> None:
    rows = pnet_kg.query("trial-populations").rows
    assert {(r["trial"], r["criterion"], r["allowed_code"], r["upper"], r["upper_inclusive"], r["inference"])
            for r in rows} == POPULATIONS
    assert len(rows) == len(POPULATIONS)
    ki67 = [r for r in rows if r["criterion"] == "pnet:Criterion_CLARINET_ki67"]
    assert [(r["feature"], r["field"], r["lower"], r["unit"]) for r in ki67] == [
        ("pnet:Ki67Index", "ki67_percent", None, "pnet:Unit_percent")]
    one = pnet_kg.query("trial-populations", trial="pnet:Source_RADIANT3").rows
    assert {r["trial"] for r in one} == {"pnet:Source_RADIANT3"} and len(one) == 4


# A case's Ki-67 against the range criteria of a trial: the rows returned are the criteria it fails.
RANGE_FAILS = """
PREFIX pnet: <https://w3id.org/pnet-kg/>
SELECT ?criterion WHERE {
  ?criterion a pnet:EnrolmentCriterion ; pnet:forTrial ?trial ; pnet:onVariable pnet:Ki67Index .
  OPTIONAL { ?criterion pnet:lowerBound ?lo . OPTIONAL { ?criterion pnet:lowerInclusive ?lo_in } }
  OPTIONAL { ?criterion pnet:upperBound ?up . OPTIONAL { ?criterion pnet:upperInclusive ?up_in } }
  FILTER(!((!BOUND(?lo) || ?ki67 > ?lo || (?ki67 = ?lo && COALESCE(?lo_in, false)))
        && (!BOUND(?up) || ?ki67 < ?up || (?ki67 = ?up && COALESCE(?up_in, false)))))
}"""

# A case's categorical value against the value criteria on one feature: rows are the criteria it fails.
VALUE_FAILS = """
PREFIX pnet: <https://w3id.org/pnet-kg/>
SELECT ?criterion WHERE {
  ?criterion a pnet:EnrolmentCriterion ; pnet:forTrial ?trial ; pnet:onFeature ?feature .
  FILTER NOT EXISTS { ?criterion pnet:allowsValue ?allowed . ?case_value pnet:partOf* ?allowed }
}"""


@pytest.mark.parametrize(("ki67", "outside"), [("12", True), ("10", True), ("9.9", False), ("0", False)])
def test_clarinet_ki67_below_10_percent_matches_a_case(graph: Graph, ki67: str, outside: bool) -> None:
    rows = graph.query(RANGE_FAILS, initBindings={"trial": p("Source_CLARINET"), "ki67": Literal(Decimal(ki67))})
    assert [str(r[0]).removeprefix(PNET) for r in rows] == (["Criterion_CLARINET_ki67"] if outside else [])  # type: ignore[index]


@pytest.mark.parametrize(("trial", "feature", "case_value", "outside"), [
    ("Source_CLARINET", "Feature_grade", "GradeG2", False),
    ("Source_CLARINET", "Feature_grade", "GradeG3", True),
    ("Source_CLARINET", "Feature_functional_status", "InsulinomaSyndrome", True),
    ("Source_CLARINET", "Feature_functional_status", "NonFunctional", False),
    ("Source_CLARINET", "Feature_somatostatin_receptor_status", "SSTR_negative", True),
    ("Source_CLARINET", "Feature_primary_site", "Subsite_tail", False),  # a pancreatic sub-site is part of the pancreas
    ("Source_RADIANT3", "Feature_progression", "Progression_stable", True),
    ("Source_RADIANT3", "Feature_grade", "GradeNEC", True),
])
def test_categorical_criteria_match_a_case_value(graph: Graph, trial: str, feature: str, case_value: str,
                                                 outside: bool) -> None:
    rows = list(graph.query(VALUE_FAILS, initBindings={"trial": p(trial), "feature": p(feature),
                                                       "case_value": p(case_value)}))
    assert bool(rows) is outside


def test_enrolment_criteria_are_well_formed(graph: Graph) -> None:
    for criterion in graph.subjects(RDF.type, p("EnrolmentCriterion")):
        trial = graph.value(criterion, p("forTrial"))
        assert graph.value(trial, p("hasSourceKind")) == p("SourceKind_randomised_controlled_trial")
        feature, variable = graph.value(criterion, p("onFeature")), graph.value(criterion, p("onVariable"))
        assert (feature is None) != (variable is None), criterion
        if feature is not None:
            assert any(graph.objects(criterion, p("allowsValue"))), criterion
        else:
            assert graph.value(criterion, p("lowerBound")) is not None or graph.value(criterion, p("upperBound")) is not None
        if graph.value(criterion, p("isInference")).toPython():  # type: ignore[union-attr]
            assert graph.value(criterion, RDFS.comment) is not None, f"{criterion}: an inference says how in a comment"


def test_what_the_reference_marks_unverified_stays_out(graph: Graph) -> None:
    text = " ".join(str(o) for o in graph.objects(None, p("statement")))
    assert "NETTER" not in text
    assert not list(graph.subjects(p("statedIn"), p("Source_ENETS2016")))
    # procedure codes for RFA, TAE, TACE, SIRT, transplantation are unverified: no NCIt xref on them
    xref = URIRef("http://www.geneontology.org/formats/oboInOwl#hasDbXref")
    for cls in ("RadiofrequencyAblation", "TransarterialEmbolization", "TransarterialChemoembolization",
                "Radioembolization", "LiverTransplantation", "HepaticArteryInfusion", "Cryoablation", "AlcoholAblation"):
        assert not [x for x in graph.objects(p(cls), xref) if str(x).startswith("NCIT:")], cls
