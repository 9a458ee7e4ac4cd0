"""Named queries: catalogue, parameter binding, same rows on rdflib, pyoxigraph and an endpoint, pinned answers, CLI.

Pinned answers live in tests/input/query/expected/<name>[--params].json: the real rows of
each named query on the shipped graph (case queries: on tests/input/query/cases.csv).
After a deliberate change to the knowledge, regenerate them with
``PNET_KG_REGEN_PINS=1 pytest tests/test_query.py -k pinned`` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import re
import socket
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import INPUT, run_cli, writable_oxigraph
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

import pnet_kg
from pnet_kg.errors import QueryError

Q = importlib.import_module("pnet_kg.query")

CASES_CSV = INPUT / "query" / "cases.csv"
EXPECTED = INPUT / "query" / "expected"
REGEN = os.environ.get("PNET_KG_REGEN_PINS") == "1"

#: Parameters for queries whose parameter is required, and extra variants worth pinning.
REQUIRED = {"source": "pnet:Source_001", "claim": "pnet:Claim_001_03", "category": "pnet:LymphNodeGroup"}
PINNED: list[tuple[str, dict[str, str]]] = [
    (q.name, {p.name: REQUIRED[p.name] for p in q.params if p.required}) for q in Q.list_queries()
] + [
    ("node-classification", {"subsite": "head", "node_group": "celiac"}),
    ("node-classification", {"subsite": "body", "node_group": "superior_mesenteric"}),
    ("node-disagreements", {"subsite": "tail"}),
    ("therapies", {"situation": "pnet:ProgressiveDisease"}),
    ("therapies", {"situation": "pnet:LiverMetastaticDisease", "tumour_type": "pnet:PancreaticDuctalAdenocarcinoma"}),
    ("therapies", {"situation": "pnet:FunctionalSyndrome"}),
    ("metastatic-sites", {"site": "pnet:Liver"}),
    ("survival-by-extent", {"extent": "pnet:DistantDisease"}),
    ("claims-of-source", {"source": "pnet:Source_003"}),
    ("sources-of-claim", {"claim": "pnet:Rule_SEER_EOD2018_head_celiac"}),
    ("evidence-hand", {"hand": "second-hand", "source": "pnet:Source_001"}),
    ("conflicting-claims", {"kind": "quantity"}),
    ("tnm-rules", {"system": "pnet:System_AJCC8_Exocrine"}),
    ("stage-group-rules", {"system": "pnet:System_AJCC8_Exocrine"}),
    ("term-list", {"category": "pnet:PrimarySubsite"}),
    ("term-list", {"category": "pnet:PancreaticNeoplasm"}),
    ("case-nodal-classification", {"classification": "distant"}),
    ("case-nodal-classification", {"system": "pnet:System_UICC8"}),
]


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def cases_ttl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pnet_kg.cases import read_cases, write_cases

    path = tmp_path_factory.mktemp("query") / "cases.ttl"
    write_cases(read_cases(CASES_CSV).cases, path, "ttl")
    return path


@pytest.fixture(scope="session")
def rdflib_graph(cases_ttl: Path) -> Graph:
    """The shipped graph plus the fixture cases, on rdflib."""
    return pnet_kg.load([cases_ttl])


@pytest.fixture(scope="session")
def ox_store(rdflib_graph: Graph) -> Any:
    from pnet_kg.dataset import Dataset

    return Dataset.open(rdflib_graph, shipped=False).store


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, float):
        return {"float": repr(value)}
    return value


def _pin_path(name: str, params: dict[str, str]) -> Path:
    suffix = "".join(f"--{k}={v.replace(':', '_')}" for k, v in sorted(params.items())
                     if v != REQUIRED.get(k))
    return EXPECTED / f"{name.replace('/', '__')}{suffix}.json"


def _run(name: str, params: dict[str, str], on: Any) -> Any:
    named = Q.get_query(name)
    return Q.run(Q.bound_text(named, params), on, named=named)


# ---------------------------------------------------------------- catalogue


def test_catalogue_has_the_issue_queries() -> None:
    names = {q.name for q in pnet_kg.list_queries()}
    assert {"node-classification", "node-disagreements", "case-nodal-classification",
            "cases-distant-nodes-without-liver", "metastatic-sites", "therapies", "survival-by-extent",
            "claims-of-source", "sources-of-claim", "evidence-hand", "evidence-by-source", "conflicting-claims",
            "grading-rules", "tnm-rules", "stage-group-rules", "term-list"} <= names
    assert any(n.startswith("qc/") and n.endswith("-violation") for n in names)


@pytest.mark.parametrize("named", Q.list_queries(), ids=lambda q: q.name)
def test_header_and_defaults(named: Any) -> None:
    assert named.title and named.question and named.example
    assert named.example.startswith(f"pnet-kg query {named.name}")
    assert named.scope in ("knowledge", "cases")
    for p in named.params:
        block = re.search(rf"VALUES \?{p.name} \{{([^}}]*)\}}", named.text)
        assert block, p.name
        inside = block.group(1).strip()
        if p.default == "any":
            assert inside == "UNDEF", f"{p.name}: default any needs VALUES UNDEF"
        elif p.default is not None:
            term = Q.bind_value(p, p.default)
            assert (Q.bind_value(p, inside) if p.type == "iri" else inside) in (term, term.n3())
    if named.name.startswith("qc/"):
        assert Q.run(named.text, None).columns == ["level", "rule", "subject", "property", "value", "message"]


@pytest.mark.parametrize("named", Q.list_queries(), ids=lambda q: q.name)
def test_file_runs_as_it_is_in_any_sparql_editor(named: Any, ox_store: Any) -> None:
    # Researchers paste the files into the query page of pnet-kg serve or another store:
    # each must declare its own prefixes and parse without pnet-kg's help.
    assert named.path is not None
    rows = list(ox_store.query(named.path.read_text(encoding="utf-8")))
    assert rows or named.params or named.name.startswith("qc/"), f"{named.name} answers nothing by default"


def test_parse_header_errors() -> None:
    with pytest.raises(QueryError, match="no '# title:'"):
        Q.parse_header("SELECT * WHERE {}", "x")
    with pytest.raises(QueryError, match="has no one-line 'VALUES"):
        Q.parse_header("# title: t\n# question: q?\n# param: a (string, default: any)\n# example: e\n"
                       "SELECT * WHERE {}", "x")
    with pytest.raises(QueryError, match="holds single values"):
        Q.parse_header("# title: t\n# question: q?\n# param: a (iri, default: any) allowed: pnet:A, or any pnet:B\n"
                       "# example: e\nSELECT * WHERE {\n  VALUES ?a { UNDEF }\n}", "x")
    with pytest.raises(QueryError, match="unknown type"):
        Q.parse_header("# title: t\n# question: q?\n# param: a (float, default: any)\n# example: e\n"
                       "SELECT * WHERE { VALUES ?a { UNDEF } }", "x")


# ---------------------------------------------------------------- engines agree


@pytest.mark.slow  # the raw files are compared on both engines in tests/hostile (fast set)
@pytest.mark.parametrize("name,params", PINNED, ids=lambda v: v if isinstance(v, str) else ",".join(v.values()))
def test_same_rows_on_rdflib_and_pyoxigraph(name: str, params: dict[str, str], rdflib_graph: Graph,
                                             ox_store: Any) -> None:
    a = _run(name, params, rdflib_graph)
    b = _run(name, params, ox_store)
    assert a.columns == b.columns
    assert a.tuples() == b.tuples()
    assert a.labels == b.labels


@pytest.fixture(scope="session")
def shuffled_graph(rdflib_graph: Graph) -> Graph:
    """The same triples inserted in another order: engines store and scan in orders of their own."""
    import random

    triples = list(rdflib_graph)
    random.Random(3).shuffle(triples)
    shuffled = Graph()
    for triple in triples:
        shuffled.add(triple)
    return shuffled


@pytest.mark.slow
@pytest.mark.parametrize("name,params", PINNED, ids=lambda v: v if isinstance(v, str) else ",".join(v.values()))
def test_row_order_is_fixed_by_the_query(name: str, params: dict[str, str], rdflib_graph: Graph,
                                         shuffled_graph: Graph) -> None:
    # ORDER BY must be total, so that any engine lists the rows in one order: storing the triples
    # in another order must not change it.
    assert _run(name, params, shuffled_graph).tuples() == _run(name, params, rdflib_graph).tuples()


@pytest.mark.parametrize("name,params", PINNED, ids=lambda v: v if isinstance(v, str) else ",".join(v.values()))
def test_pinned(name: str, params: dict[str, str], rdflib_graph: Graph) -> None:
    result = _run(name, params, rdflib_graph)
    got = {"columns": result.columns, "rows": [[_encode(v) for v in row] for row in result.tuples()]}
    path = _pin_path(name, params)
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert path.is_file(), f"no pinned answer {path.name}: run with PNET_KG_REGEN_PINS=1"
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert got == expected


def test_knowledge_queries_on_shipped_graph_alone() -> None:
    """The default target is the shipped graph: case queries find no cases there."""
    assert pnet_kg.query("case-nodal-classification").rows == []
    assert len(pnet_kg.query("grading-rules")) > 0


# ---------------------------------------------------------------- what the answers say


def _pairs(rows: list[dict[str, Any]]) -> set[tuple[Any, Any]]:
    return {(r["staging_system"], r["classification"]) for r in rows}


def test_celiac_node_with_head_primary_distant_under_seer_regional_under_uicc() -> None:
    rows = pnet_kg.query("node-classification", subsite="head", node_group="celiac").rows
    pairs = _pairs(rows)
    assert ("pnet:System_AJCC8_SEER_EOD2018", "pnet:Distant") in pairs
    assert ("pnet:System_UICC8", "pnet:Regional") in pairs
    assert all(r["disagreement"] is True for r in rows)
    seer = [r for r in rows if r["staging_system"] == "pnet:System_AJCC8_SEER_EOD2018"]
    assert seer[0]["source"] == "pnet:Source_SEER_EOD2018" and seer[0]["rests_on"] == "pnet:Source_AJCC8"


def test_superior_mesenteric_body_disagreement_cs_vs_seer() -> None:
    pairs = _pairs(pnet_kg.query("node-classification", subsite="tail", node_group="superior_mesenteric").rows)
    assert ("pnet:System_AJCC8_SEER_EOD2018", "pnet:Regional") in pairs
    assert ("pnet:System_CSv0205", "pnet:Distant") in pairs


def test_two_centimetre_line_differs_between_ajcc_and_uicc() -> None:
    # AJCC 8: T1 is below 20 mm, so exactly 20 mm is T2; UICC 8 (as recorded): T1 is 20 mm or less.
    rows = pnet_kg.query("conflicting-claims", kind="threshold").rows
    t1 = [r for r in rows if r["object"] == "pnet:T1"]
    assert [(r["claim_a"], r["max_a"], r["says_a"], r["claim_b"], r["max_b"], r["says_b"]) for r in t1] == [
        ("pnet:Rule_AJCC8_NET_T1_size", Decimal(20), "no lower bound, upper bound excluded",
         "pnet:Rule_UICC8_NET_T1_size", Decimal(20), "no lower bound, upper bound included")]
    assert {r["object"] for r in rows} == {"pnet:T1", "pnet:T2"}  # above 40 mm both say T3
    # staging follows the AJCC chapter whatever else the graph holds
    assert pnet_kg.stage({"case_id": "x", "histology": "net", "primary_subsite": "head", "tumor_size_mm": "20",
                          "ki67_percent": "1"}).t == "T2"


def test_quantity_conflict_between_two_sources_is_shown(tmp_path: Path) -> None:
    # The five documents happen to state no two different numbers for one quantity; a curator's
    # addition that does must show up, each side with its own source.
    extra = tmp_path / "other-view.ttl"
    extra.write_text("""
@prefix pnet: <https://w3id.org/pnet-kg/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
pnet:Claim_test_01 a pnet:Claim ; pnet:statedIn pnet:Source_002 ;
  pnet:claimAspect pnet:Aspect_proportion_at_presentation ; pnet:claimSubject pnet:PancreaticNeuroendocrineTumour ;
  pnet:claimObject pnet:LiverMetastasis ; pnet:unit pnet:Unit_proportion ; pnet:value "0.6"^^xsd:decimal .
""", encoding="utf-8")
    graph = pnet_kg.load([extra])
    rows = [r for r in pnet_kg.query("conflicting-claims", graph, kind="quantity").rows
            if "pnet:Claim_test_01" in (r["claim_a"], r["claim_b"])]
    assert len(rows) == 2  # source 000 states 25 % twice (two sentences), each a claim of its own
    for r in rows:
        sides = {(r["source_a"], r["value_a"]), (r["source_b"], r["value_b"])}
        assert sides == {("pnet:Source_000", Decimal("0.25")), ("pnet:Source_002", Decimal("0.6"))}
        assert r["object"] == "pnet:LiverMetastasis"


def test_uncinate_uses_head_family() -> None:
    a = pnet_kg.query("node-classification", subsite="uncinate").rows
    b = pnet_kg.query("node-classification", subsite="head").rows
    assert a == b and {r["family"] for r in a} == {"pnet:SubsiteFamily_head"}


def test_system_filter_keeps_one_system() -> None:
    rows = pnet_kg.query("node-classification", system="pnet:System_UICC8").rows
    assert rows and {r["staging_system"] for r in rows} == {"pnet:System_UICC8"}


def test_case_nodal_classification_matches_the_contract_examples(ox_store: Any) -> None:
    rows = pnet_kg.query("case-nodal-classification", ox_store).rows
    got = {(r["case_id"], r["node_group"]): r["classification"] for r in rows}
    assert got[("A1", "splenic")] == "regional"
    assert got[("A3", "splenic")] == "distant" and got[("A3", "portal_vein")] == "regional"
    assert got[("A4", "celiac")] == "distant"
    assert got[("A6", "celiac")] == "distant"  # uncinate = head family
    without_liver = [r["case_id"] for r in pnet_kg.query("cases-distant-nodes-without-liver", ox_store).rows]
    assert without_liver == ["A3", "A4", "A6"]  # A5 has distant nodes and liver metastasis


def test_claims_and_sources_of_one_claim() -> None:
    claims = pnet_kg.query("claims-of-source", source="Source_001").rows
    assert claims and all(r["claim"].startswith("pnet:Claim_001_") for r in claims)
    sources = pnet_kg.query("sources-of-claim", claim="Rule_SEER_EOD2018_head_celiac").rows
    assert [(r["role"], r["source"]) for r in sources] == [
        ("stated in", "pnet:Source_SEER_EOD2018"), ("rests on", "pnet:Source_AJCC8")]
    assert {r["hand"] for r in sources} == {"second-hand"}


def test_grading_rules_hold_the_who_thresholds() -> None:
    rows = pnet_kg.query("grading-rules").rows
    g2 = [r for r in rows if r["grade"] == "pnet:GradeG2" and r["variable"] == "pnet:Ki67Index"]
    assert len(g2) == 1
    assert (g2[0]["lower"], g2[0]["lower_inclusive"], g2[0]["upper"], g2[0]["upper_inclusive"]) == (
        Decimal(3), True, Decimal(20), True)


def test_values_are_plain_python() -> None:
    rows = pnet_kg.query("evidence-by-source").rows
    by_source = {r["source"]: r for r in rows}
    assert isinstance(by_source["pnet:Source_002"]["date"], dt.date)
    assert isinstance(by_source["pnet:Source_002"]["claims"], int)
    result = pnet_kg.query("term-list", category="pnet:SubsiteFamily")
    assert result.labels["pnet:SubsiteFamily_head"] == str(
        pnet_kg.load().value(URIRef("https://w3id.org/pnet-kg/SubsiteFamily_head"), RDFS.label))
    record = result.records()[0]
    assert list(record)[:2] == ["term", "term_label"]


# ---------------------------------------------------------------- binding is safe


INJECTIONS = ['x" } UNION { ?s ?p ?o } #', "x' } ; DROP ALL ; {", "}} SELECT * WHERE { ?s ?p ?o }",
              'pnet:Source_001> } UNION { ?claim ?p ?o', "head\n} #", "\\u0022 } #"]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_in_iri_parameter_is_refused(value: str) -> None:
    with pytest.raises(QueryError, match="not a valid iri|unknown prefix|not allowed"):
        pnet_kg.query("claims-of-source", source=value)


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_in_closed_code_parameter_lists_allowed_values(value: str) -> None:
    with pytest.raises(QueryError, match="allowed values: head, uncinate, body, tail, neck, overlapping, unknown"):
        pnet_kg.query("node-classification", subsite=value)


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_in_open_text_parameter_gives_an_empty_answer(value: str) -> None:
    assert pnet_kg.query("term-list", category="pnet:LymphNodeGroup", search=value).rows == []
    # a code names something in the graph: what names nothing is refused, not answered with no rows
    with pytest.raises(QueryError, match="names nothing in the graph"):
        pnet_kg.query("node-classification", node_group=value)


def test_text_with_quotes_and_braces_is_matched_exactly(ox_store: Any) -> None:
    rows = pnet_kg.query("case-nodal-classification", ox_store, case_id='Q"1 {SELECT * WHERE}').rows
    assert [(r["case_id"], r["node_group"], r["classification"]) for r in rows] == [
        ('Q"1 {SELECT * WHERE}', "celiac", "regional")]
    assert pnet_kg.query("case-nodal-classification", ox_store, case_id='Q"1 {SELECT').rows == []


def test_unknown_names_and_ill_typed_values() -> None:
    with pytest.raises(QueryError, match=r"unknown query 'nope'; known queries: .*node-classification"):
        pnet_kg.query("nope")
    with pytest.raises(QueryError, match=r"no parameter 'sub'; its parameters: subsite \(code"):
        pnet_kg.query("node-classification", sub="head")
    with pytest.raises(QueryError, match="is required"):
        pnet_kg.query("claims-of-source", source=None)
    with pytest.raises(QueryError, match="needs parameter 'source'"):
        pnet_kg.query("claims-of-source")
    with pytest.raises(QueryError, match="unknown prefix 'nope'"):
        pnet_kg.query("claims-of-source", source="nope:x")
    with pytest.raises(QueryError, match="allowed values: first-hand, second-hand"):
        pnet_kg.query("evidence-hand", hand="third-hand")
    integer = Q.Param("n", "integer", "any")
    with pytest.raises(QueryError, match="not a valid integer"):
        Q.bind_value(integer, "1; DROP")
    with pytest.raises(QueryError, match="not a valid decimal"):
        Q.bind_value(Q.Param("d", "decimal", "any"), "NaN")
    with pytest.raises(QueryError, match="not a valid boolean"):
        Q.bind_value(Q.Param("b", "boolean", "any"), "maybe")
    assert Q.bind_value(Q.Param("d", "date", "any"), "2021-06-05").n3().startswith('"2021-06-05"^^')


def test_literal_values_compare_as_values() -> None:
    decimal = "http://www.w3.org/2001/XMLSchema#decimal"
    assert Q.literal_value("13.0", decimal) == Q.literal_value("13", decimal)
    assert str(Q.literal_value("13.0", decimal)) == "13" and str(Q.literal_value("0.450", decimal)) == "0.45"
    assert str(Q.literal_value("100", decimal)) == "100"
    assert Q.literal_value("true", "http://www.w3.org/2001/XMLSchema#boolean") is True
    assert Q.literal_value("x", None, "en") == "x"
    assert Q.literal_value("not-a-date", "http://www.w3.org/2001/XMLSchema#date") == "not-a-date"


def test_dataframe_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    result = pnet_kg.query("grading-rules")  # pandas is a test extra, so this runs in CI
    frame = result.to_dataframe(labels=True)
    assert list(frame.columns)[:2] == ["grade", "grade_label"] and len(frame) == len(result)
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(QueryError, match="needs pandas"):
        result.to_dataframe()


# ---------------------------------------------------------------- remote endpoint


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module", params=["pnet-kg serve", "pnet-kg push"])
def endpoint(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, cases_ttl: Path) -> Any:
    """A real Oxigraph server holding the shipped graph and the fixture cases, reached over HTTP.

    ``pnet-kg serve``: the read-only endpoint the serve command starts (cases imported on
    the fly); ``pnet-kg push``: a writable Oxigraph server (union default graph) the graph
    and the cases were pushed to, as a user scaling out would do.
    """
    from pnet_kg.push import push
    from pnet_kg.serve import serve

    if request.param == "pnet-kg serve":
        with serve([cases_ttl], port=_free_port()) as server:
            yield server.query_url
        return
    with writable_oxigraph(tmp_path_factory.mktemp("push")) as base:
        push(base + "store", [cases_ttl])
        yield base + "query"


@pytest.mark.slow
@pytest.mark.parametrize("name,params", PINNED, ids=lambda v: v if isinstance(v, str) else ",".join(v.values()))
def test_same_rows_on_a_remote_endpoint(name: str, params: dict[str, str], endpoint: str, rdflib_graph: Graph) -> None:
    local = _run(name, params, rdflib_graph)
    remote = _run(name, params, endpoint)
    assert remote.columns == local.columns
    assert remote.tuples() == local.tuples()
    assert remote.labels == local.labels


def test_unreachable_endpoint_is_a_clear_error() -> None:
    with pytest.raises(QueryError, match="cannot reach endpoint"):
        pnet_kg.query("grading-rules", f"http://127.0.0.1:{_free_port()}/query")
    with pytest.raises(QueryError, match="not an http"):
        pnet_kg.query("grading-rules", "ftp://example.org/sparql")


# ---------------------------------------------------------------- CLI


def test_cli_list_and_describe() -> None:
    listed = run_cli("query", "--list", "-O", "tsv")
    assert listed.returncode == 0, listed.stderr
    assert "node-classification\tknowledge\tsubsite=any, node_group=any, system=any" in listed.stdout
    described = run_cli("query", "node-classification", "--describe")
    assert described.returncode == 0 and "subsite (code, default any; head, uncinate" in described.stdout


def test_cli_named_query_formats() -> None:
    out = run_cli("query", "node-classification", "-p", "subsite=head", "-p", "node_group=celiac", "-O", "csv")
    assert out.returncode == 0, out.stderr
    header = out.stdout.splitlines()[0].split(",")
    assert header[:4] == ["family", "family_label", "node_group", "group"]
    assert "pnet:System_UICC8,UICC TNM 8th edition, pancreas" not in out.stdout  # CSV quotes labels with commas
    table = run_cli("query", "grading-rules")
    assert table.returncode == 0 and table.stdout.splitlines()[1].startswith("-----")
    as_json = json.loads(run_cli("query", "grading-rules", "-O", "json", "--no-labels").stdout)
    assert "grade_label" not in as_json[0]
    assert run_cli("query", "grading-rules", "-O", "markdown").stdout.startswith("| grade |")


def test_cli_cases_file_query(tmp_path: Path) -> None:
    out = run_cli("query", "cases-distant-nodes-without-liver", "--cases", str(CASES_CSV), "-O", "csv")
    assert out.returncode == 0, out.stderr
    assert [line.split(",")[0] for line in out.stdout.splitlines()[1:]] == ["A3", "A4", "A6"]


def test_cli_file_query(tmp_path: Path) -> None:
    rq = tmp_path / "my.rq"
    rq.write_text("SELECT ?label WHERE { pnet:Liver rdfs:label ?label }\n", encoding="utf-8")
    out = run_cli("query", "--file", str(rq), "-O", "csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout == "label\nliver\n"
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT WHERE {", encoding="utf-8")
    failed = run_cli("query", "--file", str(bad))
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert f"{bad}: line 1, column " in failed.stderr  # the file and the place in it
    # an undeclared prefix is named, at its line in the user's file (not in the text pnet-kg runs)
    bad.write_text("SELECT ?s WHERE {\n  ?s a pnet:Metastasis ;\n     foo:site ?o }\n", encoding="utf-8")
    failed = run_cli("query", "--file", str(bad))
    assert failed.returncode == 2 and f"{bad}: line 3, column " in failed.stderr
    assert "unknown prefix 'foo:'" in failed.stderr


def test_cli_errors_list_what_is_allowed() -> None:
    unknown = run_cli("query", "nope")
    assert unknown.returncode == 2 and "known queries:" in unknown.stderr and "node-classification" in unknown.stderr
    bad_param = run_cli("query", "node-classification", "-p", "sub=head")
    assert bad_param.returncode == 2 and "its parameters: subsite (code" in bad_param.stderr
    bad_value = run_cli("query", "node-classification", "-p", "subsite=liver")
    assert bad_value.returncode == 2 and "allowed values: head, uncinate" in bad_value.stderr
    no_equals = run_cli("query", "node-classification", "-p", "subsite")
    assert no_equals.returncode == 2 and "expected NAME=VALUE" in no_equals.stderr
    nothing = run_cli("query")
    assert nothing.returncode == 2 and "--list" in nothing.stderr
    for result in (unknown, bad_param, bad_value, no_equals, nothing):
        assert "Traceback" not in result.stderr


def test_cli_claims_and_sources() -> None:
    claims = run_cli("claims", "--source", "Source_001", "-O", "csv")
    assert claims.returncode == 0, claims.stderr
    assert claims.stdout.splitlines()[1].startswith("pnet:Claim_001_")
    sources = run_cli("sources", "--claim", "pnet:Rule_SEER_EOD2018_head_celiac", "-O", "csv")
    assert sources.returncode == 0, sources.stderr
    assert "stated in,pnet:Source_SEER_EOD2018" in sources.stdout and "rests on,pnet:Source_AJCC8" in sources.stdout
    missing = run_cli("claims", "--source", "Source_999")
    # not a source of the graph: refused with the closest sources, not "no claims"
    assert missing.returncode == 2 and "names nothing in the graph" in missing.stderr
    assert "pnet:Source_" in missing.stderr


def test_cli_columns_option() -> None:
    out = run_cli("query", "grading-rules", "-c", "grade,lower,upper", "-O", "csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "grade,grade_label,lower,upper"
    bad = run_cli("query", "grading-rules", "-c", "nope")
    assert bad.returncode == 2 and "the columns are: grade, rank" in bad.stderr
