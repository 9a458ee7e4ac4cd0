"""Silent wrong answers (issue 12): inputs that used to give a wrong or empty answer with exit 0.

Each test is named for what it guards. Most call the Python entry points or the command line
in-process (``_cli``), which shares the parsed graph, so that the file stays fast; one test per
concern runs the real ``pnet-kg`` process where the exit code itself is the point.
"""

from __future__ import annotations

import io
import json
import math
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import INPUT, REPO, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef

import pnet_kg
from pnet_kg import Case, InputError, QueryError, read_cases, stage
from pnet_kg.cases import FIELDS, check_case, column_policy, iter_cases
from pnet_kg.query import bound_text, get_query, list_queries

# the contract's original eleven columns (the rows below give eleven cells; later optional fields stay out)
HEADER = ",".join(FIELDS[:11]) + "\n"
TRUNCATED_RDF_XML = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                     '<rdf:Description rdf:about="urn:x">')


def _write(directory: Path, text: str, name: str = "cases.csv") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def _cli(*args: str) -> tuple[int, str, str]:
    """``pnet-kg ARGS`` in this process: (exit code, stdout, stderr)."""
    from pnet_kg.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


# ---------------------------------------------------------------- 1. unknown case-file columns


@pytest.mark.parametrize("header,field,value", [
    ("tumour_size_mm", "tumor_size_mm", 25.0), ("Tumor Size (mm)", "tumor_size_mm", 25.0),
    ("Tumour size (mm)", "tumor_size_mm", 25.0), ("tumor size", "tumor_size_mm", 25.0),
    ("size_mm", "tumor_size_mm", 25.0), ("Ki67", "ki67_percent", 25.0), ("Ki-67 (%)", "ki67_percent", 25.0),
    ("Ki-67 index", "ki67_percent", 25.0), ("KI67 %", "ki67_percent", 25.0),
    ("mitotic count", "mitoses_per_2mm2", 25), ("Mitoses per 2 mm²", "mitoses_per_2mm2", 25),
])
def test_registry_header_spellings_reach_their_field(tmp_path: Path, header: str, field: str, value: Any) -> None:
    base = {"case_id": "A1", "histology": "net", "primary_subsite": "tail", "ki67_percent": "4"}
    base.pop(field, None)
    cells = {**base, header: "25"}
    src = _write(tmp_path, ",".join(f'"{k}"' for k in cells) + "\n" + ",".join(cells.values()) + "\n")
    case = read_cases(src).cases[0]
    assert getattr(case, field) == value


def test_a_size_under_another_name_is_not_lost_to_tx(tmp_path: Path) -> None:
    src = _write(tmp_path, "case_id,histology,primary_subsite,Tumor Size (mm),Ki-67 (%)\nA1,net,tail,25,4\n")
    result = pnet_kg.stage_file(src).results[0]
    assert (result.t, result.grade) == ("T2", "G2")


def test_unknown_column_stops_the_run_naming_column_file_and_nearest_name(tmp_path: Path) -> None:
    src = _write(tmp_path, "case_id,histology,primary_subsite,tumour_sise,ki67_percent\nA1,net,tail,25,4\n")
    with pytest.raises(InputError) as info:
        read_cases(src, keep_going=True)  # not a bad row: the whole file is refused
    error = info.value
    assert (error.file, error.line, error.field) == (str(src), 1, "tumour_sise")
    assert "unknown column; nearest known name: tumor_size_mm" in str(error)
    assert "--ignore-column" in str(error)


def test_unknown_json_key_stops_the_run(tmp_path: Path) -> None:
    src = _write(tmp_path, json.dumps([{"case_id": "J1", "histology": "net", "primary_subsite": "tail",
                                        "ki67_percent": 4, "tumour_sise": 25}]), "cases.json")
    with pytest.raises(InputError, match="field 'tumour_sise': unknown column; nearest known name: tumor_size_mm"):
        read_cases(src)
    assert read_cases(src, ignore_unknown_columns=True).ignored_columns == ["tumour_sise"]


def test_ignore_column_drops_named_columns_and_says_which(tmp_path: Path) -> None:
    src = _write(tmp_path, "case_id,histology,primary_subsite,ki67_percent,notes,Comment\nA1,net,tail,4,x,y\n")
    with pytest.raises(InputError, match="field 'Comment': unknown column"):
        read_cases(src, ignore_columns=["notes"])
    read = read_cases(src, ignore_columns=["notes", "comment"])
    assert read.ignored_columns == ["notes", "Comment"] and read.cases[0].ki67_percent == 4.0
    assert read_cases(src, ignore_unknown_columns=True).ignored_columns == ["notes", "Comment"]
    assert len(pnet_kg.stage_file(src, ignore_columns=["notes", "Comment"]).results) == 1
    with pytest.raises(InputError, match="a required column cannot be ignored"):
        read_cases(src, ignore_columns=["histology"])
    heard: list[tuple[str, tuple[str, ...]]] = []
    with column_policy(ignore_unknown=True, report=lambda file, names: heard.append((file, names))):
        assert len(list(iter_cases(src))) == 1
    assert heard == [(str(src), ("notes", "Comment"))]


def test_every_command_that_reads_case_files_refuses_unknown_columns_and_takes_the_ignore_options(
        tmp_path: Path) -> None:
    src = _write(tmp_path, "case_id,histology,primary_subsite,ki67_percent,notes\nA1,net,tail,4,x\n")
    for command in (["stage", str(src)], ["cases", "import", str(src)], ["validate", str(src)],
                    ["query", "grading-rules", "--cases", str(src)]):
        code, _, err = _cli(*command)
        assert code == 2 and "field 'notes': unknown column" in err, (command, err)
        code, _, err = _cli(*command, "--ignore-column", "notes")
        assert code == 0 and "ignored column(s): 'notes'" in err, (command, err)
        code, _, err = _cli(*command, "--ignore-unknown-columns")
        assert code == 0 and "ignored column(s): 'notes'" in err, (command, err)
    for command in ("reason", "serve", "push"):
        _, out, _ = _cli(command, "--help")
        assert "--ignore-column NAME" in out and "--ignore-unknown-columns" in out, command


def test_serve_push_and_reason_read_case_files_under_the_column_policy(tmp_path: Path) -> None:
    from pnet_kg.owl import merged_graph
    from pnet_kg.serve import prepare_location

    src = _write(tmp_path, "case_id,histology,primary_subsite,ki67_percent,notes\nA1,net,tail,4,x\n")
    for read in (lambda: prepare_location(tmp_path / "db", [src]), lambda: _push_nowhere([src]),
                 lambda: merged_graph([src])):
        with pytest.raises(InputError, match="unknown column"):
            read()
        with column_policy(ignore=["notes"]):
            read()


def _push_nowhere(files: list[Path]) -> None:
    """Push ``files`` to a port where nothing listens: an input error, or else the failure to send them."""
    from pnet_kg.errors import PnetKgError
    from pnet_kg.push import push

    try:
        push("http://127.0.0.1:9/store", files, timeout_s=5)
    except InputError:
        raise
    except PnetKgError as exc:  # the files were read and checked: the push went on to send
        assert "cannot reach the endpoint" in str(exc)


def test_unknown_column_exits_2_from_the_real_command(tmp_path: Path) -> None:
    src = _write(tmp_path, "case_id,histology,primary_subsite,tumour_sise,ki67_percent\nA1,net,tail,25,4\n")
    out = tmp_path / "staged.csv"
    r = run_cli("stage", str(src), "-o", str(out))
    assert r.returncode == 2 and "Traceback" not in r.stderr and not out.exists()
    assert f"{src}:1: field 'tumour_sise': unknown column; nearest known name: tumor_size_mm" in r.stderr


# ---------------------------------------------------------------- 2. parameter values that name nothing


@pytest.mark.parametrize("name,params,closest", [
    ("node-classification", {"node_group": "splenic_hilar"}, "splenic"),
    ("node-classification", {"system": "foo"}, "pnet:System_UICC8"),
    ("therapies", {"situation": "pnet:NoSuchSituation"}, "pnet:DiseaseSituation"),
    ("therapies", {"situation": "pnet:ProgresiveDisease"}, "pnet:ProgressiveDisease"),
    ("term-list", {"category": "pnet:LymphNodeGroupp"}, "pnet:LymphNodeGroup"),
    ("claims-of-source", {"source": "Source_999"}, "pnet:Source_"),
    ("sources-of-claim", {"claim": "Claim_001_99"}, "pnet:Claim_001_"),
    ("stage-group-rules", {"system": "pnet:System_WHO2019"}, "pnet:System_AJCC8_NET"),
    ("node-disagreements", {"node_group": "Celiac"}, "celiac"),
])
def test_code_or_iri_value_naming_nothing_is_refused_with_closest_values(name: str, params: dict[str, str],
                                                                          closest: str) -> None:
    with pytest.raises(QueryError, match="names nothing in the graph; closest allowed values: ") as info:
        pnet_kg.query(name, **params)
    assert closest in str(info.value).split("closest allowed values: ")[1]


def test_allowed_values_come_from_the_graph_queried(tmp_path: Path) -> None:
    extra = _write(tmp_path, "@prefix pnet: <https://w3id.org/pnet-kg/> .\npnet:Source_mine a pnet:Source .\n"
                   "pnet:Claim_mine pnet:statedIn pnet:Source_mine .\n", "mine.ttl")
    with pytest.raises(QueryError, match="names nothing"):
        pnet_kg.query("claims-of-source", source="pnet:Source_mine")
    rows = pnet_kg.query("claims-of-source", pnet_kg.load([extra]), source="pnet:Source_mine").rows
    assert [r["claim"] for r in rows] == ["pnet:Claim_mine"]


def test_free_text_parameters_stay_free() -> None:
    assert pnet_kg.query("term-list", category="pnet:LymphNodeGroup", search="no such label").rows == []
    assert pnet_kg.query("case-nodal-classification", case_id="no such case").rows == []


def test_typo_in_a_parameter_exits_2_and_describe_lists_every_allowed_code() -> None:
    code, out, err = _cli("query", "node-classification", "-p", "node_group=splenic_hilar")
    assert code == 2 and out == "" and "closest allowed values: splenic" in err
    code, out, _ = _cli("query", "node-classification", "--describe")
    allowed = re.search(r"allowed \((\d+)\): (.*?)\n  system", out, re.S)
    assert code == 0 and allowed and allowed.group(1) == "28"
    codes = [c.strip() for c in allowed.group(2).replace("\n", " ").split(",")]
    assert len(codes) == 28 and "..." not in allowed.group(2) and {"splenic", "celiac", "supraclavicular"} <= set(codes)
    graph_codes = {str(r[0]) for r in pnet_kg.load().query(
        "SELECT ?c WHERE { ?g a <https://w3id.org/pnet-kg/LymphNodeGroup> ; "
        "<http://www.w3.org/2004/02/skos/core#notation> ?c }")}
    assert set(codes) == graph_codes


def test_every_iri_and_code_parameter_is_checked_against_the_graph() -> None:
    for named in list_queries():
        for p in named.params:
            if p.type in ("iri", "code"):
                assert p.allowed or p.domain, f"{named.name}: {p.name} accepts values that name nothing"


# ---------------------------------------------------------------- 3. validate --keep-going


def test_validate_keep_going_with_skipped_rows_does_not_conform(tmp_path: Path) -> None:
    src = _write(tmp_path, HEADER + "A1,net,tail,25,,4,,none,,,\nB1,net,tale,25,,4,,none,,,\n")
    report = pnet_kg.validate([src], keep_going=True)
    assert not report.conforms and len(report.input_errors) == 1
    assert json.loads(report.to_json())["conforms"] is False
    assert report.text.splitlines()[-1].startswith("does not conform") and "1 bad input row(s) skipped" in report.text
    code, out, err = _cli("validate", str(src), "--keep-going", "-O", "json")
    assert code == 1 and json.loads(out)["conforms"] is False and "skipped" in err


# ---------------------------------------------------------------- 4. Case objects checked like file rows


BAD_CASES = [
    ({"positive_node_groups": "splenic"}, "positive_node_groups", "expected a tuple of codes"),
    ({"distant_sites": "liver"}, "distant_sites", "expected a tuple of codes"),
    ({"ki67_percent": 300.0}, "ki67_percent", "out of range"),
    ({"tumor_size_mm": -5.0}, "tumor_size_mm", "out of range"),
    ({"ki67_percent": math.nan}, "ki67_percent", "not a finite number"),
    ({"tumor_size_mm": math.inf}, "tumor_size_mm", "not a finite number"),
    ({"positive_node_groups": ("splenic_hilar",)}, "positive_node_groups", "unknown code"),
    ({"primary_subsite": "pancreas"}, "primary_subsite", "unknown code"),
    ({"histology": None}, "histology", "missing"),
    ({"mitoses_per_2mm2": 2.5, "ki67_percent": None}, "mitoses_per_2mm2", "not a whole number"),
    ({"positive_node_count": -1}, "positive_node_count", "out of range"),
    ({"positive_node_count": True}, "positive_node_count", "expected a number"),
    ({"tumor_size_mm": "25"}, "tumor_size_mm", "expected a number"),
    ({"case_id": "A\x00"}, "case_id", "control character"),
]


@pytest.mark.parametrize("change,field,message", BAD_CASES, ids=[b[1] + ":" + b[2] for b in BAD_CASES])
def test_case_objects_are_checked_like_file_rows(change: dict[str, Any], field: str, message: str) -> None:
    fields = {"case_id": "X", "histology": "net", "primary_subsite": "head", "ki67_percent": 2.0, **change}
    with pytest.raises(InputError, match=message) as info:
        stage(Case(**fields))
    assert info.value.field == field


def test_a_case_changed_after_it_was_made_is_checked_again_when_staged() -> None:
    case = Case("X", "net", "head", ki67_percent=2.0)
    case.positive_node_groups = "splenic"  # type: ignore[assignment]
    with pytest.raises(InputError, match="expected a tuple of codes"):
        stage(case)
    case.positive_node_groups = ("splenic",)
    assert (stage(case).m, stage(case).stage) == ("M1b", "IV")  # splenic nodes are distant for a head primary


def test_case_and_file_row_give_the_same_case(tmp_path: Path) -> None:
    src = _write(tmp_path, HEADER + "A1,NET,Head,18,Duodenum,2,25,None,Celiac;celiac,1,Liver\n")
    from_file = read_cases(src).cases[0]
    built = Case("A1", "NET", "Head", 18, ["Duodenum"], 2, 25, "None", ["Celiac", "celiac"], 1, ["Liver"])
    assert built == from_file
    assert built.positive_node_groups == ("celiac",) and built.functional_syndrome == "none"
    check_case(built)  # idempotent


# ---------------------------------------------------------------- 5. duplicate case IDs


def test_duplicate_of_a_rejected_row_is_still_reported(tmp_path: Path) -> None:
    src = _write(tmp_path, HEADER + "A1,net,tail,25,,300,,none,,,\nA1,net,tail,25,,4,,none,,,\n"
                                    "A2,net,tail,25,,4,,none,,,\n")
    read = read_cases(src, keep_going=True)
    assert [c.case_id for c in read.cases] == ["A2"]
    assert [(e.line, e.field) for e in read.errors] == [(2, "ki67_percent"), (3, "case_id")]
    assert "duplicate case_id (first on line 2, which was rejected)" in str(read.errors[1])
    with pytest.raises(InputError, match="out of range"):
        read_cases(src)


# ---------------------------------------------------------------- 6. malformed RDF


def test_truncated_rdf_xml_is_refused_on_every_path_that_reads_user_rdf(tmp_path: Path) -> None:
    from pnet_kg.owl import merged_graph
    from pnet_kg.serve import prepare_location

    bad = _write(tmp_path, TRUNCATED_RDF_XML, "truncated.rdf")
    owl = _write(tmp_path, TRUNCATED_RDF_XML, "truncated.owl")
    attempts = {
        "validate (fast)": lambda: pnet_kg.validate([bad], engine="fast"),
        "validate (pySHACL)": lambda: pnet_kg.validate([bad], engine="pyshacl"),
        "query (pyoxigraph)": lambda: pnet_kg.query("grading-rules", cases=[bad]),
        "query (rdflib)": lambda: pnet_kg.query("grading-rules", pnet_kg.load(), cases=[owl]),
        "serve": lambda: prepare_location(tmp_path / "db", [bad]),
        "push": lambda: _push_nowhere([bad]),
        "reason": lambda: merged_graph([owl]),
    }
    for what, attempt in attempts.items():
        with pytest.raises(InputError, match="cannot parse as xml") as info:
            attempt()
        assert info.value.file is not None and info.value.file.endswith(("truncated.rdf", "truncated.owl")), what
    code, _, err = _cli("validate", str(bad))
    assert code == 2 and f"{bad}:1: cannot parse as xml" in err


# ---------------------------------------------------------------- 7. numbers and control characters


@pytest.mark.parametrize("column,cell", [
    ("mitoses_per_2mm2", "9007199254740993"), ("positive_node_count", "18446744073709551617"),
    ("tumor_size_mm", "12345678901234567890"), ("ki67_percent", "4.00000000000000000001"),
    ("tumor_size_mm", "1e400"), ("ki67_percent", "1e-400"),
])
def test_numbers_a_float_would_change_are_refused(tmp_path: Path, column: str, cell: str) -> None:
    values = {"case_id": "A1", "histology": "net", "primary_subsite": "tail", "ki67_percent": "4", column: cell}
    src = _write(tmp_path, ",".join(values) + "\n" + ",".join(values.values()) + "\n")
    with pytest.raises(InputError) as info:
        read_cases(src)
    assert (info.value.line, info.value.field, info.value.value) == (2, column, cell)
    assert re.search("too many digits|not a finite number", info.value.message)


def test_exact_numbers_are_kept(tmp_path: Path) -> None:
    src = _write(tmp_path, HEADER + "A1,net,tail,25.5,,0.1,9007199254740992,none,,3,\n")
    case = read_cases(src).cases[0]
    assert (case.tumor_size_mm, case.ki67_percent, case.mitoses_per_2mm2) == (25.5, 0.1, 2 ** 53)


@pytest.mark.parametrize("text", ["A\x00", "A\x1b[2J", "\x1b]0;owned\x07A", "A\x9b31m", "A\x7f", "A\nB"])
def test_control_characters_in_text_are_refused_with_file_line_field(tmp_path: Path, text: str) -> None:
    records = [{"case_id": case_id, "histology": "net", "primary_subsite": "tail", "ki67_percent": 4}
               for case_id in ("ok", text)]
    src = _write(tmp_path, "[\n" + ",\n".join(map(json.dumps, records)) + "\n]\n", "cases.json")
    with pytest.raises(InputError, match="control character") as info:
        read_cases(src)
    assert (info.value.file, info.value.line, info.value.field) == (str(src), 3, "case_id")
    for field in ("histology", "positive_node_groups"):
        row = {"case_id": "A1", "histology": "net", "primary_subsite": "tail", "ki67_percent": "4", field: "net" + text}
        csv_src = _write(tmp_path, ",".join(row) + "\n" + ",".join(f'"{v}"' for v in row.values()) + "\n", "c.csv")
        with pytest.raises(InputError, match="control character") as info:
            read_cases(csv_src)
        assert (info.value.line, info.value.field) == (2, field)


def test_json_nested_100000_deep_is_a_clean_error(tmp_path: Path) -> None:
    src = _write(tmp_path, "[" + "[" * 100_000 + "]" * 100_000 + "]", "deep.json")
    with pytest.raises(InputError, match="nested too deeply"):
        read_cases(src)
    src = _write(tmp_path, '[{"case_id": ' + "[" * 100_000 + "]" * 100_000 + "}]", "deep2.json")
    with pytest.raises(InputError, match="nested too deeply"):
        read_cases(src)


def test_json_number_of_5000_digits_is_a_clean_error(tmp_path: Path) -> None:
    src = _write(tmp_path, '[{"case_id": "J1", "histology": "net", "primary_subsite": "tail", '
                           f'"ki67_percent": 4, "tumor_size_mm": {"9" * 5000}}}]', "long.json")
    with pytest.raises(InputError, match="too many digits") as info:
        read_cases(src)
    assert info.value.field == "tumor_size_mm" and "(5000 characters)" in str(info.value)
    code, out, err = _cli("stage", str(src))
    assert (code, out) == (2, "") and "too many digits" in err


# ---------------------------------------------------------------- 8. raw query files agree across engines


_XSD = "http://www.w3.org/2001/XMLSchema#"


def _term(node: Any) -> tuple[Any, ...] | None:
    """An RDF term as (kind, lexical form, datatype, language), compared exactly with two provisos of
    RDF itself: a simple literal is an xsd:string, and a decimal is its value (Oxigraph keeps numbers
    by value: the data's "3.0" comes back as "3", whichever query asks)."""
    if node is None:
        return None
    if isinstance(node, BNode):
        return ("bnode",)
    if isinstance(node, Literal):
        datatype = str(node.datatype) if node.datatype else None if node.language else _XSD + "string"
        lexical = str(node)
        if datatype == _XSD + "decimal":
            lexical = str(Decimal(lexical).normalize())
        return ("literal", lexical, datatype, node.language)
    assert isinstance(node, URIRef)
    return ("iri", str(node))


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> tuple[Graph, Any]:
    from pnet_kg.cases import write_cases
    from pnet_kg.dataset import Dataset

    cases = tmp_path_factory.mktemp("raw") / "cases.ttl"
    write_cases(read_cases(INPUT / "query" / "cases.csv").cases, cases, "ttl")
    graph = pnet_kg.load([cases])
    return graph, Dataset.open(graph, shipped=False).store


def _pinned() -> list[tuple[str, dict[str, str]]]:
    """Each query file once: its own defaults, and the value the pinned tests give a required parameter."""
    sys.path.insert(0, str(REPO / "tests"))
    from test_query import REQUIRED

    return [(q.name, {p.name: REQUIRED[p.name] for p in q.params if p.required}) for q in list_queries()]


@pytest.mark.parametrize("name,params", _pinned(), ids=lambda v: v if isinstance(v, str) else ",".join(v.values()))
def test_raw_query_file_gives_identical_terms_on_rdflib_and_pyoxigraph(name: str, params: dict[str, str],
                                                                       engines: tuple[Graph, Any]) -> None:
    # The file as a researcher pastes it into another SPARQL editor: its own prefixes, its own VALUES
    # defaults (or the one value the pinned tests give), no CLI normalisation of any kind.
    from pnet_kg.store import from_ox

    graph, store = engines
    text = bound_text(get_query(name), params)
    result = graph.query(text)
    on_rdflib = [tuple(_term(t) for t in row) for row in result]  # type: ignore[union-attr]
    solutions = store.query(text)
    columns = [v.value for v in solutions.variables]
    on_oxigraph = [tuple(_term(from_ox(t)) for t in row) for row in solutions]
    assert [str(v) for v in result.vars or []] == columns
    assert on_rdflib == on_oxigraph


def test_no_query_file_relies_on_group_concat() -> None:
    for named in list_queries():
        body = "\n".join(line for line in named.text.splitlines() if not line.lstrip().startswith("#"))
        assert "GROUP_CONCAT" not in body.upper(), named.name


def test_stage_group_rules_list_each_category_once() -> None:
    rows = pnet_kg.query("stage-group-rules").rows
    keys = [(r["rule"], r["axis"], r["category"]) for r in rows]
    assert len(keys) == len(set(keys))
    stage_i = [(r["axis"], r["category"]) for r in rows if r["stage"] == "pnet:StageI"]
    assert stage_i == [("T", "T1"), ("N", "N0"), ("M", "M0")]


def test_list_columns_header_is_refused() -> None:
    from pnet_kg.query import parse_header

    with pytest.raises(QueryError, match="list-columns"):
        parse_header("# title: t\n# question: q?\n# example: e\n# list-columns: x\nSELECT * WHERE {}", "x")


def _readme_examples() -> Iterator[tuple[str, str]]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for block in re.findall(r"```console\n(.*?)```", readme, re.S):
        if block.startswith("$ pnet-kg query") and block.count("\n$ ") == 0:
            command, _, output = block.partition("\n")
            yield command[2:], output


@pytest.mark.parametrize("command,expected", list(_readme_examples()), ids=lambda v: v.split(" -")[0][:60])
def test_readme_query_examples_still_hold(command: str, expected: str, monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    # "the four example cases of the case-file contract in cases.csv"
    contract = (INPUT / "query" / "cases.csv").read_text(encoding="utf-8").splitlines()[:5]
    _write(tmp_path, "\n".join(contract) + "\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = _cli(*command.split()[1:])
    assert code == 0, err
    assert out == expected


# ---------------------------------------------------------------- property-based: the readers never crash


def _read_outcome(path: Path, keep_going: bool) -> None:
    try:
        read = read_cases(path, keep_going=keep_going)
    except InputError as error:
        assert str(error)
        return
    for case in read.cases:
        check_case(case)  # a valid case
    assert all(isinstance(e, InputError) for e in read.errors)


_CELL = st.one_of(st.text(max_size=12), st.sampled_from(["net", "nec", "head", "tail", "4", "25 mm", "1e999", "NA",
                                                         "splenic;celiac", "-1", "nan", "2.5", "", "\x00"]))
_JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | st.sampled_from(
        ["net", "head", "splenic", "4"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.sampled_from(["cases.csv", "cases.json", "cases.tsv", "cases.txt"]),
       st.booleans())
def test_readers_given_arbitrary_bytes_raise_input_error_or_give_valid_cases(data: bytes, name: str,
                                                                             keep_going: bool) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(data)
        _read_outcome(path, keep_going)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400), st.sampled_from(["cases.csv", "cases.json"]), st.booleans())
def test_readers_given_arbitrary_text_raise_input_error_or_give_valid_cases(text: str, name: str,
                                                                            keep_going: bool) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        _read_outcome(path, keep_going)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(list(FIELDS) + ["Ki-67 (%)", "notes", ""]), min_size=1, max_size=8),
       st.lists(st.lists(_CELL, min_size=1, max_size=8), max_size=4), st.sampled_from([",", ";", "\t"]),
       st.booleans())
def test_csv_reader_given_arbitrary_tables_raises_input_error_or_gives_valid_cases(
        header: list[str], rows: list[list[str]], delimiter: str, keep_going: bool) -> None:
    def line(cells: list[str]) -> str:
        return delimiter.join('"' + c.replace('"', '""') + '"' for c in cells)

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "cases.csv"
        path.write_text("\n".join([line(header), *map(line, rows)]) + "\n", encoding="utf-8", errors="surrogatepass")
        _read_outcome(path, keep_going)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.dictionaries(st.sampled_from(list(FIELDS)), _JSON_VALUE, max_size=11) | _JSON_VALUE, max_size=4),
       st.booleans())
def test_json_reader_given_arbitrary_values_raises_input_error_or_gives_valid_cases(records: list[Any],
                                                                                     keep_going: bool) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "cases.json"
        path.write_text(json.dumps(records), encoding="utf-8", errors="surrogatepass")
        _read_outcome(path, keep_going)


def test_case_files_read_the_same_on_the_rdflib_engine(tmp_path: Path) -> None:
    src = INPUT / "query" / "cases.csv"
    on_rdflib = pnet_kg.query("cases-distant-nodes-without-liver", pnet_kg.load(), cases=[src]).tuples()
    assert on_rdflib == pnet_kg.query("cases-distant-nodes-without-liver", cases=[src]).tuples()
    notes = _write(tmp_path, "case_id,histology,primary_subsite,ki67_percent,notes\nA1,net,tail,4,x\n")
    with pytest.raises(InputError, match="unknown column"):
        pnet_kg.query("case-nodal-classification", pnet_kg.load(), cases=[notes])
