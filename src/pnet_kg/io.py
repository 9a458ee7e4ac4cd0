"""Writing files and tables: safe output paths and the one registry of tabular output formats."""

from __future__ import annotations

import csv
import datetime as _dt
import errno
import io as _io
import json
import math
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from .errors import OutputError
from .guard import printable

#: The output path that means standard output.
STDOUT = "-"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _reason(exc: OSError) -> str:
    if exc.errno == errno.EPIPE:
        return "the reader closed the pipe"
    return exc.strerror or str(exc)


def _same_file(found: os.stat_result, fd: int) -> bool:
    try:
        return os.path.samestat(found, os.fstat(fd))
    except (OSError, ValueError):
        return False


def check_output_path(path: str | Path) -> None:
    """Refuse an output path that can never be written, before any work is done.

    A folder, or a path below something that is not a folder, raises :class:`OutputError`;
    a regular file, a device, a FIFO, a symlink to one of those, ``-`` or a new path pass.

    >>> check_output_path("/")
    Traceback (most recent call last):
    ...
    pnet_kg.errors.OutputError: /: is a folder; give a file name
    """
    if str(path) == STDOUT:
        return
    try:
        found = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        found = None
    except OSError as exc:  # a symlink loop, a folder we may not search
        raise OutputError(f"{path}: cannot write: {_reason(exc)}") from None
    if found is not None and _same_file(found, 1):
        return  # /dev/stdout and the like: written through the open descriptor, whoever owns it
    mode = found.st_mode if found is not None else None
    if mode is not None:
        if stat.S_ISDIR(mode):
            raise OutputError(f"{path}: is a folder; give a file name")
        if not os.access(path, os.W_OK):
            raise OutputError(f"{path}: cannot write: permission denied")
        return
    # A new file: the nearest existing folder above it (through symlinks) must be a folder, since
    # missing folders are made.
    for parent in Path(os.path.realpath(path)).parents:
        try:
            parent_mode = os.stat(parent).st_mode
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:
            raise OutputError(f"{path}: cannot write: {_reason(exc)}") from None
        if not stat.S_ISDIR(parent_mode):
            raise OutputError(f"{path}: cannot write: {parent} is not a folder")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise OutputError(f"{path}: cannot write: permission denied in {parent}")
        return


def is_stream(path: str | Path) -> bool:
    """Whether ``path`` is written directly (``-``, a device, a FIFO, a socket), not replaced atomically.

    >>> is_stream("-"), is_stream("/dev/null"), is_stream("results.csv")
    (True, True, False)
    """
    if str(path) == STDOUT:
        return True
    try:
        found = os.stat(path)
    except OSError:
        return False
    return _same_file(found, 1) or not (stat.S_ISREG(found.st_mode) or stat.S_ISDIR(found.st_mode))


class _Guarded:
    """A writable handle whose write errors become an :class:`OutputError` naming the output.

    Errors of the code that produces the output (say, reading an input) pass unchanged.
    """

    def __init__(self, handle: IO[Any], name: str) -> None:
        self._handle = handle
        self._name = name

    def _fail(self, exc: OSError) -> OutputError:
        return OutputError(f"{self._name}: cannot write: {_reason(exc)}")

    def write(self, data: Any) -> int:
        try:
            return self._handle.write(data)
        except OSError as exc:
            raise self._fail(exc) from None

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._handle.flush()
        except OSError as exc:
            raise self._fail(exc) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


def _silence_stdout() -> None:
    # After EPIPE on standard output, point it at /dev/null so that the interpreter's final flush
    # does not print a second error (the recipe of the Python signal docs).
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, _io.UnsupportedOperation):
        pass


@contextmanager
def _guarded(handle: IO[Any], name: str, close: bool) -> Iterator[IO[Any]]:
    """Yield ``handle`` guarded; flush it (and close it) at the end, write errors naming ``name``."""
    guarded = _Guarded(handle, name)
    try:
        yield guarded  # type: ignore[misc]
        guarded.flush()
    except BaseException:
        if close:
            with suppress(OSError):  # the error that matters is the one in flight
                handle.close()
        raise
    if close:
        try:
            handle.close()
        except OSError as exc:
            raise guarded._fail(exc) from None


@contextmanager
def _stdout_writer(mode: str) -> Iterator[IO[Any]]:
    try:
        sys.stdout.flush()  # what was printed before comes first
    except OSError as exc:
        _silence_stdout()
        raise OutputError(f"standard output: cannot write: {_reason(exc)}") from None
    try:
        with _guarded(sys.stdout.buffer if "b" in mode else sys.stdout, "standard output", close=False) as handle:
            yield handle
    except OutputError:
        _silence_stdout()
        raise


@contextmanager
def _stream_writer(path: str | Path, mode: str) -> Iterator[IO[Any]]:
    try:
        handle: IO[Any] = open(path, mode) if "b" in mode else open(path, mode, encoding="utf-8", newline="")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {_reason(exc)}") from None
    with _guarded(handle, str(path), close=True) as guarded:
        yield guarded


@contextmanager
def _replacing_writer(path: Path, shown: str | Path, mode: str) -> Iterator[IO[Any]]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write: {_reason(exc)}") from None
    try:
        handle: IO[Any] = os.fdopen(fd, mode) if "b" in mode else os.fdopen(fd, mode, encoding="utf-8", newline="")
        with _guarded(handle, str(shown), close=True) as guarded:
            yield guarded
        try:
            # mkstemp makes the file private (0600): give it the mode a plain open() would, or keep
            # the mode of the file it replaces, so that others can still read artifacts and sources.
            os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask())
            os.replace(tmp, path)
        except OSError as exc:
            raise OutputError(f"{shown}: cannot write: {_reason(exc)}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_writer(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Open ``path`` for writing so that nothing half-written is left and nothing but a file is replaced.

    A regular file or a new path is written to a temporary file beside it and renamed over it only
    if the block succeeds; a symlink is followed and its target replaced so. ``-``, a device, a
    FIFO or a socket is written directly (``/dev/stdout`` and the like write to standard output).
    A folder is refused, and every write error is an :class:`OutputError` naming ``path``.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_writer(target) as handle:
    ...     _ = handle.write("hello")
    >>> target.read_text()
    'hello'
    """
    if str(path) == STDOUT:
        with _stdout_writer(mode) as handle:
            yield handle
        return
    check_output_path(path)
    try:
        found: os.stat_result | None = os.stat(path)
    except OSError:
        found = None
    if found is not None and _same_file(found, 1):
        with _stdout_writer(mode) as handle:  # -o /dev/stdout: the very stream the shell gave us
            yield handle
    elif found is not None and not stat.S_ISREG(found.st_mode):
        with _stream_writer(path, mode) as handle:
            yield handle
    else:
        with _replacing_writer(Path(os.path.realpath(path)), path, mode) as handle:
            yield handle


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_writer(path) as handle:
        handle.write(text)


def text_of(value: Any) -> str:
    """A typed value as text, spelled as in XSD and JSON, the same in every format.

    >>> [text_of(v) for v in (True, None, 13.0, 0.5, float("-inf"), _dt.datetime(2021, 6, 5, 10, 30))]
    ['true', '', '13', '0.5', '-INF', '2021-06-05T10:30:00']
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "INF" if value > 0 else "-INF"
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return str(value)


#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_cell(value: Any) -> str:
    # Only text is neutralised: a number, typed as one, keeps its sign (-3 stays -3).
    text = value if type(value) is str else text_of(value)  # plain text, the usual cell: as it is
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    # for a terminal: a control character in the data is shown as its escape (see guard.printable)
    cells = [[printable(text_of(r.get(c))) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    out = [line(list(columns)), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    return "\n".join(out) + "\n"


def _markdown(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:

    def esc(value: Any) -> str:
        return printable(text_of(value)).replace("|", "\\|")

    out = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    out += ["| " + " | ".join(esc(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(out) + "\n"


def _delimited(delimiter: str) -> Callable[[Sequence[dict[str, Any]], Sequence[str]], str]:
    def write(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
        buffer = _io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
        # With "\n" as line end the csv module leaves a lone CR unquoted, which readers take for a
        # line break: a row holding one is written fully quoted.
        quoted = csv.writer(buffer, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(columns)
        for r in rows:
            cells = [_spreadsheet_cell(v) for v in map(r.get, columns)]
            (quoted if "\r" in "".join(cells) else writer).writerow(cells)
        return buffer.getvalue()

    return write


def _json_value(value: Any) -> str:
    # Numbers stay numbers (a Decimal exactly as written), dates and non-finite floats are strings
    # spelled as in the other formats.
    if value is None or isinstance(value, (bool, int, str)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and math.isfinite(value):
        return json.dumps(value)
    if isinstance(value, Decimal) and value.is_finite():
        return str(value)
    return json.dumps(text_of(value), ensure_ascii=False)


def _json(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    if not rows:
        return "[]\n"
    records = []
    for r in rows:
        members = ",\n".join(f"    {json.dumps(c, ensure_ascii=False)}: {_json_value(r.get(c))}" for c in columns)
        records.append("  {\n" + members + "\n  }" if columns else "  {}")
    return "[\n" + ",\n".join(records) + "\n]\n"


def _jsonl(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    return "".join("{" + ", ".join(f"{json.dumps(c, ensure_ascii=False)}: {_json_value(r.get(c))}" for c in columns)
                   + "}\n" for r in rows)


#: Tabular writers by format name; the CLI offers exactly these choices.
TABLE_WRITERS: dict[str, Callable[[Sequence[dict[str, Any]], Sequence[str]], str]] = {
    "table": _table,
    "csv": _delimited(","),
    "tsv": _delimited("\t"),
    "json": _json,
    "jsonl": _jsonl,
    "markdown": _markdown,
}


def render_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str = "table") -> str:
    """Render ``rows`` (dicts) in ``fmt``, one of :data:`TABLE_WRITERS`.

    >>> print(render_table([{"a": 1, "b": "x"}], ["a", "b"], "csv"), end="")
    a,b
    1,x
    >>> print(render_table([{"a": 1, "b": "x"}], ["a", "b"]), end="")
    a  b
    -  -
    1  x
    """
    return TABLE_WRITERS[fmt](rows, columns)
