"""Issue 7: HTML documentation and the model diagram are generated from the ontology."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pnet_kg.docs import mermaid_diagram, write_docs

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_diagram_is_the_generated_one() -> None:
    block = re.search(r"```mermaid\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert block, "README has no mermaid diagram"
    assert block.group(1) == mermaid_diagram(), "regenerate the README diagram: pnet_kg.docs.mermaid_diagram()"


def test_diagram_shows_the_model() -> None:
    diagram = mermaid_diagram()
    assert "TumourCase --> Metastasis : hasMetastasis" in diagram
    assert "Claim --> Source : statedIn" in diagram
    assert "Claim <|-- StagingRule" in diagram


@pytest.mark.slow
def test_html_documentation_lists_every_class_with_label_and_definition(tmp_path: Path, graph) -> None:  # type: ignore[no-untyped-def]
    path = write_docs(tmp_path)
    assert path is not None and path.is_file()
    html = path.read_text(encoding="utf-8")
    for label in ("pancreatic neuroendocrine tumour", "lymph-node group", "node classification rule", "claim"):
        assert label in html
    assert "MONDO:0019954" in html  # cross-references are shown
    assert "A well-differentiated pancreatic neuroendocrine neoplasm" in html


@pytest.fixture(scope="module")
def html_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = write_docs(tmp_path_factory.mktemp("docs"))
    assert path is not None
    return path.read_text(encoding="utf-8")


def _entry(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    return html[start:html.index('<div class="property entity"', start + 1)]


@pytest.mark.slow
def test_html_lists_the_named_individuals_with_code_label_definition_and_xrefs(html_page: str) -> None:
    assert 'id="namedindividuals"' in html_page and 'href="#namedindividuals"' in html_page  # section and contents
    individuals = html_page[html_page.index('id="namedindividuals"'):]
    for label in ("celiac lymph nodes", "head of pancreas", "NET G1", "T1", "N1", "M1a", "stage IV"):
        assert f"<h3>{label}\n" in individuals, label
    celiac = _entry(individuals, "celiaclymphnodes")
    assert "NodeGroup_celiac" in celiac and ">Code</a>" in celiac and "<p>celiac</p>" in celiac
    assert "Lymph-node group of the regional-node table" in celiac  # definition
    assert "NCIT_C65166" in celiac and ">Close Match</a>" in celiac  # cross-references
    head = _entry(individuals, "headofpancreas")
    assert "Cross-references: ICDO:C25.0, NCIT:C12269, UBERON:0001069" in head
    assert individuals.count("<h3>celiac lymph nodes\n") == 1
    # claims and rules are statements, not vocabulary: not listed as individuals
    assert "pnet-kg/Rule_" not in individuals


@pytest.mark.slow
def test_html_is_the_same_from_build_to_build(tmp_path: Path, html_page: str) -> None:
    # blank nodes get new labels on every parse; pyLODE ordered restrictions and intersection
    # members by them. Two independent loads must give the same page.
    from pnet_kg.build import merged_ontology

    again = write_docs(tmp_path, merged_ontology())
    assert again is not None and again.read_text(encoding="utf-8") == html_page
