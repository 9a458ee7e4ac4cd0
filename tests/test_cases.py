"""Case files through the command line: good files, every kind of bad input, --keep-going, synthetic cohorts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli
from rdflib import Graph, URIRef

from pnet_kg.cases import Case, case_triples, read_cases
from pnet_kg.synth import cohort_parameters, synth_cases

HEADER = ("case_id,histology,primary_subsite,tumor_size_mm,invaded_structures,ki67_percent,mitoses_per_2mm2,"
          "functional_syndrome,positive_node_groups,positive_node_count,distant_sites\n")
EXAMPLE = HEADER + ("A1,net,tail,25,,4,,none,splenic,2,\n"
                    "A2,net,head,15,,1.5,,insulinoma,,0,liver;bone\n"
                    "A3,net,head,30,,12,,none,splenic;portal_vein,3,\n"
                    "A4,net,head,18,,2,25,none,celiac,1,\n")
PNET = "https://w3id.org/pnet-kg/"


def write(tmp_path: Path, text: str, name: str = "cases.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_writes_rdf_that_fits_the_contract(tmp_path: Path) -> None:
    src, out = write(tmp_path, EXAMPLE), tmp_path / "cases.ttl"
    r = run_cli("cases", "import", str(src), "-o", str(out))
    assert r.returncode == 0, r.stderr
    g = Graph().parse(out)
    a3 = URIRef(PNET + "case/A3")
    assert (a3, URIRef(PNET + "hasPrimarySubsite"), URIRef(PNET + "Subsite_head")) in g
    m2 = URIRef(PNET + "case/A3/m2")
    assert (m2, URIRef(PNET + "hasSite"), URIRef(PNET + "NodeGroup_portal_vein")) in g
    assert int(g.value(m2, URIRef(PNET + "listPosition"))) == 2  # type: ignore[arg-type]
    nt = tmp_path / "cases.nt"
    assert run_cli("cases", "import", str(src), "-o", str(nt)).returncode == 0
    assert len(Graph().parse(nt, format="nt")) == len(g)
    assert len(g) == sum(len(case_triples(c)) for c in read_cases(src).cases)


def test_stage_csv_and_json_output(tmp_path: Path) -> None:
    src = write(tmp_path, EXAMPLE)
    r = run_cli("stage", str(src))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "case_id,staging_system,grade,t,n,m,stage,nodes,warnings"
    assert lines[1] == "A1,AJCC8 pancreatic NET,G2,T2,N1,M0,III,splenic=regional,"
    assert lines[2] == "A2,AJCC8 pancreatic NET,G1,T1,N0,M1c,IV,,"
    assert lines[3] == "A3,AJCC8 pancreatic NET,G2,T2,N1,M1b,IV,splenic=distant;portal_vein=regional,"
    assert lines[4].startswith("A4,AJCC8 pancreatic NET,G3,T1,N0,M1b,IV,celiac=distant,") and "UICC 8th" in lines[4]
    out = tmp_path / "staged.json"
    r = run_cli("stage", str(src), "--format", "json", "-o", str(out))
    assert r.returncode == 0, r.stderr
    rows = json.loads(out.read_text())
    assert [row["stage"] for row in rows] == ["III", "IV", "IV", "IV"]


def test_json_input_with_lists_and_numbers(tmp_path: Path) -> None:
    data = [{"case_id": "J1", "histology": "net", "primary_subsite": "tail", "tumor_size_mm": 25,
             "ki67_percent": 4, "positive_node_groups": ["splenic"], "positive_node_count": 2},
            {"case_id": "J2", "histology": "nec", "primary_subsite": "body", "tumor_size_mm": None,
             "ki67_percent": 70, "distant_sites": "liver"}]
    src = write(tmp_path, json.dumps(data, indent=1), "cases.json")
    r = run_cli("stage", str(src))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[2] == "J2,AJCC8 exocrine pancreas,NEC,TX,N0,M1,IV,,"


BAD = [
    ("missing required field", "B1,,tail,25,,4,,none,,,\n", "histology", "''"),
    ("unknown code", "B1,net,tail,25,,4,,none,splenic;coeliac,,\n", "positive_node_groups", "'coeliac'"),
    ("unknown subsite", "B1,net,tale,25,,4,,none,,,\n", "primary_subsite", "'tale'"),
    ("out of range", "B1,net,tail,25,,101,,none,,,\n", "ki67_percent", "'101'"),
    ("size zero", "B1,net,tail,0,,4,,none,,,\n", "tumor_size_mm", "'0'"),
    ("not a number", "B1,net,tail,abc,,4,,none,,,\n", "tumor_size_mm", "'abc'"),
    ("negative count", "B1,net,tail,25,,4,,none,,-1,\n", "positive_node_count", "'-1'"),
    ("fractional mitoses", "B1,net,tail,25,,,2.5,none,,,\n", "mitoses_per_2mm2", "'2.5'"),
    ("no grade index", "B1,net,tail,25,,,,none,,,\n", "ki67_percent", "''"),
    ("duplicate case_id", "A1,net,tail,30,,4,,none,,,\n", "case_id", "'A1'"),
]


@pytest.mark.parametrize(("what", "row", "field", "value"), BAD, ids=[b[0] for b in BAD])
@pytest.mark.parametrize("command", ["stage", "import"])
def test_bad_row_exits_2_naming_file_line_field_value(tmp_path: Path, command: str, what: str, row: str,
                                                      field: str, value: str) -> None:
    src = write(tmp_path, EXAMPLE + row)  # the bad row is line 6
    out = tmp_path / "out.txt"
    args = ["stage", str(src), "-o", str(out)] if command == "stage" else ["cases", "import", str(src), "-o", str(out)]
    r = run_cli(*args)
    assert r.returncode == 2, (what, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert f"{src}:6:" in r.stderr and f"'{field}'" in r.stderr and value in r.stderr, r.stderr
    assert not out.exists(), "no output may be written"
    assert not list(tmp_path.glob(".out.txt.*")), "no temporary file may be left"


def test_keep_going_stages_good_rows_and_lists_every_bad_one(tmp_path: Path) -> None:
    src = write(tmp_path, EXAMPLE + "".join(b[1] for b in BAD[:4]) + "A5,net,tail,10,,1,,none,,,\n")
    out = tmp_path / "staged.csv"
    r = run_cli("stage", str(src), "--keep-going", "-o", str(out))
    assert r.returncode == 1, r.stderr
    assert [line.split(",")[0] for line in out.read_text().splitlines()[1:]] == ["A1", "A2", "A3", "A4", "A5"]
    for line in (6, 7, 8, 9):
        assert f"{src}:{line}:" in r.stderr
    assert "4 bad row(s) skipped" in r.stderr
    rdf = tmp_path / "cases.nt"
    r = run_cli("cases", "import", str(src), "--keep-going", "-o", str(rdf))
    assert r.returncode == 1 and rdf.exists()
    assert len({s for s in Graph().parse(rdf, format="nt").subjects() if "/m" not in str(s)}) == 5


def _spreadsheet_export(delimiter: str) -> bytes:
    # The contract's example as spreadsheets and registries write it: byte-order mark, CRLF,
    # column names and codes in other spellings, units after numbers, NA for unknown, blank lines.
    header = ["Case ID", "Histology", "Primary subsite", "Tumor size mm", "invaded-structures", "Ki67 percent",
              "mitoses_per_2mm2", "Functional syndrome", "Positive node groups", "positive_node_count",
              "Distant sites"]
    rows = [["A1", "NET", "Tail", "25 mm", "", "4%", "NA", "None", "Splenic", "2", ""],
            ["A2", "net", "HEAD", "15", "", "1.5 %", "", "Insulinoma", "", "0", "Liver;Bone"],
            ["A3", "Net", "head", "30", "", "12", "N/A", "none", "splenic;Portal Vein", "3", ""],
            ["A4", "net", "Head", "18mm", "", "2", "25", "none", "CELIAC", "1", ""]]

    def cell(text: str) -> str:  # a ';'-delimited file quotes the cells that hold a ';' list
        return f'"{text}"' if delimiter in text else text

    lines = [delimiter.join(header)] + [delimiter.join(cell(c) for c in row) for row in rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


@pytest.mark.parametrize("delimiter", [",", "\t", ";"], ids=["comma", "tab", "semicolon"])
def test_spreadsheet_exports_stage_like_the_clean_file(tmp_path: Path, delimiter: str) -> None:
    clean = run_cli("stage", str(write(tmp_path, EXAMPLE)))
    messy = tmp_path / "export.csv"
    messy.write_bytes(_spreadsheet_export(delimiter))
    staged = run_cli("stage", str(messy))
    assert staged.returncode == 0, staged.stderr
    assert staged.stdout == clean.stdout


def test_unit_after_a_number_must_be_the_fields_own(tmp_path: Path) -> None:
    r = run_cli("stage", str(write(tmp_path, HEADER + "A1,net,tail,2.5 cm,,4,,none,,0,\n")))
    assert r.returncode == 2
    assert "cases.csv:2: field 'tumor_size_mm': not a number (value '2.5 cm')" in r.stderr


@pytest.mark.parametrize("command", ["stage", "cases import", "validate"])
def test_workbooks_and_other_encodings_are_named_not_tracebacks(tmp_path: Path, command: str) -> None:
    book = tmp_path / "cases.csv"
    book.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)))  # an .xlsx saved under a .csv name
    r = run_cli(*command.split(), str(book))
    assert r.returncode == 2 and "spreadsheet workbook" in r.stderr and "Traceback" not in r.stderr
    # Windows-1252 text: the bad byte sits past the first block the reader looks at
    rows = "".join(f"A{i},net,head,10,,2,,none,,0,\n" for i in range(400))
    latin = write(tmp_path, HEADER + rows, "latin.csv")
    latin.write_bytes(latin.read_bytes() + "B\u00e9,net,head,10,,2,,none,,0,\n".encode("cp1252"))
    r = run_cli(*command.split(), str(latin))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"latin.csv:{400 + 2}: not UTF-8 text" in r.stderr and "0xe9" in r.stderr


def test_malformed_csv(tmp_path: Path) -> None:
    src = write(tmp_path, EXAMPLE + "B1,net,tail,25\n")
    r = run_cli("stage", str(src))
    assert r.returncode == 2 and f"{src}:6:" in r.stderr and "malformed CSV" in r.stderr
    src = write(tmp_path, EXAMPLE + 'B2,net,"tail,25,,4,,none,,,\n', "quote.csv")
    r = run_cli("stage", str(src))
    assert r.returncode == 2 and "Traceback" not in r.stderr and str(src) in r.stderr


def test_header_without_a_required_column(tmp_path: Path) -> None:
    src = write(tmp_path, "case_id,primary_subsite,ki67_percent\nA,tail,3\n")
    r = run_cli("stage", str(src))
    assert r.returncode == 2 and f"{src}:1:" in r.stderr and "'histology'" in r.stderr


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = write(tmp_path, "")
    for args in (["stage", str(empty)], ["cases", "import", str(empty)]):
        r = run_cli(*args)
        assert r.returncode == 2 and "empty" in r.stderr and "Traceback" not in r.stderr
    missing = tmp_path / "nope.csv"
    r = run_cli("stage", str(missing), "-o", str(tmp_path / "o.csv"))
    assert r.returncode == 2 and "no such file" in r.stderr and not (tmp_path / "o.csv").exists()


def test_bad_json_names_the_line(tmp_path: Path) -> None:
    src = write(tmp_path, '[\n {"case_id": "J1", "histology": "net", "primary_subsite": "tail", "ki67_percent": 4},\n'
                          ' {"case_id": "J2", "histology": "net", "primary_subsite": "tail", "ki67_percent": "x"}\n]\n',
                "cases.json")
    r = run_cli("stage", str(src))
    assert r.returncode == 2 and f"{src}:3:" in r.stderr and "'ki67_percent'" in r.stderr


@pytest.mark.slow
def test_synth_is_reproducible_and_follows_the_claims(tmp_path: Path) -> None:
    params = cohort_parameters()
    assert (params.p_nodal, params.p_liver) == (0.45, 0.25)
    a = tmp_path / "a.csv"
    assert run_cli("cases", "synth", "--n", "50", "--seed", "7", "-o", str(a)).returncode == 0
    b = run_cli("cases", "synth", "--n", "50", "--seed", "7")
    assert a.read_text() == b.stdout
    assert run_cli("stage", str(a)).returncode == 0
    cohort = list(synth_cases(4000, seed=1))
    liver = sum("liver" in c.distant_sites for c in cohort) / len(cohort)
    assert abs(liver - 0.25) < 0.03
    nodal = sum(bool(c.positive_node_groups) for c in cohort) / len(cohort)
    assert 0.40 < nodal < 0.52
    js = tmp_path / "c.json"
    assert run_cli("cases", "synth", "--n", "5", "--seed", "7", "-o", str(js)).returncode == 0
    assert read_cases(js).cases == read_cases(a).cases[:5]


def test_case_dataclass_round_trip() -> None:
    case = Case("R", "net", "head", 12.5, ("duodenum",), 0.00001, None, "none", ("celiac",), 1, ("liver",))
    assert case.as_record()["ki67_percent"] == "0.00001"
