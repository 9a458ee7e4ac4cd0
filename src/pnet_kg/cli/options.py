"""Options shared by several commands, defined once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..io import TABLE_WRITERS

F = TypeVar("F", bound=Callable[..., Any])


def output_option(func: F) -> F:
    """``-o/--output FILE`` (default: standard output), written atomically."""
    return click.option(
        "-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
        help="Write to FILE (atomically) instead of standard output.",
    )(func)


def table_format_option(default: str = "table") -> Callable[[F], F]:
    """``-O/--output-format`` chosen from the table writer registry."""

    def decorate(func: F) -> F:
        return click.option(
            "-O", "--output-format", "output_format", type=click.Choice(sorted(TABLE_WRITERS)),
            default=default, show_default=True, help="Output format.",
        )(func)

    return decorate


def emit(text: str, output: str | None) -> None:
    """Write ``text`` to ``output`` atomically, or to standard output."""
    if output is None:
        click.echo(text, nl=False)
    else:
        from ..io import atomic_write_text

        atomic_write_text(output, text)


def case_column_options(func: F) -> F:
    """``--ignore-column NAME`` (repeatable) and ``--ignore-unknown-columns`` for commands that read case files.

    A column of a case file that is not the contract's stops the run; these drop columns
    on purpose, and the command says on standard error which it dropped.
    """
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, ignore_column: tuple[str, ...], ignore_unknown_columns: bool, **kwargs: Any) -> Any:
        from ..cases import column_policy

        def report(file: str, names: tuple[str, ...]) -> None:
            click.echo(f"pnet-kg: {file}: ignored column(s): {', '.join(map(repr, names))}", err=True)

        with column_policy(ignore_column, ignore_unknown_columns, report):
            return func(*args, **kwargs)

    wrapper = click.option("--ignore-unknown-columns", is_flag=True,
                           help="Drop every case-file column that is not in the contract (named on stderr).")(wrapper)
    wrapper = click.option("--ignore-column", "ignore_column", multiple=True, metavar="NAME",
                           help="Drop this case-file column (repeatable); other unknown columns stop the run.")(wrapper)
    return wrapper  # type: ignore[return-value]
