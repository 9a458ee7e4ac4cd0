"""Canonical Turtle for the committed sources, so that a Protégé save normalises to a small diff.

The canonical form is rdflib's ``longturtle`` (predicates and objects sorted; blank nodes
nested and named canonically) with the project's prefixes, and subjects in IRI order
(named subjects first, then the top-level blank nodes by canonical label). rdflib orders
subjects by how often they are referenced, so adding a term that points at an existing
one used to move that one's block; sorting by IRI alone keeps every untouched block
where it was, and a new term adds only its own lines.
Comments and layout of a hand-edited file are not kept (the canonical file is the
committed one), except the comment lines a file opens with: the header of a generated module.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from typing import Any

from rdflib import BNode, Graph
from rdflib.namespace import OWL, RDF
from rdflib.plugins.serializers.longturtle import LongTurtleSerializer

from .errors import InputError
from .io import atomic_write_text
from .load import parse_file
from .prefixes import bind_all
from .resources import data_dir


class _StableTurtleSerializer(LongTurtleSerializer):
    """``longturtle`` with subjects ordered by IRI only (not by reference count), the ontology header first."""

    def orderSubjects(self) -> list[Any]:  # noqa: N802 - rdflib's name
        headers = set(self.store.subjects(RDF.type, OWL.Ontology))

        def key(subject: Any) -> tuple[bool, bool, int, str]:
            # Blank nodes keep rdflib's order (unreferenced ones first, so that each nests its lists and
            # restrictions); a named term cannot change how often a blank node is referenced.
            blank = isinstance(subject, BNode)
            return blank, subject not in headers, self._references[subject] if blank else 0, str(subject)

        return sorted(self._subjects, key=key)


def _serialize(graph: Graph) -> str:
    buffer = io.BytesIO()
    _StableTurtleSerializer(graph).serialize(buffer, encoding="utf-8", canon=True)  # type: ignore[no-untyped-call]
    return buffer.getvalue().decode("utf-8")


_PREFIX_LINE = re.compile(r"^PREFIX\s+([\w.-]*:)\s*<([^>]*)>$")


def canonical_turtle(graph: Graph) -> str:
    """Serialise ``graph`` in the canonical form.

    >>> g = Graph().parse(data="<https://w3id.org/pnet-kg/b> a <https://w3id.org/pnet-kg/A> .", format="turtle")
    >>> print(canonical_turtle(g).strip().splitlines()[-3])
    pnet:b
    """
    out = Graph()
    bind_all(out)
    for triple in graph:
        out.add(triple)
    text = _serialize(out)
    # longturtle leaves trailing blanks after some predicates; strip them (no literal spans lines:
    # the check below refuses multi-line literals, which could hold meaningful trailing spaces).
    lines = [line.rstrip() for line in text.splitlines()]
    # The OWL API under Protégé cannot parse SPARQL-style PREFIX lines (owlcs/owlapi#1149): write @prefix.
    return "\n".join(_at_prefix(line) for line in lines) + "\n"


def _at_prefix(line: str) -> str:
    """``PREFIX p: <iri>`` as ``@prefix p: <iri> .``; other lines unchanged.

    >>> _at_prefix("PREFIX pnet: <https://w3id.org/pnet-kg/>")
    '@prefix pnet: <https://w3id.org/pnet-kg/> .'
    """
    match = _PREFIX_LINE.match(line)
    return f"@prefix {match.group(1)} <{match.group(2)}> ." if match else line


@dataclass(frozen=True)
class FormatResult:
    """What :func:`format_files` did to one file."""

    path: Path
    changed: bool


def _leading_comments(text: str) -> str:
    """The ``#`` lines a file opens with (a generated module's header), kept by ``fmt``.

    >>> _leading_comments("# generated\\n@prefix p: <urn:p> .\\n")
    '# generated\\n'
    """
    lines = []
    for line in text.splitlines(keepends=True):
        if not line.startswith("#"):
            break
        lines.append(line)
    return "".join(lines)


def _canonical_of(path: Path) -> str:
    graph = parse_file(path)
    text = _leading_comments(path.read_text(encoding="utf-8")) + canonical_turtle(graph)
    if '"""' in text:
        raise InputError("multi-line literals are not allowed in the sources: write one line", file=path)
    return text


def format_files(paths: list[Path], *, check: bool = False) -> list[FormatResult]:
    """Rewrite each Turtle file in canonical form (or, with ``check``, only report which differ).

    Only ``.ttl`` files are accepted, all checked before any is written: rewriting ``x.nt`` or
    ``x.owl`` as Turtle under its old name would leave a file whose content contradicts its suffix.
    """
    for path in paths:
        if Path(path).suffix.lower() != ".ttl":
            raise InputError("fmt rewrites Turtle sources (.ttl) only; this file is not one and was left as it is",
                             file=path)
    results = []
    for path in paths:
        wanted = _canonical_of(path)
        changed = path.read_text(encoding="utf-8") != wanted
        if changed and not check:
            atomic_write_text(path, wanted)
        results.append(FormatResult(path, changed))
    return results


def source_files() -> list[Path]:
    """Every committed Turtle source: ontology modules, knowledge files and shapes."""
    files = sorted(data_dir("ontology").rglob("*.ttl"))
    files += sorted(data_dir("shapes").rglob("*.ttl"))
    return files
