"""Issue 7: HTML documentation and the model diagram are generated from the ontology."""

from __future__ import annotations

import re
from pathlib import Path

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


def test_html_documentation_lists_every_class_with_label_and_definition(tmp_path: Path, graph) -> None:  # type: ignore[no-untyped-def]
    path = write_docs(tmp_path)
    assert path is not None and path.is_file()
    html = path.read_text(encoding="utf-8")
    for label in ("pancreatic neuroendocrine tumour", "lymph-node group", "node classification rule", "claim"):
        assert label in html
    assert "MONDO:0019954" in html  # cross-references are shown
    assert "A well-differentiated pancreatic neuroendocrine neoplasm" in html
