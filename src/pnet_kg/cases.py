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
import difflib
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
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
    """One primary tumour, as the contract gives it (codes as case-file strings, unknown numbers ``None``).

    Every case is checked when it is made, by the same rules as a case-file row (:func:`check_case`):
    a bad value raises :class:`~pnet_kg.errors.InputError`, codes are folded to the contract's spelling.

    >>> Case("A1", "NET", "Tail", 25, ki67_percent=4, positive_node_groups=["Splenic"]).positive_node_groups
    ('splenic',)
    >>> Case("A1", "net", "tail", ki67_percent=300)
    Traceback (most recent call last):
    ...
    pnet_kg.errors.InputError: field 'ki67_percent': out of range (must be in [0, 100]) (value 300)
    """

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

    def __post_init__(self) -> None:
        check_case(self, _VOCAB.get())

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
    ignored_columns: list[str] = field(default_factory=list)  #: columns dropped on purpose


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
#: Beyond 2**53 a float (the numbers of a case) no longer holds every integer: such values would change.
_EXACT = 2 ** 53
#: C0 controls, DEL and C1 controls (NUL, ESC and the other bytes of terminal escape sequences).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
#: Number text a float holds exactly (DBL_DIG = 15 significant digits); longer text is checked by value.
_SHORT_NUMBER = re.compile(r"[+-]?[0-9.]{1,15}")
_CODE_FIELDS = ("histology", "primary_subsite", "functional_syndrome")
_LIST_FIELDS = ("invaded_structures", "positive_node_groups", "distant_sites")
_VOCAB_FIELDS = {"histology": "differentiations", "primary_subsite": "subsites", "invaded_structures": "structures",
                 "functional_syndrome": "functional", "positive_node_groups": "node_groups",
                 "distant_sites": "distant_sites"}
#: The vocabulary :class:`Case` checks codes against while a reader with rules of its own makes cases
#: (``None``: the shipped graph's).
_VOCAB: ContextVar[Vocabulary | None] = ContextVar("pnet_kg_case_vocabulary", default=None)


def _folded(text: str) -> str:
    """The spelling-insensitive form of a code.

    >>> _folded(" Portal-Vein "), _folded("NET"), _folded("Case ID")
    ('portal_vein', 'net', 'case_id')
    """
    return "_".join(text.strip().lower().replace("-", " ").split())


class _CodeSets:
    """The codes of one vocabulary by field, with their folded spellings ("Head", "NET", "portal vein")."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.codes: dict[str, Mapping[str, str]] = {name: getattr(vocab, attr) for name, attr in _VOCAB_FIELDS.items()}
        self.folded = {name: {_folded(code): code for code in codes} for name, codes in self.codes.items()}

    def known(self, name: str, value: object) -> str:
        """The contract code ``value`` spells, or InputError naming the field."""
        if not isinstance(value, str):
            raise InputError("expected a code (text)", field=name, value=value)
        if value in self.codes[name]:  # the usual case, and no code of the graph holds a control character
            return value
        text = value.strip()
        if _CONTROL.search(text):
            raise InputError("control character (NUL, ESC or another C0/C1 code) in text", field=name, value=value)
        code = text if text in self.codes[name] else self.folded[name].get(_folded(text))
        if code is None:
            raise InputError(f"unknown code (expected one of {', '.join(sorted(self.codes[name]))})", field=name,
                             value=text)
        return code


_CODE_SETS: dict[int, tuple[Vocabulary, _CodeSets]] = {}


def _code_sets(vocab: Vocabulary) -> _CodeSets:
    hit = _CODE_SETS.get(id(vocab))
    if hit is None or hit[0] is not vocab:
        hit = (vocab, _CodeSets(vocab))
        _CODE_SETS[id(vocab)] = hit
    return hit[1]


def _real(value: object, name: str) -> float | None:
    """A number of a case as a float, refused where a float would not hold it exactly."""
    if value is None:
        return None
    if type(value) is float and math.isfinite(value):  # the usual case
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise InputError("expected a number", field=name, value=value)
    if isinstance(value, int) and abs(value) > _EXACT:
        raise InputError("too many digits: the value would change (integers up to 2**53)", field=name, value=value)
    if isinstance(value, Decimal) and not value.is_finite():
        raise InputError("not a finite number", field=name, value=value)
    number = float(value)
    if not math.isfinite(number) and not isinstance(value, Decimal):
        raise InputError("not a finite number", field=name, value=value)
    if isinstance(value, Decimal) and (not math.isfinite(number) or Decimal(repr(number)) != value):
        raise InputError("too many digits: the value would change (integers up to 2**53, about 15 significant "
                         "digits)", field=name, value=value)
    return number


def _count(value: object, name: str) -> int | None:
    number = _real(value, name)
    if number is None:
        return None
    if not number.is_integer():
        raise InputError("not a whole number", field=name, value=value)
    if number < 0:
        raise InputError("out of range (must be >= 0)", field=name, value=value)
    if abs(number) > _EXACT:
        raise InputError("too many digits: the value would change (integers up to 2**53)", field=name, value=value)
    return int(number)


def _shown(value: object) -> object:
    """A value as a message shows it: numbers as written, a 5,000-digit one cut short."""
    if isinstance(value, Decimal):
        value = str(value)
    if isinstance(value, str) and len(value) > 60:
        return f"{value[:24]}...{value[-8:]} ({len(value)} characters)"
    return value


def check_case(case: Case, vocab: Vocabulary | None = None) -> None:
    """Check ``case`` by the contract's rules and bring it to its canonical form, in place.

    The one check of every way into staging: the case-file reader makes each row a
    :class:`Case` (whose constructor calls this) and :func:`pnet_kg.stage` calls it again
    for a case changed after it was made. Raises :class:`InputError` naming the field.

    >>> check_case(Case("A1", "net", "head", ki67_percent=2), None)
    """
    sets = _code_sets(vocab or _VOCAB.get() or load_rules().vocabulary)
    case_id = case.case_id
    if not isinstance(case_id, str):
        raise InputError("expected text", field="case_id", value=case_id)
    if not case_id.strip():
        raise InputError("required field is missing or empty", field="case_id", value=case_id)
    if _CONTROL.search(case_id):
        raise InputError("control character (NUL, ESC or another C0/C1 code) in text", field="case_id", value=case_id)
    case.case_id = case_id.strip()
    for name in _CODE_FIELDS:
        value = getattr(case, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if name != "functional_syndrome":
                raise InputError("required field is missing or empty", field=name, value=value or "")
            value = "none"
        setattr(case, name, sets.known(name, value))
    for name in _LIST_FIELDS:
        value = getattr(case, name)
        if not value and value is not None and isinstance(value, tuple):
            continue  # the usual case: none
        if value is None:
            value = ()
        if isinstance(value, str) or not isinstance(value, (tuple, list)):
            raise InputError(f"expected a tuple of codes, not {type(value).__name__} (write ('splenic',) for one)",
                             field=name, value=value)
        codes = [sets.known(name, item) for item in value if not (isinstance(item, str) and not item.strip())]
        setattr(case, name, tuple(dict.fromkeys(codes)))
    size = _real(case.tumor_size_mm, "tumor_size_mm")
    if size is not None and size <= 0:
        raise InputError("out of range (must be > 0)", field="tumor_size_mm", value=case.tumor_size_mm)
    ki67 = _real(case.ki67_percent, "ki67_percent")
    if ki67 is not None and not 0 <= ki67 <= 100:
        raise InputError("out of range (must be in [0, 100])", field="ki67_percent", value=case.ki67_percent)
    mitoses = _count(case.mitoses_per_2mm2, "mitoses_per_2mm2")
    if ki67 is None and mitoses is None:
        raise InputError("one of ki67_percent and mitoses_per_2mm2 is required", field="ki67_percent", value="")
    case.tumor_size_mm, case.ki67_percent, case.mitoses_per_2mm2 = size, ki67, mitoses
    case.positive_node_count = _count(case.positive_node_count, "positive_node_count")


class _Checker:
    """Turns one raw record (strings from CSV, JSON values) into a :class:`Case`, or raises InputError.

    The reader only turns cells into values (text to numbers, ``;``-lists to tuples); the
    contract's rules are :func:`check_case`'s, which :class:`Case` runs.
    """

    def __init__(self, vocab: Vocabulary, file: str | None) -> None:
        self.vocab = vocab
        self.file = file

    def error(self, message: str, line: int | None, name: str | None, value: object) -> InputError:
        return InputError(message, file=self.file, line=line, field=name, value=value)

    def _codes(self, record: Mapping[str, Any], name: str, line: int | None) -> list[Any] | tuple[()]:
        value = record.get(name)
        if value is None:
            return ()
        if isinstance(value, list):
            return value
        if isinstance(value, str):
            return value.split(";") if value.strip() else ()
        raise self.error("expected ';'-separated codes", line, name, value)

    def _number(self, record: Mapping[str, Any], name: str, line: int | None) -> float | Decimal | None:
        value = record.get(name)
        if not isinstance(value, str):
            if value is None:
                return None
            if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
                raise self.error("not a number", line, name, value)
            return Decimal(value) if isinstance(value, int) else value
        text = value.strip()
        if not text or text.lower() in _MISSING:
            return None
        unit = _UNIT_SUFFIX.get(name)
        if unit is not None and text.lower().endswith(unit):
            text = text[:-len(unit)].rstrip()
        if _SHORT_NUMBER.fullmatch(text):  # at most 15 digits: a float holds it exactly
            try:
                return float(text)
            except ValueError:
                raise self.error("not a number", line, name, value) from None
        try:
            # Decimal, not float: the text's exact value, so that a number a float would change is refused
            number = Decimal(text)
        except (InvalidOperation, ValueError):
            raise self.error("not a number", line, name, value) from None
        return number

    def case(self, record: Mapping[str, Any], line: int | None) -> Case:
        values: dict[str, Any] = {name: record.get(name) for name in ("case_id", *_CODE_FIELDS)}
        for name in ("tumor_size_mm", "ki67_percent", "mitoses_per_2mm2", "positive_node_count"):
            values[name] = self._number(record, name, line)
        for name in _LIST_FIELDS:
            values[name] = self._codes(record, name, line)
        token = _VOCAB.set(self.vocab)
        try:
            return Case(**values, line=line)
        except InputError as exc:
            # a number as written in the file; for codes the one bad code, not the whole cell
            coded = exc.field in _CODE_FIELDS or exc.field in _LIST_FIELDS
            raw = record[exc.field] if exc.field is not None and exc.field in record and not coded else exc.value
            raise self.error(exc.message, line, exc.field, _shown(raw)) from None
        finally:
            _VOCAB.reset(token)


def parse_case(record: Mapping[str, Any] | Case, vocab: Vocabulary | None = None) -> Case:
    """Check one case given as a dict of contract fields (strings or JSON values) and return it as a :class:`Case`.

    >>> parse_case({"case_id": "X", "histology": "net", "primary_subsite": "head", "ki67_percent": 2}).ki67_percent
    2.0
    """
    if isinstance(record, Case):
        record = record.as_record()
    columns = _Columns(file=None)
    fields = columns.resolve(list(record), None)
    renamed = {f: v for f, v in zip(fields, record.values()) if f is not None}
    return _Checker(vocab or load_rules().vocabulary, None).case(renamed, None)


# ---------------------------------------------------------------- columns


def _column_key(name: str) -> str:
    """The folded form of a column name: case, punctuation, units in brackets and 'tumour' do not matter.

    >>> _column_key("Tumour Size (mm)"), _column_key("Ki-67 (%)"), _column_key("Case ID")
    ('tumor_size_mm', 'ki_67_percent', 'case_id')
    """
    text = unicodedata.normalize("NFKC", name).lower().replace("%", " percent ").replace("tumour", "tumor")
    return "_".join(re.sub(r"[^0-9a-z]+", " ", text).split())


#: Column names that spreadsheets, registries and other tools use for the contract's fields (folded by
#: :func:`_column_key`). Not every look-alike: SEER's "Regional Nodes Positive" codes 95-99 mean
#: "no nodes examined" and the like, so it is no positive_node_count; mitoses per 10 HPF are another unit.
_COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "case_id": ("id", "case", "case_no", "case_number", "caseid", "tumor_id"),
    "histology": ("differentiation", "histologic_type", "histological_type", "histology_type",
                  "tumor_differentiation"),
    "primary_subsite": ("subsite", "primary_site", "primary_tumor_site", "tumor_site", "tumor_location",
                        "primary_location", "location"),
    "tumor_size_mm": ("tumor_size", "tumor_size_in_mm", "size_mm", "size", "largest_tumor_size_mm",
                      "max_tumor_size_mm", "tumor_diameter_mm", "diameter_mm", "tumor_size_mm_largest"),
    "invaded_structures": ("invasion", "invaded", "invades", "invaded_organs", "invaded_structure"),
    "ki67_percent": ("ki67", "ki_67", "ki_67_percent", "ki67_index", "ki_67_index", "ki67_pct", "ki_67_pct",
                     "ki67_li", "ki_67_li", "ki67_labeling_index", "ki_67_labeling_index", "ki67_labelling_index",
                     "ki_67_labelling_index", "ki_67_proliferation_index", "ki67_proliferation_index", "mib1",
                     "mib_1", "ki67_index_percent", "ki_67_index_percent"),
    "mitoses_per_2mm2": ("mitoses", "mitotic_count", "mitotic_rate", "mitoses_per_2_mm2", "mitoses_2mm2",
                         "mitotic_count_per_2_mm2", "mitotic_count_per_2mm2", "mitotic_count_2mm2",
                         "mitotic_count_2_mm2", "mitotic_rate_per_2_mm2", "mitotic_rate_per_2mm2"),
    "functional_syndrome": ("functional_status", "syndrome", "functionality", "functional", "hormonal_syndrome"),
    "positive_node_groups": ("node_groups", "positive_lymph_node_groups", "involved_node_groups",
                             "positive_nodal_groups", "nodal_groups", "lymph_node_groups"),
    "positive_node_count": ("positive_nodes", "number_of_positive_nodes", "positive_lymph_nodes", "n_positive_nodes",
                            "positive_nodes_count", "nodes_positive", "positive_lymph_node_count",
                            "number_of_positive_lymph_nodes"),
    "distant_sites": ("metastatic_sites", "distant_metastases", "distant_metastasis", "distant_metastasis_sites",
                      "metastasis_sites", "metastases", "sites_of_metastasis", "sites_of_distant_metastasis"),
}
_COLUMNS: dict[str, str] = {_column_key(f): f for f in FIELDS} | {
    alias: f for f, aliases in _COLUMN_ALIASES.items() for alias in aliases}


@dataclass(frozen=True)
class ColumnPolicy:
    """Columns a reader drops on purpose: by name (``ignore``) or every unknown one; ``report`` hears of them."""

    ignore: frozenset[str] = frozenset()
    ignore_unknown: bool = False
    report: Callable[[str, tuple[str, ...]], None] | None = None


_POLICY: ContextVar[ColumnPolicy] = ContextVar("pnet_kg_column_policy", default=ColumnPolicy())


@contextmanager
def column_policy(ignore: Iterable[str] = (), ignore_unknown: bool = False,
                  report: Callable[[str, tuple[str, ...]], None] | None = None) -> Iterator[ColumnPolicy]:
    """Read case files within the block with this :class:`ColumnPolicy` (the command line's
    ``--ignore-column`` and ``--ignore-unknown-columns`` reach every command's reader this way)."""
    token = _POLICY.set(ColumnPolicy(frozenset(ignore), ignore_unknown, report))
    try:
        yield _POLICY.get()
    finally:
        _POLICY.reset(token)


class _Columns:
    """Maps the column names of one file to contract fields; an unknown column is an error unless dropped."""

    def __init__(self, file: str | None, ignore: Iterable[str] | None = None, ignore_unknown: bool | None = None) -> None:
        policy = _POLICY.get()
        self.file = file
        names = policy.ignore if ignore is None else frozenset(ignore)
        self.ignore = {_column_key(n) for n in names} | set(names)
        self.ignore_unknown = policy.ignore_unknown if ignore_unknown is None else ignore_unknown
        self.report = policy.report
        self.dropped: list[str] = []
        self._cache: dict[tuple[str, ...], list[str | None]] = {}

    def resolve(self, names: list[str], line: int | None) -> list[str | None]:
        key = tuple(names)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._resolve(names, line)
        return hit

    def _resolve(self, names: list[str], line: int | None) -> list[str | None]:
        out: list[str | None] = []
        for number, raw in enumerate(names, start=1):
            if not isinstance(raw, str):  # pragma: no cover - JSON keys are always text
                raise InputError("a column name must be text", file=self.file, line=line, value=raw)
            name, key = raw.strip(), _column_key(raw)
            field = _COLUMNS.get(key)
            if name in self.ignore or (key and key in self.ignore) or (field is None and self.ignore_unknown):
                if field in REQUIRED:
                    raise InputError("a required column cannot be ignored", file=self.file, line=line, field=name)
                out.append(None)
                if name not in self.dropped:
                    self.dropped.append(name)
                continue
            if field is None:
                nearest = difflib.get_close_matches(key, list(_COLUMNS), n=1, cutoff=0.6)
                hint = f"; nearest known name: {_COLUMNS[nearest[0]]}" if nearest else ""
                what = f"unknown column{hint}" if name else f"column {number} has no name"
                raise InputError(f"{what} (the columns of the contract: {', '.join(FIELDS)}; drop a column on "
                                 "purpose with --ignore-column NAME or --ignore-unknown-columns)",
                                 file=self.file, line=line, field=name)
            if field in out:
                raise InputError("duplicate column in the header", file=self.file, line=line, field=field, value=name)
            out.append(field)
        return out

    def done(self) -> None:
        if self.dropped and self.report is not None and self.file is not None:
            self.report(self.file, tuple(self.dropped))


# ---------------------------------------------------------------- readers


def _delimiter(first_line: str) -> str:
    """Comma, or the tab or semicolon of a header written by a spreadsheet in another locale.

    >>> _delimiter("case_id;histology;primary_subsite"), _delimiter("case_id,histology")
    (';', ',')
    """
    if "," in first_line:
        return ","
    return "\t" if "\t" in first_line else ";" if ";" in first_line else ","


def _csv_records(handle: IO[str], file: str, columns: _Columns,
                 delimiter: str = ",") -> Iterator[tuple[int, dict[str, Any]] | InputError]:
    reader = csv.reader(handle, strict=True, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("the file is empty", file=file) from None
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=file, line=reader.line_num) from None
    # "Case ID", "Tumour size (mm)" or "Ki-67 (%)" name the contract's columns too; any other column
    # stops the run unless dropped on purpose
    fields = columns.resolve(header, 1)
    missing = [name for name in REQUIRED if name not in fields]
    if missing:
        raise InputError("the header lacks a required column", file=file, line=1, field=missing[0],
                         value=",".join(header))
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
        if len(row) != len(fields):
            yield InputError(f"malformed CSV: {len(row)} cells where the header has {len(fields)}", file=file,
                             line=start, field=None, value=",".join(row))
            continue
        yield start, {name: cell for name, cell in zip(fields, row) if name is not None}


def _json_records(text: str, file: str, columns: _Columns) -> Iterator[tuple[int, dict[str, Any]] | InputError]:
    # numbers as Decimal: exact, so that a value a float would change is refused, and no limit on digits
    decoder = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal)
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
        except RecursionError:
            raise InputError("malformed JSON: nested too deeply", file=file, line=line) from None
        if isinstance(value, dict):
            fields = columns.resolve(list(value), line)
            yield line, {name: v for name, v in zip(fields, value.values()) if name is not None}
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


def _records(path: Path, columns: _Columns) -> Iterator[tuple[int, dict[str, Any]] | InputError]:
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
                yield from _json_records(handle.read(), file, columns)
            else:
                yield from _csv_records(handle, file, columns, _delimiter(head.splitlines()[0] if head else ""))
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
               vocab: Vocabulary | None = None, ignore_columns: Iterable[str] | None = None,
               ignore_unknown_columns: bool | None = None, ignored: list[str] | None = None) -> Iterator[Case]:
    """Yield the checked cases of a CSV or JSON case file, streaming.

    Without ``keep_going`` the first bad row raises :class:`InputError`; with it, bad
    rows (bad field, unknown code, number out of range, duplicate ``case_id``,
    malformed row) are appended to ``errors`` and skipped. A ``case_id`` seen before is
    an error even when its first row was skipped. A missing, empty or unreadable file,
    and a column that is not the contract's, always raise: ``ignore_columns`` (names)
    and ``ignore_unknown_columns`` drop columns on purpose, and ``ignored`` receives
    their names (defaults: the :func:`column_policy` in force).
    """
    path = Path(path)
    checker = _Checker(vocab or load_rules().vocabulary, str(path))
    columns = _Columns(str(path), ignore_columns, ignore_unknown_columns)
    first_line: dict[str, tuple[int, bool]] = {}
    for item in _records(path, columns):
        try:
            if isinstance(item, InputError):
                raise item
            line, record = item
            raw_id = record.get("case_id")
            key = raw_id.strip() if isinstance(raw_id, str) else None
            seen = first_line.get(key) if key else None
            if key and seen is None:
                first_line[key] = (line, False)
            try:
                case = checker.case(record, line)
            except InputError:
                if key and seen is None:
                    first_line[key] = (line, True)
                raise
            if seen is not None:
                rejected = ", which was rejected" if seen[1] else ""
                raise checker.error(f"duplicate case_id (first on line {seen[0]}{rejected})", line, "case_id",
                                    case.case_id)
        except InputError as exc:
            if not keep_going:
                raise
            if errors is not None:
                errors.append(exc)
            continue
        yield case
    if ignored is not None:
        ignored.extend(n for n in columns.dropped if n not in ignored)
    columns.done()


def read_cases(path: str | Path, keep_going: bool = False, vocab: Vocabulary | None = None, *,
               ignore_columns: Iterable[str] | None = None, ignore_unknown_columns: bool | None = None) -> CaseFile:
    """Read and check a whole case file (see :func:`iter_cases`); ``ignored_columns`` names the columns dropped.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = path.write_text("case_id,histology,primary_subsite,Ki-67 (%),notes\\nA1,net,tail,4,seen twice\\n")
    >>> read_cases(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pnet_kg.errors.InputError: ...:1: field 'notes': unknown column (the columns of the contract: ...)
    >>> read_cases(path, ignore_columns=["notes"]).ignored_columns
    ['notes']
    """
    from .guard import as_path, check_type

    path = as_path(path, "path")
    check_type(vocab, Vocabulary, "vocab", optional=True)
    errors: list[InputError] = []
    ignored: list[str] = []
    cases = list(iter_cases(path, keep_going=keep_going, errors=errors, vocab=vocab, ignore_columns=ignore_columns,
                            ignore_unknown_columns=ignore_unknown_columns, ignored=ignored))
    return CaseFile(cases, errors, ignored)


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
