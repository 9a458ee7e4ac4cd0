"""Tumour case files (the contract of ``case-format.md``): read CSV or JSON, check every field, write RDF.

Reading streams row by row; every bad row is an :class:`~pnet_kg.errors.InputError`
naming the file, line, field and value. Codes are checked against the value sets
of the graph (``skos:notation`` within their class), never against a list in Python.

>>> import io, tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
>>> _ = path.write_text("case_id,histology,primary_subsite,ki67_percent\\nA1,net,tail,4\\n")
>>> read_cases(path).cases[0].primary_subsite
'tail'
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Literal
from urllib.parse import quote

from .errors import InputError
from .prefixes import PNET
from .rules import Vocabulary, load_rules

#: The input fields of the contract, in order.
FIELDS: tuple[str, ...] = (
    "case_id", "histology", "primary_subsite", "tumor_size_mm", "invaded_structures", "ki67_percent",
    "mitoses_per_2mm2", "functional_syndrome", "positive_node_groups", "positive_node_count", "distant_sites",
)
REQUIRED: tuple[str, ...] = ("case_id", "histology", "primary_subsite")
CASE_NS = "https://w3id.org/pnet-kg/case/"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

RdfFormat = Literal["ttl", "nt"]


@dataclass(slots=True)
class Case:
    """One primary tumour, as the contract gives it (codes as case-file strings, unknown numbers ``None``)."""

    case_id: str
    histology: str
    primary_subsite: str
    tumor_size_mm: float | None = None
    invaded_structures: tuple[str, ...] = ()
    ki67_percent: float | None = None
    mitoses_per_2mm2: int | None = None
    functional_syndrome: str = "none"
    positive_node_groups: tuple[str, ...] = ()
    positive_node_count: int | None = None
    distant_sites: tuple[str, ...] = ()
    line: int | None = field(default=None, compare=False, repr=False)

    def as_record(self) -> dict[str, str]:
        """The case as contract cells (``;``-joined lists, empty for unknown).

        >>> Case("A1", "net", "tail", 25.0, ki67_percent=4.0).as_record()["tumor_size_mm"]
        '25'
        """
        def num(v: float | int | None) -> str:
            return "" if v is None else _decimal_text(v)

        return {
            "case_id": self.case_id, "histology": self.histology, "primary_subsite": self.primary_subsite,
            "tumor_size_mm": num(self.tumor_size_mm), "invaded_structures": ";".join(self.invaded_structures),
            "ki67_percent": num(self.ki67_percent), "mitoses_per_2mm2": num(self.mitoses_per_2mm2),
            "functional_syndrome": self.functional_syndrome,
            "positive_node_groups": ";".join(self.positive_node_groups),
            "positive_node_count": num(self.positive_node_count), "distant_sites": ";".join(self.distant_sites),
        }


@dataclass
class CaseFile:
    """The good cases of a file and, with ``keep_going``, the errors of the bad rows."""

    cases: list[Case]
    errors: list[InputError] = field(default_factory=list)


def _decimal_text(value: float | int) -> str:
    """Lexical xsd:decimal / xsd:integer form (never exponent notation)."""
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


# ---------------------------------------------------------------- field checks

#: Cells that spreadsheets and R write for "no value"; read like an empty cell (unknown).
_MISSING = frozenset({"na", "n/a"})
#: A unit a spreadsheet may leave after a number ("25 mm", "15%"): it must be the field's own unit.
_UNIT_SUFFIX = {"tumor_size_mm": "mm", "ki67_percent": "%"}


def _folded(text: str) -> str:
    """The spelling-insensitive form of a code or column name.

    >>> _folded(" Portal-Vein "), _folded("NET"), _folded("Case ID")
    ('portal_vein', 'net', 'case_id')
    """
    return "_".join(text.strip().lower().replace("-", " ").split())


class _Checker:
    """Turns one raw record (strings from CSV, JSON values) into a :class:`Case`, or raises InputError."""

    def __init__(self, vocab: Vocabulary, file: str | None) -> None:
        self.vocab = vocab
        self.file = file
        self.codes: dict[str, Mapping[str, str]] = {
            "histology": vocab.differentiations, "primary_subsite": vocab.subsites,
            "invaded_structures": vocab.structures, "functional_syndrome": vocab.functional,
            "positive_node_groups": vocab.node_groups, "distant_sites": vocab.distant_sites,
        }
        # Real files write "Head", "NET" or "portal vein": accept any spelling that folds to one code.
        self.folded: dict[str, dict[str, str]] = {
            name: {_folded(code): code for code in codes} for name, codes in self.codes.items()}

    def _known(self, name: str, text: str) -> str | None:
        if text in self.codes[name]:
            return text
        return self.folded[name].get(_folded(text))

    def error(self, message: str, line: int | None, name: str | None, value: object) -> InputError:
        return InputError(message, file=self.file, line=line, field=name, value=value)

    def _text(self, record: Mapping[str, Any], name: str, line: int | None) -> str:
        value = record.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.error("expected text", line, name, value)
        return value.strip()

    def _code(self, record: Mapping[str, Any], name: str, line: int | None, default: str | None = None) -> str:
        text = self._text(record, name, line)
        if not text:
            if default is not None:
                return default
            raise self.error("required field is missing or empty", line, name, record.get(name, ""))
        code = self._known(name, text)
        if code is None:
            raise self.error(f"unknown code (expected one of {', '.join(sorted(self.codes[name]))})", line, name, text)
        return code

    def _codes(self, record: Mapping[str, Any], name: str, line: int | None) -> tuple[str, ...]:
        value = record.get(name)
        if value is None:
            return ()
        items: list[Any]
        if isinstance(value, list):
            items = value
        elif isinstance(value, str):
            items = value.split(";")
        else:
            raise self.error("expected ';'-separated codes", line, name, value)
        known = self.codes[name]
        out: list[str] = []
        for item in items:
            if not isinstance(item, str):
                raise self.error("expected a code", line, name, item)
            text = item.strip()
            if not text:
                continue
            code = self._known(name, text)
            if code is None:
                raise self.error(f"unknown code (expected one of {', '.join(sorted(known))})", line, name, text)
            if code not in out:
                out.append(code)
        return tuple(out)

    def _number(self, record: Mapping[str, Any], name: str, line: int | None) -> float | None:
        value = record.get(name)
        if value is None or (isinstance(value, str) and (not value.strip() or value.strip().lower() in _MISSING)):
            return None
        if isinstance(value, bool):
            raise self.error("not a number", line, name, value)
        text = value.strip() if isinstance(value, str) else value
        unit = _UNIT_SUFFIX.get(name)
        if unit is not None and isinstance(text, str) and text.lower().endswith(unit):
            text = text[:-len(unit)].rstrip()
        try:
            number = float(text)
        except (TypeError, ValueError):
            raise self.error("not a number", line, name, value) from None
        if not math.isfinite(number):
            raise self.error("not a finite number", line, name, value)
        return number

    def _integer(self, record: Mapping[str, Any], name: str, line: int | None) -> int | None:
        number = self._number(record, name, line)
        if number is None:
            return None
        if not number.is_integer():
            raise self.error("not a whole number", line, name, record.get(name))
        if number < 0:
            raise self.error("out of range (must be >= 0)", line, name, record.get(name))
        return int(number)

    def case(self, record: Mapping[str, Any], line: int | None) -> Case:
        case_id = self._text(record, "case_id", line)
        if not case_id:
            raise self.error("required field is missing or empty", line, "case_id", record.get("case_id", ""))
        histology = self._code(record, "histology", line)
        subsite = self._code(record, "primary_subsite", line)
        size = self._number(record, "tumor_size_mm", line)
        if size is not None and size <= 0:
            raise self.error("out of range (must be > 0)", line, "tumor_size_mm", record.get("tumor_size_mm"))
        ki67 = self._number(record, "ki67_percent", line)
        if ki67 is not None and not 0 <= ki67 <= 100:
            raise self.error("out of range (must be in [0, 100])", line, "ki67_percent", record.get("ki67_percent"))
        mitoses = self._integer(record, "mitoses_per_2mm2", line)
        if ki67 is None and mitoses is None:
            raise self.error("one of ki67_percent and mitoses_per_2mm2 is required", line, "ki67_percent",
                             record.get("ki67_percent", ""))
        return Case(
            case_id=case_id, histology=histology, primary_subsite=subsite, tumor_size_mm=size,
            invaded_structures=self._codes(record, "invaded_structures", line), ki67_percent=ki67,
            mitoses_per_2mm2=mitoses,
            functional_syndrome=self._code(record, "functional_syndrome", line, default="none"),
            positive_node_groups=self._codes(record, "positive_node_groups", line),
            positive_node_count=self._integer(record, "positive_node_count", line),
            distant_sites=self._codes(record, "distant_sites", line), line=line,
        )


def parse_case(record: Mapping[str, Any] | Case, vocab: Vocabulary | None = None) -> Case:
    """Check one case given as a dict of contract fields (strings or JSON values) and return it as a :class:`Case`.

    >>> parse_case({"case_id": "X", "histology": "net", "primary_subsite": "head", "ki67_percent": 2}).ki67_percent
    2.0
    """
    if isinstance(record, Case):
        record = record.as_record()
    return _Checker(vocab or load_rules().vocabulary, None).case(record, None)


# ---------------------------------------------------------------- readers


def _delimiter(first_line: str) -> str:
    """Comma, or the tab or semicolon of a header written by a spreadsheet in another locale.

    >>> _delimiter("case_id;histology;primary_subsite"), _delimiter("case_id,histology")
    (';', ',')
    """
    if "," in first_line:
        return ","
    return "\t" if "\t" in first_line else ";" if ";" in first_line else ","


def _csv_records(handle: IO[str], file: str, delimiter: str = ",") -> Iterator[tuple[int, dict[str, Any]] | InputError]:
    reader = csv.reader(handle, strict=True, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("the file is empty", file=file) from None
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=file, line=reader.line_num) from None
    # "Case ID" or "Primary-Subsite" name the contract's columns too; other columns are kept as written
    contract = {_folded(name): name for name in FIELDS}
    header = [contract.get(_folded(h), h.strip()) for h in header]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise InputError("the header lacks a required column", file=file, line=1, field=missing[0], value=",".join(header))
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise InputError("duplicate column in the header", file=file, line=1, field=name, value=name)
        seen.add(name)
    last = reader.line_num
    while True:
        start = last + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", file=file, line=reader.line_num) from None
        last = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield InputError(f"malformed CSV: {len(row)} cells where the header has {len(header)}", file=file,
                             line=start, field=None, value=",".join(row))
            continue
        yield start, dict(zip(header, row))


def _json_records(text: str, file: str) -> Iterator[tuple[int, dict[str, Any]] | InputError]:
    decoder = json.JSONDecoder()
    n = len(text)

    def skip(i: int) -> int:
        while i < n and text[i] in " \t\r\n":
            i += 1
        return i

    def line_at(i: int) -> int:
        return text.count("\n", 0, i) + 1

    i = skip(0)
    if i >= n or text[i] != "[":
        raise InputError("expected a JSON array of objects", file=file, line=line_at(i))
    i = skip(i + 1)
    if i < n and text[i] == "]":
        return
    line, counted = 1, 0
    while True:
        line += text.count("\n", counted, i)  # incremental, so large files stay linear
        counted = i
        try:
            value, end = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            raise InputError(f"malformed JSON: {exc.msg}", file=file, line=exc.lineno) from None
        if isinstance(value, dict):
            yield line, value
        else:
            yield InputError("expected a JSON object", file=file, line=line, value=value)
        i = skip(end)
        if i < n and text[i] == ",":
            i = skip(i + 1)
            continue
        if i < n and text[i] == "]":
            if skip(i + 1) < n:
                raise InputError("malformed JSON: text after the array", file=file, line=line_at(i))
            return
        raise InputError("malformed JSON: expected ',' or ']'", file=file, line=line_at(i))


def _first_undecodable_line(path: Path) -> int:
    """The line of the first byte that is not UTF-8 (looked for only once decoding failed)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]] | InputError]:
    file = str(path)
    if not path.is_file():
        raise InputError("no such file", file=file)
    with path.open("rb") as raw:
        if raw.read(4) == b"PK\x03\x04":
            raise InputError("this is a spreadsheet workbook (a zip file), not CSV or JSON: "
                             "save it as 'CSV UTF-8' and read that", file=file)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            head = handle.read(4096)
            if not head.strip():
                raise InputError("the file is empty", file=file)
            handle.seek(0)
            is_json = path.suffix.lower() == ".json" or (path.suffix.lower() != ".csv" and head.lstrip().startswith("["))
            if is_json:
                yield from _json_records(handle.read(), file)
            else:
                yield from _csv_records(handle, file, _delimiter(head.splitlines()[0] if head else ""))
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason}, byte 0x{exc.object[exc.start]:02x}): save the file "
                         "as UTF-8 (in a spreadsheet: 'CSV UTF-8')", file=file,
                         line=_first_undecodable_line(path)) from None


def is_case_file(path: str | Path) -> bool:
    """True for a file of the case contract (CSV, or a JSON array of case objects), not RDF.

    A ``.json`` file is a case file when its first object has a ``case_id`` and the file
    no JSON-LD keyword (``@context``, ``@id``, ``@graph``); otherwise it is read as JSON-LD.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return True
    if suffix != ".json":
        return False
    try:
        with path.open(encoding="utf-8-sig") as handle:
            head = handle.read(65536).lstrip()
    except (OSError, UnicodeDecodeError):
        return True  # let the case reader report it
    if not head:
        return True
    json_ld = any(keyword in head for keyword in ('"@context"', '"@id"', '"@graph"'))
    return not json_ld and '"case_id"' in head.split("}", 1)[0]


def case_ntriples(path: str | Path, keep_going: bool = False, errors: list[InputError] | None = None) -> bytes:
    """The cases of a case file as N-Triples (UTF-8), checked on the way; see :func:`iter_cases`."""
    vocab = load_rules().vocabulary
    return "".join(case_rdf(case, vocab, "nt")
                   for case in iter_cases(path, keep_going=keep_going, errors=errors, vocab=vocab)).encode("utf-8")


def iter_cases(path: str | Path, *, keep_going: bool = False, errors: list[InputError] | None = None,
               vocab: Vocabulary | None = None) -> Iterator[Case]:
    """Yield the checked cases of a CSV or JSON case file, streaming.

    Without ``keep_going`` the first bad row raises :class:`InputError`; with it, bad
    rows (bad field, unknown code, number out of range, duplicate ``case_id``,
    malformed row) are appended to ``errors`` and skipped. A missing, empty or
    unreadable file always raises.
    """
    path = Path(path)
    checker = _Checker(vocab or load_rules().vocabulary, str(path))
    first_line: dict[str, int] = {}
    for item in _records(path):
        try:
            if isinstance(item, InputError):
                raise item
            line, record = item
            case = checker.case(record, line)
            if case.case_id in first_line:
                raise checker.error(f"duplicate case_id (first on line {first_line[case.case_id]})", line, "case_id",
                                    case.case_id)
            first_line[case.case_id] = line
        except InputError as exc:
            if not keep_going:
                raise
            if errors is not None:
                errors.append(exc)
            continue
        yield case


def read_cases(path: str | Path, keep_going: bool = False, vocab: Vocabulary | None = None) -> CaseFile:
    """Read and check a whole case file (see :func:`iter_cases`)."""
    from .guard import as_path, check_type

    path = as_path(path, "path")
    check_type(vocab, Vocabulary, "vocab", optional=True)
    errors: list[InputError] = []
    cases = list(iter_cases(path, keep_going=keep_going, errors=errors, vocab=vocab))
    return CaseFile(cases, errors)


# ---------------------------------------------------------------- RDF

Term = tuple[Literal["iri"], str] | tuple[Literal["lit"], str, str | None]


def case_iri(case_id: str) -> str:
    """The IRI of a case: the case namespace plus the percent-encoded identifier.

    >>> case_iri("A 1/2")
    'https://w3id.org/pnet-kg/case/A%201%2F2'
    """
    return CASE_NS + quote(case_id, safe="")


def _statements(case: Case, vocab: Vocabulary) -> list[tuple[str, str, Term]]:
    s = case_iri(case.case_id)
    p = str(PNET)
    out: list[tuple[str, str, Term]] = [
        (s, _RDF_TYPE, ("iri", p + "TumourCase")),
        (s, p + "caseId", ("lit", case.case_id, None)),
        (s, p + "hasDifferentiation", ("iri", vocab.differentiations[case.histology])),
        (s, p + "hasPrimarySubsite", ("iri", vocab.subsites[case.primary_subsite])),
        (s, p + "hasFunctionalStatus", ("iri", vocab.functional[case.functional_syndrome])),
    ]
    if case.tumor_size_mm is not None:
        out.append((s, p + "tumourSizeMm", ("lit", _decimal_text(case.tumor_size_mm), _XSD + "decimal")))
    for code in case.invaded_structures:
        out.append((s, p + "invades", ("iri", vocab.structures[code])))
    if case.ki67_percent is not None:
        out.append((s, p + "ki67Percent", ("lit", _decimal_text(case.ki67_percent), _XSD + "decimal")))
    if case.mitoses_per_2mm2 is not None:
        out.append((s, p + "mitosesPer2mm2", ("lit", str(case.mitoses_per_2mm2), _XSD + "integer")))
    if case.positive_node_count is not None:
        out.append((s, p + "positiveNodeCount", ("lit", str(case.positive_node_count), _XSD + "integer")))
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
    from rdflib import Literal as RdfLiteral
    from rdflib import URIRef

    vocab = vocab or load_rules().vocabulary
    triples: list[tuple[Any, Any, Any]] = []
    for s, p, o in _statements(case, vocab):
        obj = URIRef(o[1]) if o[0] == "iri" else RdfLiteral(o[1], datatype=URIRef(o[2]) if o[2] else None)
        triples.append((URIRef(s), URIRef(p), obj))
    return triples


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _nt_term(term: Term) -> str:
    if term[0] == "iri":
        return f"<{term[1]}>"
    lexical, datatype = term[1], term[2]
    return f'"{_escape(lexical)}"' + (f"^^<{datatype}>" if datatype else "")


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


TTL_HEADER = "@prefix pnet: <https://w3id.org/pnet-kg/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n"


def case_rdf(case: Case, vocab: Vocabulary, fmt: RdfFormat = "nt") -> str:
    """One case as N-Triples lines or a Turtle block (without the Turtle prefix header)."""
    statements = _statements(case, vocab)
    if fmt == "nt":
        return "".join(f"<{s}> <{p}> {_nt_term(o)} .\n" for s, p, o in statements)
    blocks: dict[str, list[str]] = {}
    for s, p, o in statements:
        pred = "a" if p == _RDF_TYPE else _ttl_iri(p)
        blocks.setdefault(s, []).append(f"{pred} {_ttl_term(o)}")
    return "".join(f"<{s}> " + " ;\n    ".join(po) + " .\n" for s, po in blocks.items()) + "\n"


def write_rdf(cases: Iterable[Case], handle: IO[str], fmt: RdfFormat = "ttl", vocab: Vocabulary | None = None,
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


def write_cases(cases: Iterable[Case], path: str | Path, format: RdfFormat = "ttl",
                vocab: Vocabulary | None = None) -> int:
    """Write cases as Turtle or N-Triples to ``path`` atomically (nothing is left on error)."""
    from .guard import as_path, check_choice, check_type
    from .io import atomic_writer

    path = as_path(path, "path")
    check_choice(format, ("ttl", "nt"), "format")
    check_type(vocab, Vocabulary, "vocab", optional=True)
    if isinstance(cases, (str, bytes, Case)) or not isinstance(cases, Iterable):
        raise InputError(f"cases must be an iterable of Case objects, not {type(cases).__name__}")
    cases = _only_cases(cases)

    with atomic_writer(path) as handle:
        return write_rdf(cases, handle, format, vocab)


def write_case_table(cases: Iterable[Case], handle: IO[str], fmt: Literal["csv", "json"] = "csv") -> int:
    """Write cases in the contract's own format (CSV with header, or a JSON array), streaming."""
    n = 0
    if fmt == "csv":
        writer = csv.DictWriter(handle, fieldnames=list(FIELDS), lineterminator="\n")
        writer.writeheader()
        for case in cases:
            writer.writerow(case.as_record())
            n += 1
        return n
    handle.write("[")
    for case in cases:
        record: dict[str, Any] = case.as_record()
        for name in ("tumor_size_mm", "ki67_percent", "mitoses_per_2mm2", "positive_node_count"):
            value = getattr(case, name)
            record[name] = value
        handle.write(("\n  " if n == 0 else ",\n  ") + json.dumps(record, ensure_ascii=False))
        n += 1
    handle.write("\n]\n")
    return n
