"""Trial populations and NCCN categories matched to cases (``pnet_kg.evidence``, ``pnet-kg evidence``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import pnet_kg
from pnet_kg import Case, InputError
from pnet_kg.evidence import NOTICE, CaseEvidence

from conftest import run_cli


def trial(ev: CaseEvidence, name: str) -> tuple[str, tuple[str, ...]]:
    [t] = [t for t in ev.trials if t.trial_label.startswith(name)]
    return t.status, t.reasons


def clarinet_case(**kw: object) -> Case:
    base: dict[str, object] = dict(ki67_percent=5.0, somatostatin_receptor_status="positive", progression="stable")
    base.update(kw)
    return Case("C", "net", "body", **base)  # type: ignore[arg-type]


def test_g2_ki67_12_is_outside_clarinet_by_the_ki67_criterion() -> None:
    status, reasons = trial(pnet_kg.evidence(clarinet_case(ki67_percent=12.0)), "CLARINET")
    assert status == "excluded"
    assert reasons == ("requires ki67_percent < 10",)


@pytest.mark.parametrize(("ki67", "status"), [(9.99, "included"), (10.0, "excluded"), (0.0, "included")])
def test_clarinet_ki67_boundary_is_exclusive(ki67: float, status: str) -> None:
    assert trial(pnet_kg.evidence(clarinet_case(ki67_percent=ki67)), "CLARINET")[0] == status


def test_a_criterion_not_recorded_is_unknown_not_excluded() -> None:
    status, reasons = trial(pnet_kg.evidence(clarinet_case(somatostatin_receptor_status=None)), "CLARINET")
    assert status == "unknown"
    assert reasons == ("somatostatin_receptor_status not recorded",)


def test_sstr_negative_functional_and_g3_exclude_from_clarinet() -> None:
    assert trial(pnet_kg.evidence(clarinet_case(somatostatin_receptor_status="negative")), "CLARINET")[0] == "excluded"
    assert trial(pnet_kg.evidence(clarinet_case(functional_syndrome="insulinoma")), "CLARINET")[0] == "excluded"
    # mitoses 25 make a G3 tumour whatever the Ki-67 (the grade criterion, read from staging)
    status, reasons = trial(pnet_kg.evidence(clarinet_case(mitoses_per_2mm2=25)), "CLARINET")
    assert status == "excluded" and any("grade=G3" in r for r in reasons)


def test_progression_decides_radiant3_and_sunitinib() -> None:
    progressive = pnet_kg.evidence(clarinet_case(progression="progressive"))
    stable = pnet_kg.evidence(clarinet_case(progression="stable"))
    assert trial(progressive, "RADIANT-3")[0] == "included"
    assert trial(progressive, "Sunitinib")[0] == "included"
    assert trial(stable, "RADIANT-3")[0] == "excluded"
    assert trial(pnet_kg.evidence(clarinet_case(progression=None)), "RADIANT-3")[0] == "unknown"


def test_nec_is_outside_every_trial() -> None:
    ev = pnet_kg.evidence(Case("N", "nec", "head", ki67_percent=60.0, progression="progressive"))
    assert trial(ev, "CLARINET")[0] == "excluded"
    assert trial(ev, "RADIANT-3")[0] == "excluded"  # grade NEC is not G1/G2
    assert ev.guidelines == ()  # the NCCN rows are for pancreatic NETs


def test_guideline_categories_follow_the_situation() -> None:
    metastatic = pnet_kg.evidence(clarinet_case(distant_sites=("liver",), progression="progressive"))
    by_therapy = {g.therapy: (g.status, g.category) for g in metastatic.guidelines}
    assert by_therapy["octreotide"] == ("applies", "2B")
    assert by_therapy["targeted therapy"] == ("applies", "2A")
    assert by_therapy["observation"] == ("does not apply", "2A")
    localised = pnet_kg.evidence(clarinet_case(progression="progressive"))
    # M0: resectability is not recorded, so unknown (observation is for stable disease: does not apply)
    assert {g.status for g in localised.guidelines if g.therapy != "observation"} == {"unknown"}
    unrecorded = pnet_kg.evidence(clarinet_case(distant_sites=("lung",), progression=None))
    assert {g.therapy: g.status for g in unrecorded.guidelines}["chemotherapy"] == "unknown"


def test_new_fields_are_checked_with_closest_codes() -> None:
    with pytest.raises(InputError) as err:
        Case("X", "net", "head", ki67_percent=2, somatostatin_receptor_status="positiv")
    assert err.value.field == "somatostatin_receptor_status" and "closest: positive" in str(err.value)
    with pytest.raises(InputError):
        Case("X", "net", "head", ki67_percent=2, progression="worse")
    assert Case("X", "net", "head", ki67_percent=2, progression=" Progressive ").progression == "progressive"


def test_new_fields_round_trip_to_rdf_and_records() -> None:
    from pnet_kg.cases import case_triples

    case = clarinet_case()
    predicates = {str(p).rsplit("/", 1)[-1] for _, p, _ in case_triples(case)}
    assert {"hasSomatostatinReceptorStatus", "hasProgressionStatus"} <= predicates
    record = case.as_record()
    assert (record["somatostatin_receptor_status"], record["progression"]) == ("positive", "stable")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cases.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.slow
def test_cli_csv_json_and_table_say_it_is_no_recommendation(tmp_path: Path) -> None:
    path = _write(tmp_path, "Case ID,Histology,Primary site,Ki-67 (%),SSTR status,Progression\n"
                            "A1,net,tail,12,positive,progressive\n")
    out = run_cli("evidence", str(path))
    assert out.returncode == 0, out.stderr
    first, header = out.stdout.splitlines()[:2]
    assert first == f"# {NOTICE}" and header.startswith("case_id,kind,source,status")
    assert "A1,trial,CLARINET,excluded" in out.stdout
    js = run_cli("evidence", str(path), "-O", "json")
    data = json.loads(js.stdout)
    assert data["notice"] == NOTICE and data["results"][0]["case_id"] == "A1"
    table = run_cli("evidence", str(path), "-O", "table")
    assert table.stdout.splitlines()[0] == f"# {NOTICE}"


@pytest.mark.slow
def test_cli_bad_new_field_exits_2_with_file_line_field(tmp_path: Path) -> None:
    path = _write(tmp_path, "case_id,histology,primary_subsite,ki67_percent,progression\n"
                            "A1,net,tail,4,stable\nA2,net,tail,4,worsening\n")
    out_file = tmp_path / "out.csv"
    out = run_cli("evidence", str(path), "-o", str(out_file))
    assert out.returncode == 2
    assert f"{path}:3" in out.stderr and "progression" in out.stderr and "worsening" in out.stderr
    assert not out_file.exists()
    staged = run_cli("stage", str(_write(tmp_path, "case_id,histology,primary_subsite,ki67_percent,SSTR\n"
                                                   "A1,net,tail,4,maybe\n")))
    assert staged.returncode == 2 and ":2" in staged.stderr and "somatostatin_receptor_status" in staged.stderr


@pytest.mark.slow
def test_cli_keep_going_matches_the_good_rows(tmp_path: Path) -> None:
    path = _write(tmp_path, "case_id,histology,primary_subsite,ki67_percent,progression\n"
                            "A1,net,tail,4,stable\nA2,net,tail,4,worsening\n")
    out = run_cli("evidence", str(path), "--keep-going")
    assert out.returncode == 1
    assert "A1,trial" in out.stdout and "A2," not in out.stdout


def test_named_query_agrees_with_the_command_trial_by_trial(tmp_path: Path) -> None:
    path = _write(tmp_path, "case_id,histology,primary_subsite,ki67_percent,mitoses_per_2mm2,"
                            "somatostatin_receptor_status,progression,functional_syndrome\n"
                            "A1,net,tail,12,,positive,progressive,none\nA2,net,head,4,,,,none\n"
                            "A3,net,body,5,25,positive,stable,none\nA4,nec,head,60,,negative,progressive,none\n"
                            "A5,net,uncinate,9.99,1,positive,stable,insulinoma\nA6,net,neck,2,,positive,stable,none\n")
    rows = pnet_kg.query("case-trial-eligibility", cases=[path]).rows
    by_trial: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        by_trial.setdefault((str(row["case_id"]), re.split("[/:]", str(row["trial"]))[-1]), set()).add(str(row["status"]))
    expected = {}
    for case in pnet_kg.read_cases(path).cases:
        for t in pnet_kg.evidence(case).trials:
            expected[(case.case_id, t.trial.rsplit("/", 1)[-1])] = t.status
    assert expected.keys() == by_trial.keys()
    for key, statuses in by_trial.items():
        verdict = "excluded" if "not met" in statuses else "unknown" if "unknown" in statuses else "included"
        assert verdict == expected[key], key
    assert expected[("A1", "Source_CLARINET")] == "excluded"
    assert expected[("A6", "Source_CLARINET")] == "included"
