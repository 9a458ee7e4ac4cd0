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
