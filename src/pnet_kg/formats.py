"""The one table of RDF file suffixes and the one readability check every input goes through.

Every reader (the :class:`~pnet_kg.dataset.Dataset`, rdflib's :func:`~pnet_kg.load.parse_file`,
the server's loader) asks :func:`readable_rdf` first, so a file is refused the same way, with the
same message, whichever engine reads it.

>>> RDF_FORMATS[".ttl"].rdflib
'turtle'
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple
from xml.parsers import expat

import pyoxigraph as ox

from .errors import InputError
from .guard import refuse_remote_jsonld_context, refuse_xml_dtd


class RdfFormat(NamedTuple):
    """A file format by both names: rdflib's (also shown in messages) and pyoxigraph's."""

    rdflib: str
    oxigraph: ox.RdfFormat


#: RDF file suffixes and their format.
RDF_FORMATS: dict[str, RdfFormat] = {
    ".ttl": RdfFormat("turtle", ox.RdfFormat.TURTLE), ".nt": RdfFormat("nt", ox.RdfFormat.N_TRIPLES),
    ".jsonld": RdfFormat("json-ld", ox.RdfFormat.JSON_LD), ".rdf": RdfFormat("xml", ox.RdfFormat.RDF_XML),
    ".owl": RdfFormat("xml", ox.RdfFormat.RDF_XML), ".xml": RdfFormat("xml", ox.RdfFormat.RDF_XML),
    ".n3": RdfFormat("n3", ox.RdfFormat.N3), ".nq": RdfFormat("nquads", ox.RdfFormat.N_QUADS),
    ".trig": RdfFormat("trig", ox.RdfFormat.TRIG),
}
#: Case-file suffixes (read by :mod:`pnet_kg.cases`), listed with the RDF ones in messages.
CASE_SUFFIXES = (".csv", ".tsv", ".json")


def check_file(path: Path) -> None:
    """Refuse a path that is missing, not a file, or empty."""
    if not path.exists():
        raise InputError("no such file", file=path)
    if not path.is_file():
        raise InputError("not a file", file=path)
    if path.stat().st_size == 0:
        raise InputError("the file is empty", file=path)


def readable_rdf(path: Path) -> RdfFormat:
    """The format of RDF file ``path`` once it passed every check: an existing non-empty file, a known
    suffix, RDF/XML without DTD or ENTITY and well-formed, JSON-LD without a remote ``@context``."""
    check_file(path)
    fmt = RDF_FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(set(RDF_FORMATS) | set(CASE_SUFFIXES)))
        raise InputError(f"unknown file type {path.suffix or '(no suffix)'!r} (known: {known})", file=path)
    if fmt.rdflib == "xml":
        refuse_xml_dtd(path)
        _check_well_formed_xml(path)
    elif fmt.rdflib == "json-ld":
        refuse_remote_jsonld_context(path)
    return fmt


def _check_well_formed_xml(path: Path) -> None:
    """Refuse RDF/XML that is not well-formed XML: Oxigraph's parser takes a truncated file (an
    unclosed ``rdf:RDF``) as a whole one and loads what it has read, silently."""
    parser = expat.ParserCreate()
    # no handlers: nothing is kept; external entities and the external DTD are never read
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                parser.Parse(block, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise InputError(f"cannot parse as xml: not well-formed XML ({expat.ErrorString(exc.code)})", file=path,
                         line=exc.lineno) from None


def parse_error(path: Path, name: str, exc: BaseException) -> InputError:
    """The one message for a file a parser (pyoxigraph's or rdflib's) rejected: the file, the parser's
    line when it knows one, and ``cannot parse as NAME``: the parser's own words.

    >>> str(parse_error(Path("a.ttl"), "turtle", SyntaxError("bad", ("a.ttl", 3, 1, None, 3, 2))))
    'a.ttl:3: cannot parse as turtle: bad'
    >>> str(parse_error(Path("a.rdf"), "xml", ValueError("file:///tmp/a.rdf:4:70: Repeat node-elements")))
    'a.rdf:4: cannot parse as xml: Repeat node-elements'
    """
    line, why = _error_line(exc), _why(exc)
    located = _LOCATED.match(why)  # rdflib's RDF/XML parser puts "system id:line:column: " first
    if located is not None:
        line, why = line or int(located[1]), located[2]
    return InputError(f"cannot parse as {name}: {why}", file=path, line=line)


#: "file:///a.rdf:4:70: message" (rdflib's RDF/XML errors): the line and the message.
_LOCATED = re.compile(r"^\S*?:(\d+):\d+: (.*)$", re.DOTALL)


def _error_line(exc: BaseException) -> int | None:
    """The 1-based line of a parse error. rdflib's Turtle parser counts lines again each time it
    backtracks over white space (its ``lines`` ran 30-40 ahead in core.ttl): count the newlines
    before the error's offset instead."""
    text, offset = getattr(exc, "_str", None), getattr(exc, "_i", None)
    if isinstance(text, (str, bytes)) and isinstance(offset, int):
        newline: str | bytes = "\n" if isinstance(text, str) else b"\n"
        return text.count(newline, 0, offset) + 1  # type: ignore[arg-type]
    line = getattr(exc, "lines", None) or getattr(exc, "line", None) or getattr(exc, "lineno", None)
    return line if isinstance(line, int) and not isinstance(line, bool) else None


def _why(exc: BaseException) -> str:
    """The parser's message, first line only (rdflib's Turtle errors: their ``_why``; a SyntaxError: its ``msg``)."""
    why = getattr(exc, "_why", None) or (exc.msg if isinstance(exc, SyntaxError) else None)
    text = why if isinstance(why, str) and why else str(exc)
    return (text.splitlines() or [type(exc).__name__])[0]
