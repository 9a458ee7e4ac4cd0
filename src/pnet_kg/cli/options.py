"""Options shared by several commands, defined once, so that a letter means one thing everywhere.

``-o/--output`` is the output file, ``-O/--output-format`` (alias ``--format``) its format,
``-c/--columns`` the result columns, ``-f/--file`` an input query file.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from ..cases import column_policy
from ..errors import OutputError
from ..io import STDOUT, TABLE_WRITERS, atomic_writer, check_output_path

F = TypeVar("F", bound=Callable[..., Any])

#: True when the command line is its own process (the pnet-kg script, ``python -m pnet_kg``), false
#: when :func:`pnet_kg.cli.main` is called in another program's process (tests, notebooks).
OWN_PROCESS = False


def finish(code: int) -> None:
    """End a command that built a large store with exit ``code``, its output flushed.

    In its own process the command ends the process here, without freeing what it built:
    dropping the store of 100,000 cases (1.3 million triples) takes 0.4 s and gives nothing back
    to anyone. Called in process, a non-zero ``code`` raises SystemExit as ``sys.exit`` does, and
    0 returns.
    """
    if OWN_PROCESS:
        sys.stdout.flush()  # a closed pipe raises here, and main() reports it as usual
        sys.stderr.flush()
        os._exit(code)
    if code:
        sys.exit(code)


def _checked_output(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    # Refuse a folder or a path under a file while parsing, before the command does any work.
    if value is None:
        return None
    try:
        check_output_path(value)
    except OutputError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
    return value


def output_option(func: F) -> F:
    """``-o/--output FILE``: a file (replaced atomically), a device or FIFO (written directly), or ``-``."""
    return click.option(
        "-o", "--output", type=click.Path(allow_dash=True), default=None, callback=_checked_output,
        help="Write to FILE instead of standard output: a regular file is replaced atomically (a symlink's "
             "target), a device or FIFO is written directly; '-' is standard output.",
    )(func)


def output_format_option(choices: Sequence[str], default: str | None, help: str) -> Callable[[F], F]:
    """``-O/--output-format`` (alias ``--format``) chosen from ``choices``."""

    def decorate(func: F) -> F:
        return click.option(
            "-O", "--output-format", "--format", "output_format", type=click.Choice(list(choices)),
            default=default, show_default=default is not None, help=help,
        )(func)

    return decorate


def table_format_option(default: str = "table") -> Callable[[F], F]:
    """``-O/--output-format`` chosen from the table writer registry."""
    return output_format_option(sorted(TABLE_WRITERS), default, "Output format.")


def columns_option(func: F) -> F:
    """``-c/--columns A,B,...``: the result columns to show, in order (a list; empty: all)."""

    def split(ctx: click.Context, param: click.Parameter, value: str | None) -> list[str]:
        return [c.strip() for c in value.split(",") if c.strip()] if value else []

    return click.option(
        "-c", "--columns", default=None, metavar="A,B,...", callback=split,
        help="Show only these result columns (and their labels), in this order.",
    )(func)


def labels_option(func: F) -> F:
    """``--labels/--no-labels``: a ``<column>_label`` column beside each column of IRIs."""
    return click.option(
        "--labels/--no-labels", default=True, show_default=True,
        help="Put a <column>_label column beside each column of IRIs.",
    )(func)


def emit(text: str, output: str | None) -> None:
    """Write ``text`` to ``output`` (see :func:`pnet_kg.io.atomic_writer`), or to standard output."""
    with atomic_writer(output or STDOUT) as handle:
        handle.write(text)


def case_column_options(func: F) -> F:
    """``--ignore-column NAME`` (repeatable) and ``--ignore-unknown-columns`` for commands that read case files.

    A column of a case file that is not the contract's stops the run; these drop columns
    on purpose, and the command says on standard error which it dropped.
    """
    @functools.wraps(func)
    def wrapper(*args: Any, ignore_column: tuple[str, ...], ignore_unknown_columns: bool, **kwargs: Any) -> Any:
        def report(file: str, names: tuple[str, ...]) -> None:
            click.echo(f"pnet-kg: {file}: ignored column(s): {', '.join(map(repr, names))}", err=True)

        with column_policy(ignore_column, ignore_unknown_columns, report):
            return func(*args, **kwargs)

    wrapper = click.option("--ignore-unknown-columns", is_flag=True,
                           help="Drop every case-file column that is not in the contract (named on stderr).")(wrapper)
    wrapper = click.option("--ignore-column", "ignore_column", multiple=True, metavar="NAME",
                           help="Drop this case-file column (repeatable); other unknown columns stop the run.")(wrapper)
    return wrapper  # type: ignore[return-value]
