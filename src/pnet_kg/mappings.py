"""The SSSOM mapping file, generated from the graph's cross-references and written with sssom-py.

Every ``oboInOwl:hasDbXref`` (an exact match, as in OBO practice) and every
``skos:exactMatch``/``closeMatch``/``broadMatch``/``narrowMatch``/``relatedMatch`` on a
pnet-kg term becomes one row. Its comment says how it was checked: against the identifiers
transcribed from the project's reference notes (``ontology/mappings/reference-identifiers.tsv``),
or that no reference lists it. The prefix map is the project's one (:func:`pnet_kg.prefixes.converter`).

sssom-py is a curator's tool, not a runtime dependency: ``pip install 'pnet-kg[curation]'``.

>>> rows = mapping_rows()
>>> [r["predicate_id"] for r in rows if r["subject_id"] == "pnet:Insulinoma" and r["object_id"] == "ICDO:8151/3"]
['skos:closeMatch']
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import curies
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from .errors import PnetKgError
from .io import atomic_write_text
from .load import load
from .prefixes import OBOINOWL, PNET, converter
from .resources import ontology_dir

#: Predicates read from the graph -> SSSOM predicate (a database cross-reference is an exact match).
PREDICATES: dict[URIRef, str] = {
    OBOINOWL.hasDbXref: "skos:exactMatch",
    SKOS.exactMatch: "skos:exactMatch",
    SKOS.closeMatch: "skos:closeMatch",
    SKOS.broadMatch: "skos:broadMatch",
    SKOS.narrowMatch: "skos:narrowMatch",
    SKOS.relatedMatch: "skos:relatedMatch",
}
COLUMNS = ("subject_id", "subject_label", "predicate_id", "object_id", "object_label",
           "mapping_justification", "comment")
MAPPING_SET_ID = f"{PNET}mappings/pnet-kg.sssom.tsv"
#: Prefixes SSSOM itself needs besides those of the identifiers.
_SSSOM_PREFIXES = {
    "semapv": "https://w3id.org/semapv/vocab/",
    "sssom": "https://w3id.org/sssom/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#",
}


@dataclass(frozen=True)
class Reference:
    """One identifier of the reference table: its label, the concept it names, and where it was read."""

    curie: str
    label: str
    concept: str
    section: str
    source: str


def mappings_dir() -> Path:
    """``ontology/mappings/``: the generated SSSOM file and the reference identifiers."""
    return ontology_dir() / "mappings"


@lru_cache(maxsize=1)
def reference_identifiers() -> dict[str, Reference]:
    """The identifiers transcribed from the reference notes, by CURIE.

    >>> reference_identifiers()["NCIT:C95598"].concept
    'pancreatic insulinoma'
    """
    path = mappings_dir() / "reference-identifiers.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return {row["curie"]: Reference(**row) for row in csv.DictReader(lines, delimiter="\t")}


def _curie(node: object) -> str:
    if isinstance(node, Literal):
        return str(node)
    compressed = converter().compress(str(node))
    return compressed if compressed else str(node)


def _comment(predicate: URIRef, object_id: str, ref: Reference | None) -> str:
    asserted = "asserted as oboInOwl:hasDbXref" if predicate == OBOINOWL.hasDbXref else \
        f"asserted as {PREDICATES[predicate]}"
    if ref is None:
        return f"not listed in the reference identifiers (identifiers.md): unchecked; {asserted}"
    return (f"checked: {object_id} is '{ref.label}' ({ref.concept}) in {ref.section} [{ref.source}]; {asserted}")


def mapping_rows(graph: Graph | None = None) -> list[dict[str, str]]:
    """One row per cross-reference or SKOS match of a pnet-kg term, sorted, with its check in the comment."""
    g = graph if graph is not None else load()
    refs = reference_identifiers()
    rows = []
    for predicate, sssom_predicate in PREDICATES.items():
        for subject, obj in g.subject_objects(predicate):
            if not (isinstance(subject, URIRef) and str(subject).startswith(str(PNET))):
                continue
            object_id = _curie(obj)
            ref = refs.get(object_id)
            rows.append({
                "subject_id": _curie(subject),
                "subject_label": str(g.value(subject, RDFS.label) or ""),
                "predicate_id": sssom_predicate,
                "object_id": object_id,
                "object_label": ref.label if ref else "",
                "mapping_justification": "semapv:ManualMappingCuration",
                "comment": _comment(predicate, object_id, ref),
            })
    rows.sort(key=lambda r: (r["subject_id"], r["object_id"], r["predicate_id"]))
    return rows


def require_sssom() -> Any:
    """sssom-py's ``MappingSetDataFrame``, or a :class:`PnetKgError` saying how to install sssom-py."""
    try:
        from sssom.util import MappingSetDataFrame  # optional (extra "curation"), and 0.8 s to import
    except ImportError as exc:
        raise PnetKgError("writing the SSSOM mapping file needs sssom-py: pip install 'pnet-kg[curation]' "
                          "(or pip install sssom)") from exc
    return MappingSetDataFrame


def mapping_set(rows: list[dict[str, str]] | None = None, release: dict[str, str] | None = None) -> Any:
    """The rows as an sssom-py ``MappingSetDataFrame`` whose prefix map is the project's (the prefixes used)."""
    import pandas as pd  # optional (sssom-py's dependency, extra "curation"), and 0.25 s to import

    msdf_class = require_sssom()
    rows = rows if rows is not None else mapping_rows()
    used = {r[c].split(":", 1)[0] for r in rows for c in ("subject_id", "predicate_id", "object_id")}
    project = converter().prefix_map
    prefix_map = {p: project[p] for p in sorted(used) if p in project}
    prefix_map.update(_SSSOM_PREFIXES)
    metadata = {
        "mapping_set_id": MAPPING_SET_ID,
        "mapping_set_description": "Cross-references of pnet-kg terms, generated by `pnet-kg generate` from the "
                                   "graph (oboInOwl:hasDbXref as skos:exactMatch, and the skos match properties); "
                                   "each comment says how the identifier was checked. Do not edit by hand.",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        **(release or {}),
    }
    return msdf_class(df=pd.DataFrame(rows, columns=list(COLUMNS)), converter=curies.Converter.from_prefix_map(prefix_map),
                      metadata=metadata)


def mappings_text(graph: Graph | None = None, release: dict[str, str] | None = None) -> str:
    """The SSSOM/TSV text that :func:`write_mappings` writes (sssom-py's own serialisation).

    ``release`` adds metadata to the header (``mapping_set_version``, ``mapping_date``) for a release copy.
    """
    from sssom.writers import write_table  # optional (extra "curation"), and 0.8 s to import

    msdf = mapping_set(mapping_rows(graph), release)
    buffer = io.StringIO()
    write_table(msdf, buffer)
    return buffer.getvalue()


def write_mappings(target: Path | None = None, graph: Graph | None = None,
                   release: dict[str, str] | None = None) -> tuple[Path, bool]:
    """Write the mapping file (default ``ontology/mappings/pnet-kg.sssom.tsv``); return it and whether it changed.

    ``release`` (see :func:`mappings_text`) is for the copy ``pnet-kg build`` writes beside the release artifacts.
    """
    path = target if target is not None else mappings_dir() / "pnet-kg.sssom.tsv"
    text = mappings_text(graph, release)
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if old != text:
        atomic_write_text(path, text)
    return path, old != text


def contradictions(graph: Graph | None = None) -> list[str]:
    """Exact matches the reference identifiers contradict: a term whose exact matches name different concepts
    there, or an exact match to an identifier the reference marks UNVERIFIED.

    >>> g = Graph().parse(data='''@prefix o: <http://www.geneontology.org/formats/oboInOwl#> .
    ...   <https://w3id.org/pnet-kg/Insulinoma> o:hasDbXref "NCIT:C95598", "ICDO:8151/3" .''', format="turtle")
    >>> print(contradictions(g)[0])
    pnet:Insulinoma: exact matches name different concepts in the reference: ICDO:8151/3 (malignant insulinoma), NCIT:C95598 (pancreatic insulinoma)
    """
    refs = reference_identifiers()
    exact: dict[str, list[str]] = {}
    for row in mapping_rows(graph):
        if row["predicate_id"] == "skos:exactMatch" and row["object_id"] in refs:
            exact.setdefault(row["subject_id"], []).append(row["object_id"])
    problems = []
    for subject, curies_ in sorted(exact.items()):
        concepts = {refs[c].concept for c in curies_}
        if len(concepts) > 1:
            listed = ", ".join(f"{c} ({refs[c].concept})" for c in sorted(curies_))
            problems.append(f"{subject}: exact matches name different concepts in the reference: {listed}")
        problems += [f"{subject}: exact match to {c}, which the reference marks UNVERIFIED"
                     for c in sorted(curies_) if "UNVERIFIED" in refs[c].concept]
    return problems
