from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.compare import isomorphic

from pnet_kg.fmt import canonical_turtle, format_files, source_files


def test_committed_sources_are_canonical() -> None:
    offenders = [r.path for r in format_files(source_files(), check=True) if r.changed]
    assert offenders == [], f"run `pnet-kg fmt`: {offenders}"


def test_canonical_form_is_stable_and_lossless(tmp_path: Path) -> None:
    # A file as Protégé might save it: other prefix names, other order, blank nodes.
    messy = tmp_path / "messy.ttl"
    messy.write_text(
        "@prefix : <https://w3id.org/pnet-kg/> .\n@prefix o: <http://www.w3.org/2002/07/owl#> .\n"
        ":B a o:Class ; <http://www.w3.org/2000/01/rdf-schema#subClassOf> [ a o:Restriction ;"
        " o:onProperty :p ; o:someValuesFrom :C ] .\n:A a o:Class .\n"
    )
    original = Graph().parse(messy)
    format_files([messy])
    once = messy.read_text()
    assert isomorphic(Graph().parse(messy), original)
    format_files([messy])
    assert messy.read_text() == once
    assert "@prefix pnet: <https://w3id.org/pnet-kg/> ." in once  # the OWL API reads no PREFIX form
    assert once.index("pnet:A") < once.index("pnet:B")


def test_check_reports_without_writing(tmp_path: Path) -> None:
    f = tmp_path / "x.ttl"
    f.write_text("<https://w3id.org/pnet-kg/x> a <https://w3id.org/pnet-kg/Y> .\n")
    before = f.read_text()
    [result] = format_files([f], check=True)
    assert result.changed and f.read_text() == before
    assert canonical_turtle(Graph().parse(f)) != before


def test_blank_nodes_order_does_not_follow_the_input_order(tmp_path: Path) -> None:
    # owl:AllDifferent axioms are top-level blank nodes of the same shape. Without canonical
    # blank-node labels their order followed the order of the input, so two `fmt` runs
    # swapped them back and forth.
    head = "@prefix o: <http://www.w3.org/2002/07/owl#> .\n@prefix : <https://w3id.org/pnet-kg/> .\n"
    axioms = [f"[] a o:AllDifferent ; o:distinctMembers ( :{a} :{b} ) .\n"
              for a, b in [("Liver", "Lung"), ("G1", "G2"), ("T1", "T2"), ("Head", "Tail"), ("N0", "N1")]]
    forward, backward = tmp_path / "forward.ttl", tmp_path / "backward.ttl"
    forward.write_text(head + "".join(axioms))
    backward.write_text(head + "".join(reversed(axioms)))
    format_files([forward, backward])
    assert forward.read_text() == backward.read_text()
    assert not any(r.changed for r in format_files([forward, backward], check=True))


def test_adding_a_term_changes_only_its_own_lines(tmp_path: Path) -> None:
    # rdflib orders subjects by how often they are referenced: a new term pointing at
    # pnet:AnatomicalSite used to move that class's block. The diff must hold only the new block.
    import difflib

    from pnet_kg.resources import ontology_dir

    source = ontology_dir() / "anatomy.ttl"
    target = tmp_path / "anatomy.ttl"
    before = source.read_text(encoding="utf-8")
    target.write_text(before + "\n<https://w3id.org/pnet-kg/AaaNewSite> a <http://www.w3.org/2002/07/owl#Class> ;\n"
                      "  <http://www.w3.org/2000/01/rdf-schema#subClassOf> <https://w3id.org/pnet-kg/AnatomicalSite> ,"
                      " <https://w3id.org/pnet-kg/Liver> .\n", encoding="utf-8")
    format_files([target])
    diff = [line for line in difflib.unified_diff(before.splitlines(), target.read_text().splitlines(), n=0, lineterm="")
            if not line.startswith(("---", "+++", "@@"))]
    assert not [line for line in diff if line.startswith("-")], diff
    # difflib may align the new block's closing "." and blank line with the neighbour's: compare the content
    added = [line[1:].strip() for line in diff if line[1:].strip() not in ("", ".")]
    assert added == ["pnet:AaaNewSite", "a owl:Class ;", "rdfs:subClassOf", "pnet:AnatomicalSite ,", "pnet:Liver ;"], added
    assert len(diff) == 7, diff  # those lines, one "." and one blank line


def test_subjects_are_in_iri_order_not_reference_order(tmp_path: Path) -> None:
    f = tmp_path / "x.ttl"
    f.write_text("@prefix : <https://w3id.org/pnet-kg/> .\n:A :p :Z . :B :p :Z . :C :p :Z . :Z :p :A .\n")
    format_files([f])
    text = f.read_text()
    assert text.index("\npnet:A\n") < text.index("\npnet:B\n") < text.index("\npnet:C\n") < text.index("\npnet:Z\n")
