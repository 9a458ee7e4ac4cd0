"""One family of errors: every failure a user can cause is a :class:`PnetKgError`.

The command line turns these into a one-line message and exit code 2; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class PnetKgError(ValueError):
    """Base class of every error pnet-kg raises for bad input or a missing resource."""


class DataNotFoundError(PnetKgError):
    """A packaged data directory (ontology, shapes, queries) cannot be found."""


class InputError(PnetKgError):
    """Bad user input, located as precisely as the reader knows it.

    >>> str(InputError("not a number", file="cases.csv", line=4, field="ki67_percent", value="abc"))
    "cases.csv:4: field 'ki67_percent': not a number (value 'abc')"
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        value: object = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        self.value = value
        super().__init__(self._render())

    def _render(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        text = self.message
        if self.field is not None:
            text = f"field {self.field!r}: {text}"
        if self.value is not None:
            text = f"{text} (value {self.value!r})"
        return f"{where}: {text}" if where else text


class InputErrors(InputError):
    """Every error of one input at once, as a linter reports them: one per line, the first
    ``limit`` of them, then a count of the rest (``more``).

    Its ``file``, ``line``, ``field`` and ``value`` are the first error's.

    >>> print(InputErrors([InputError("not a number", file="c.csv", line=2, field="ki67_percent", value="x"),
    ...                    InputError("unknown code", file="c.csv", line=5, field="histology", value="y")], more=3))
    c.csv:2: field 'ki67_percent': not a number (value 'x')
    c.csv:5: field 'histology': unknown code (value 'y')
    ... and 3 more errors
    """

    def __init__(self, errors: list[InputError], more: int = 0, note: str | None = None) -> None:
        if not errors:
            raise ValueError("InputErrors needs at least one error")
        self.errors = list(errors)
        self.more = more
        self.note = note  #: what the failure left behind (a push: which graphs were replaced), said after the list
        first = errors[0]
        super().__init__(first.message, file=first.file, line=first.line, field=first.field, value=first.value)

    def lines(self) -> list[str]:
        """The errors one per line, then the count of those not listed."""
        lines = [str(error) for error in self.errors]
        if self.more:
            lines.append(f"... and {self.more} more error{'s' if self.more != 1 else ''}")
        return lines

    def _render(self) -> str:
        return "\n".join([*self.lines(), *([self.note] if self.note else [])])

    @property
    def count(self) -> int:
        """How many errors there are in all, listed or not."""
        return len(self.errors) + self.more


class QueryError(PnetKgError):
    """An unknown named query, an unknown or ill-typed parameter, or a query that does not parse."""


class ReasonerError(PnetKgError):
    """The OWL reasoner could not run (for example, Java is missing)."""


class OutputError(PnetKgError):
    """An output that cannot be written: a folder, a path under a file, a full device, a closed pipe."""


class UnsupportedShape(PnetKgError):
    """A shape uses a part of SHACL that the fast engine does not compile (``"auto"`` falls back to pySHACL)."""
