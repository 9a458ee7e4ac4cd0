"""The one table of RDF file suffixes and the one readability check every input goes through.

Every reader (the :class:`~pnet_kg.dataset.Dataset`, rdflib's :func:`~pnet_kg.load.parse_file`,
the server's loader) asks :func:`readable_rdf` first, so a file is refused the same way, with the
same message, whichever engine reads it.

>>> RDF_FORMATS[".ttl"].rdflib
'turtle'
"""

from __future__ import annotations

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


def parse_error(path: Path, name: str, exc: Exception) -> InputError:
    """The one message for a file a parser rejected: the file, the format and the parser's line."""
    line = exc.lineno if isinstance(exc, SyntaxError) else None
    message = exc.msg if isinstance(exc, SyntaxError) and exc.msg else str(exc)
    return InputError(f"cannot parse as {name}: {message}", file=path, line=line)


def check_rdf_file(path: str | Path) -> None:
    """Parse an RDF file through (streaming, nothing kept) so that a bad one is named before use."""
    path = Path(path)
    fmt = readable_rdf(path)
    try:
        for _ in ox.parse(path=str(path), format=fmt.oxigraph):
            pass
    except (SyntaxError, ValueError, OSError) as exc:
        raise parse_error(path, fmt.rdflib, exc) from None
