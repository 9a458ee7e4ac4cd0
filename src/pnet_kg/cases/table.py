"""Case files in the contract's table format (CSV, or a JSON array of objects): read, checked and written back.

Reading streams row by row; every bad row is an :class:`~pnet_kg.errors.InputError`
naming the file, line, field and value, and a file with bad rows raises them all at once
(:class:`~pnet_kg.errors.InputErrors`).

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
>>> _ = path.write_text("case_id,histology,primary_subsite,ki67_percent\\nA1,net,tail,4\\n")
>>> read_cases(path).cases[0].primary_subsite
'tail'
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Literal

from ..errors import InputError, InputErrors
from ..guard import as_path, check_type
from ..rules import Vocabulary, load_rules
from .columns import Columns
from .model import CASE_VOCABULARY, CODE_FIELDS, FIELDS, LIST_FIELDS, REQUIRED, Case, CaseFile

#: Cells that spreadsheets and R write for "no value"; read like an empty cell (unknown).
_MISSING = frozenset({"na", "n/a"})
#: A unit a spreadsheet may leave after a number ("25 mm", "15%"): it must be the field's own unit.
_UNIT_SUFFIX = {"tumor_size_mm": "mm", "ki67_percent": "%"}
#: Number text a float holds exactly (DBL_DIG = 15 significant digits); longer text is checked by value.
_SHORT_NUMBER = re.compile(r"[+-]?[0-9.]{1,15}")


def _shown(value: object) -> object:
    """A value as a message shows it: numbers as written, a 5,000-digit one cut short."""
    if isinstance(value, Decimal):
        value = str(value)
    if isinstance(value, str) and len(value) > 60:
        return f"{value[:24]}...{value[-8:]} ({len(value)} characters)"
    return value


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
        values: dict[str, Any] = {name: record.get(name) for name in ("case_id", *CODE_FIELDS)}
        for name in ("tumor_size_mm", "ki67_percent", "mitoses_per_2mm2", "positive_node_count"):
            values[name] = self._number(record, name, line)
        for name in LIST_FIELDS:
            values[name] = self._codes(record, name, line)
        token = CASE_VOCABULARY.set(self.vocab)
        try:
            return Case(**values, line=line)
        except InputError as exc:
            # a number as written in the file; for codes the one bad code, not the whole cell
            coded = exc.field in CODE_FIELDS or exc.field in LIST_FIELDS
            raw = record[exc.field] if exc.field is not None and exc.field in record and not coded else exc.value
            raise self.error(exc.message, line, exc.field, _shown(raw)) from None
        finally:
            CASE_VOCABULARY.reset(token)


def parse_case(record: Mapping[str, Any] | Case, vocab: Vocabulary | None = None) -> Case:
    """Check one case given as a dict of contract fields (strings or JSON values) and return it as a :class:`Case`.

    >>> parse_case({"case_id": "X", "histology": "net", "primary_subsite": "head", "ki67_percent": 2}).ki67_percent
    2.0
    """
    if isinstance(record, Case):
        record = record.as_record()
    columns = Columns(file=None)
    fields = columns.resolve(list(record), None)
    renamed = {f: v for f, v in zip(fields, record.values()) if f is not None}
    return _Checker(vocab or load_rules().vocabulary, None).case(renamed, None)


def _delimiter(first_line: str) -> str:
    """Comma, or the tab or semicolon of a header written by a spreadsheet in another locale.

    >>> _delimiter("case_id;histology;primary_subsite"), _delimiter("case_id,histology")
    (';', ',')
    """
    if "," in first_line:
        return ","
    return "\t" if "\t" in first_line else ";" if ";" in first_line else ","


def _csv_records(handle: IO[str], file: str, columns: Columns,
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


def _json_records(text: str, file: str, columns: Columns) -> Iterator[tuple[int, dict[str, Any]] | InputError]:
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


def _records(path: Path, columns: Columns) -> Iterator[tuple[int, dict[str, Any]] | InputError]:
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


#: Without ``keep_going``, how many bad rows a reader lists before it only counts the rest.
ERROR_LIMIT = 100


def iter_cases(path: str | Path, *, keep_going: bool = False, errors: list[InputError] | None = None,
               vocab: Vocabulary | None = None, ignore_columns: Iterable[str] | None = None,
               ignore_unknown_columns: bool | None = None, ignored: list[str] | None = None) -> Iterator[Case]:
    """Yield the checked cases of a CSV or JSON case file, streaming.

    Without ``keep_going`` a bad row stops the yielding, but the reader reads on, as a linter
    does, and at the end raises one :class:`~pnet_kg.errors.InputErrors` listing every bad row
    (the first :data:`ERROR_LIMIT`, then a count of the rest). With ``keep_going``, bad rows
    (bad field, unknown code, number out of range, duplicate ``case_id``, malformed row) are
    appended to ``errors`` and skipped. A ``case_id`` seen before is an error even when its
    first row was skipped. A missing, empty or unreadable file, and a column that is not the
    contract's, always raise (with the bad rows found before it): ``ignore_columns`` (names)
    and ``ignore_unknown_columns`` drop columns on purpose, and ``ignored`` receives their
    names (defaults: the :func:`column_policy` in force).

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = path.write_text("case_id,histology,primary_subsite,ki67_percent\\nA1,net,tail,x\\nA2,nt,tail,4\\n")
    >>> list(iter_cases(path))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pnet_kg.errors.InputErrors: ...c.csv:2: field 'ki67_percent': not a number (value 'x')
    ...c.csv:3: field 'histology': unknown code (expected one of ...) (value 'nt')
    """
    path = Path(path)
    checker = _Checker(vocab or load_rules().vocabulary, str(path))
    columns = Columns(str(path), ignore_columns, ignore_unknown_columns)
    first_line: dict[str, tuple[int, bool]] = {}
    found: list[InputError] = []  # without keep_going: the bad rows, reported together at the end
    more = 0
    records = _records(path, columns)
    while True:
        try:
            item = next(records)
        except StopIteration:
            break
        except InputError as exc:  # the file as a whole cannot be read on
            raise InputErrors([*found, exc], more) from None
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
            if keep_going:
                if errors is not None:
                    errors.append(exc)
            elif len(found) < ERROR_LIMIT:
                found.append(exc)
            else:
                more += 1
            continue
        if not found:  # after a bad row nothing is yielded: the run fails, its cases are only checked
            yield case
    if found:
        raise InputErrors(found, more)
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
    pnet_kg.errors.InputErrors: ...:1: field 'notes': unknown column (the columns of the contract: ...)
    >>> read_cases(path, ignore_columns=["notes"]).ignored_columns
    ['notes']
    """
    path = as_path(path, "path")
    check_type(vocab, Vocabulary, "vocab", optional=True)
    errors: list[InputError] = []
    ignored: list[str] = []
    cases = list(iter_cases(path, keep_going=keep_going, errors=errors, vocab=vocab, ignore_columns=ignore_columns,
                            ignore_unknown_columns=ignore_unknown_columns, ignored=ignored))
    return CaseFile(cases, errors, ignored)


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
