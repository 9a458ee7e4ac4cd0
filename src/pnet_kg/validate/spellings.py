"""The data's own spelling of literals the store keeps by value.

pyoxigraph stores ``"4.0"^^xsd:decimal`` as 4: results carrying such a literal are given back
the input's spelling (the inputs are read a second time, only then), and length and pattern
constraints are judged again on that spelling.

>>> from rdflib import Literal
>>> from rdflib.namespace import XSD
>>> stored_by_value(Literal("4.0", datatype=XSD.decimal)), stored_by_value(Literal("4.0"))
(True, False)
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL
from rdflib.term import Node

from ..cases import case_rdf
from ..catalog import ROOT_IRI
from ..dataset import Dataset
from ..errors import UnsupportedShape
from ..load import walk_imports
from ..prefixes import SH
from ..formats import RDF_FORMATS
from ..rules import load_rules
from .compiler import Check
from .runner import Sourced, rdflib_term
from .support import CANONICALISED


def _literal_key(literal: Literal) -> tuple[str, Any]:
    value = literal.toPython()
    return str(literal.datatype), value if not isinstance(value, Literal) else ("lexical", str(value))


def _source_literals(dataset: Dataset, datatypes: set[str]) -> Iterator[tuple[Node, Node, Literal]]:
    """The triples of the dataset's inputs whose object is a literal of ``datatypes``, with the data's own terms."""
    def from_parser(triples: Iterable[Any]) -> Iterator[tuple[Node, Node, Literal]]:
        for t in triples:
            o = t.object
            if isinstance(o, ox.Literal) and o.datatype.value in datatypes:
                s, p = rdflib_term(t.subject), rdflib_term(t.predicate)
                assert s is not None and p is not None
                yield s, p, Literal(o.value, datatype=o.datatype.value, normalize=False)

    if dataset.shipped:
        files: list[Path] = []

        def visit(iri: str, path: Path) -> list[str]:
            files.append(path)
            found = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
            return [t.object.value for t in found if t.predicate.value == str(OWL.imports)
                    and t.subject.value == iri and isinstance(t.object, ox.NamedNode)]

        walk_imports(ROOT_IRI, visit)
        for path in files:
            yield from from_parser(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    vocab = load_rules().vocabulary
    for part in dataset.parts:
        if isinstance(part, Graph):
            for s, p, o in part:
                if isinstance(o, Literal) and str(o.datatype) in datatypes:
                    yield s, p, o
        elif isinstance(part, Path):
            yield from from_parser(ox.parse(path=str(part), format=RDF_FORMATS[part.suffix.lower()].oxigraph))
        else:
            text = "".join(case_rdf(case, vocab, "nt") for case in part).encode("utf-8")
            yield from from_parser(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))


def stored_by_value(node: Node | None) -> bool:
    """Whether ``node`` is a literal the store keeps by value, not as written."""
    return isinstance(node, Literal) and node.datatype in CANONICALISED


def restore_terms(results: list[Sourced], dataset: Dataset) -> list[Sourced]:
    """Give back the data's own literals: the store keeps numbers, booleans and dates by value only
    (``"4.0"^^xsd:decimal`` comes back as ``"4"``). Costs a second read of the inputs, and only when a
    result carries such a literal. A value the store merged from several spellings of one value gives
    one result per spelling (each is its own value node); where the path cannot tell, the engine declines.
    """
    wanted = [n for r, _ in results for n in (r.focus, r.value) if stored_by_value(n)]
    if not wanted:
        return results
    keys = {_literal_key(n) for n in wanted if isinstance(n, Literal)}
    by_triple: dict[tuple[Node, Node, tuple[str, Any]], set[Literal]] = defaultdict(set)
    anywhere: dict[tuple[str, Any], set[Literal]] = defaultdict(set)
    for s, p, o in _source_literals(dataset, {str(n.datatype) for n in wanted if isinstance(n, Literal)}):
        key = _literal_key(o)
        if key in keys:
            by_triple[(s, p, key)].add(o)
            anywhere[key].add(o)

    def only_spelling(literal: Literal) -> Literal:
        spellings = anywhere.get(_literal_key(literal), {literal})
        if len(spellings) > 1:
            raise UnsupportedShape(f"{literal.n3()} is written in several ways in the data and the fast engine "
                                   "cannot tell which one a result is about")
        return next(iter(spellings))

    restored: list[Sourced] = []
    for r, source in results:
        if isinstance(r.focus, Literal) and stored_by_value(r.focus):
            focus = only_spelling(r.focus)
            r = replace(r, focus=focus, focus_label=str(focus), value=focus if r.value == r.focus else r.value)
        if not isinstance(r.value, Literal) or not stored_by_value(r.value) or r.value is r.focus:
            restored.append((r, source))
            continue
        spellings = by_triple.get((r.focus, r.path, _literal_key(r.value))) if isinstance(r.path, URIRef) else None
        restored += [(replace(r, value=v), source) for v in sorted(spellings or {only_spelling(r.value)})]
    return restored


def lexical_holds(check: Check, value: Node | None) -> bool:
    """Whether a literal the store keeps by value passes ``check``'s length or pattern test after all,
    now that ``value`` is the data's own spelling (SPARQL saw only the canonical one)."""
    if check.lexical is None or not stored_by_value(value):
        return False
    predicate, obj, flags = check.lexical
    text = str(value)
    if predicate == SH.minLength:
        return len(text) >= int(str(obj))
    if predicate == SH.maxLength:
        return len(text) <= int(str(obj))
    options = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
    pattern = re.escape(str(obj)) if "q" in (flags or "") else str(obj)
    mode = 0
    for flag in flags or "":
        mode |= options.get(flag, 0)
    return re.search(pattern, text, mode) is not None
