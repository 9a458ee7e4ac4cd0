"""Writing files and tables: atomic writes and the one registry of tabular output formats."""

from __future__ import annotations

import csv
import io as _io
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_writer(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; rename it over ``path`` only if the block succeeds.

    Nothing half-written is ever left at ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        handle: IO[Any] = os.fdopen(fd, mode) if "b" in mode else os.fdopen(fd, mode, encoding="utf-8", newline="")
        with handle:
            yield handle
        # mkstemp makes the file private (0600): give it the mode a plain open() would, or keep the
        # mode of the file it replaces, so that others can still read release artifacts and sources.
        os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_writer(path) as handle:
        handle.write(text)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    out = [line(list(columns)), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    return "\n".join(out) + "\n"


def _markdown(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:

    def esc(value: Any) -> str:
        return _cell(value).replace("|", "\\|")

    out = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    out += ["| " + " | ".join(esc(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(out) + "\n"


def _delimited(delimiter: str) -> Callable[[Sequence[dict[str, Any]], Sequence[str]], str]:
    def write(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
        buffer = _io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow([_cell(r.get(c)) for c in columns])
        return buffer.getvalue()

    return write


def _json(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    return json.dumps([{c: r.get(c) for c in columns} for r in rows], indent=2, ensure_ascii=False, default=str) + "\n"


def _jsonl(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    return "".join(json.dumps({c: r.get(c) for c in columns}, ensure_ascii=False, default=str) + "\n" for r in rows)


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
