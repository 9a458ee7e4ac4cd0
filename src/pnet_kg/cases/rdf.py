"""Cases as RDF: the IRI and triples of a case, as rdflib terms, N-Triples or Turtle, and written to a file.

>>> print(case_rdf(Case("A1", "net", "tail", ki67_percent=4), load_rules().vocabulary, "nt").splitlines()[0])
<https://w3id.org/pnet-kg/case/A1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/pnet-kg/TumourCase> .
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Literal
from urllib.parse import quote

from rdflib import Literal as RdfLiteral
from rdflib import URIRef

from ..errors import InputError
from ..guard import as_path, check_choice, check_type
from ..io import atomic_writer
from ..prefixes import CASE, PNET, RDF, XSD
from ..rules import Vocabulary, load_rules
from .model import Case, decimal_text

CASE_NS = str(CASE)
_XSD = str(XSD)
_RDF_TYPE = str(RDF.type)

CaseSyntax = Literal["ttl", "nt"]

Term = tuple[Literal["iri"], str] | tuple[Literal["lit"], str, str | None]


def case_iri(case_id: str) -> str:
    """The IRI of a case: the case namespace plus the percent-encoded identifier.

    >>> case_iri("A 1/2")
    'https://w3id.org/pnet-kg/case/A%201%2F2'
    """
    return CASE_NS + quote(case_id, safe="")


_P = str(PNET)
#: Identifiers needing no percent-encoding (the usual kind): the IRI without a call to quote().
_SAFE_ID = re.compile(r"[A-Za-z0-9_.~-]+")


def _statements(case: Case, vocab: Vocabulary) -> list[tuple[str, str, Term]]:
    case_id = case.case_id
    s = CASE_NS + case_id if _SAFE_ID.fullmatch(case_id) else case_iri(case_id)
    p = _P
    out: list[tuple[str, str, Term]] = [
        (s, _RDF_TYPE, ("iri", p + "TumourCase")),
        (s, p + "caseId", ("lit", case.case_id, None)),
        (s, p + "hasDifferentiation", ("iri", vocab.differentiations[case.histology])),
        (s, p + "hasPrimarySubsite", ("iri", vocab.subsites[case.primary_subsite])),
        (s, p + "hasFunctionalStatus", ("iri", vocab.functional[case.functional_syndrome])),
    ]
    if case.tumor_size_mm is not None:
        out.append((s, p + "tumourSizeMm", ("lit", decimal_text(case.tumor_size_mm), _XSD + "decimal")))
    for code in case.invaded_structures:
        out.append((s, p + "invades", ("iri", vocab.structures[code])))
    if case.ki67_percent is not None:
        out.append((s, p + "ki67Percent", ("lit", decimal_text(case.ki67_percent), _XSD + "decimal")))
    if case.mitoses_per_2mm2 is not None:
        out.append((s, p + "mitosesPer2mm2", ("lit", str(case.mitoses_per_2mm2), _XSD + "integer")))
    if case.positive_node_count is not None:
        out.append((s, p + "positiveNodeCount", ("lit", str(case.positive_node_count), _XSD + "integer")))
    if case.somatostatin_receptor_status is not None:
        out.append((s, p + "hasSomatostatinReceptorStatus", ("iri", vocab.sstr[case.somatostatin_receptor_status])))
    if case.ki67_site is not None:
        out.append((s, p + "ki67MeasuredOn", ("iri", vocab.ki67_sites[case.ki67_site])))
    if case.progression is not None:
        out.append((s, p + "hasProgressionStatus", ("iri", vocab.progression[case.progression])))
    sites = [vocab.node_groups[c] for c in case.positive_node_groups] + [vocab.distant_sites[c] for c in case.distant_sites]
    for k, site in enumerate(sites, start=1):
        m = f"{s}/m{k}"
        out += [(s, p + "hasMetastasis", ("iri", m)), (m, _RDF_TYPE, ("iri", p + "Metastasis")),
                (m, p + "hasSite", ("iri", site)), (m, p + "listPosition", ("lit", str(k), _XSD + "integer"))]
    return out


def case_triples(case: Case, vocab: Vocabulary | None = None) -> list[tuple[Any, Any, Any]]:
    """The triples of one case as rdflib terms.

    >>> len(case_triples(Case("A1", "net", "tail", 25.0, ki67_percent=4.0, positive_node_groups=("splenic",))))
    11
    """
    vocab = vocab or load_rules().vocabulary
    triples: list[tuple[Any, Any, Any]] = []
    for s, p, o in _statements(case, vocab):
        obj = URIRef(o[1]) if o[0] == "iri" else RdfLiteral(o[1], datatype=URIRef(o[2]) if o[2] else None)
        triples.append((URIRef(s), URIRef(p), obj))
    return triples


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


#: Text needing no N-Triples escape (numbers, most identifiers).
_PLAIN = re.compile(r'[^\\"\n\r]*')


def _nt_term(term: Term) -> str:
    if term[0] == "iri":
        return f"<{term[1]}>"
    lexical, datatype = term[1], term[2]
    if not _PLAIN.fullmatch(lexical):
        lexical = _escape(lexical)
    return f'"{lexical}"^^<{datatype}>' if datatype else f'"{lexical}"'


_PN = str(PNET)


def _ttl_iri(iri: str) -> str:
    if iri.startswith(_PN) and iri[len(_PN):].replace("_", "").isalnum():
        return "pnet:" + iri[len(_PN):]
    return f"<{iri}>"


def _ttl_term(term: Term) -> str:
    if term[0] == "iri":
        return _ttl_iri(term[1])
    lexical, datatype = term[1], term[2]
    if datatype and datatype.startswith(_XSD):
        return f'"{_escape(lexical)}"^^xsd:{datatype[len(_XSD):]}'
    return _nt_term(term)


TTL_HEADER = f"@prefix pnet: <{PNET}> .\n@prefix xsd: <{XSD}> .\n\n"


def case_rdf(case: Case, vocab: Vocabulary, fmt: CaseSyntax = "nt") -> str:
    """One case as N-Triples lines or a Turtle block (without the Turtle prefix header)."""
    statements = _statements(case, vocab)
    if fmt == "nt":
        return "".join([f"<{s}> <{p}> {_nt_term(o)} .\n" for s, p, o in statements])
    blocks: dict[str, list[str]] = {}
    for s, p, o in statements:
        pred = "a" if p == _RDF_TYPE else _ttl_iri(p)
        blocks.setdefault(s, []).append(f"{pred} {_ttl_term(o)}")
    return "".join(f"<{s}> " + " ;\n    ".join(po) + " .\n" for s, po in blocks.items()) + "\n"


def write_rdf(cases: Iterable[Case], handle: IO[str], fmt: CaseSyntax = "ttl", vocab: Vocabulary | None = None,
              progress: Callable[[Case], None] | None = None) -> int:
    """Write cases to an open text handle; return the number written."""
    vocab = vocab or load_rules().vocabulary
    if fmt == "ttl":
        handle.write(TTL_HEADER)
    n = 0
    for case in cases:
        handle.write(case_rdf(case, vocab, fmt))
        n += 1
        if progress is not None:
            progress(case)
    return n


def _only_cases(cases: Iterable[object]) -> Iterator[Case]:
    for item in cases:
        if not isinstance(item, Case):
            raise InputError(f"cases must hold Case objects, not {type(item).__name__} {item!r:.60}")
        yield item


def write_cases(cases: Iterable[Case], path: str | Path, format: CaseSyntax = "ttl",
                vocab: Vocabulary | None = None) -> int:
    """Write cases as Turtle or N-Triples to ``path`` atomically (nothing is left on error)."""
    path = as_path(path, "path")
    check_choice(format, ("ttl", "nt"), "format")
    check_type(vocab, Vocabulary, "vocab", optional=True)
    if isinstance(cases, (str, bytes, Case)) or not isinstance(cases, Iterable):
        raise InputError(f"cases must be an iterable of Case objects, not {type(cases).__name__}")
    cases = _only_cases(cases)

    with atomic_writer(path) as handle:
        return write_rdf(cases, handle, format, vocab)
