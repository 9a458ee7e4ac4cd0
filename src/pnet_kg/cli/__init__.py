"""The ``pnet-kg`` command line: a click group whose commands live one module a command group.

Commands are imported only when called, so ``pnet-kg --help`` stays fast and a
broken optional dependency of one command cannot break the others.

Exit codes: 0 success; 1 the data does not conform (validation violations, a
non-canonical file, an inconsistent ontology); 2 bad input or usage.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from ..errors import PnetKgError

#: command name -> "module:attribute" below pnet_kg.cli
COMMANDS: dict[str, str] = {
    "demo": "demo:demo_cmd",
    "build": "core:build_cmd",
    "cases": "cases:cases_group",
    "claims": "query:claims_cmd",
    "fmt": "core:fmt_cmd",
    "generate": "generate:generate_cmd",
    "reason": "reason:reason_cmd",
    "query": "query:query_cmd",
    "sources": "query:sources_cmd",
    "stage": "stage:stage_cmd",
    "stats": "core:stats_cmd",
    "validate": "validate:validate_cmd",
    "serve": "serve:serve_cmd",
    "push": "serve:push_cmd",
    "qc": "qc:qc_cmd",
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when the command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        module = importlib.import_module(f"{__name__}.{module_name}")
        command: click.Command = getattr(module, attribute)
        return command


def _version() -> str:
    from .. import __version__

    return __version__


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=_version(), prog_name="pnet-kg")
def cli() -> None:
    """pnet-kg: a knowledge graph of how pancreatic neuroendocrine tumours spread.

    Exit codes: 0 OK, 1 data does not conform, 2 bad input.
    """


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``pnet-kg`` script: user errors become one message and exit code 2."""
    try:
        return cli.main(args=argv, prog_name="pnet-kg", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if exc.exit_code in (1, 2) else exc.exit_code)
    except PnetKgError as exc:
        click.echo(f"pnet-kg: error: {exc}", err=True)
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(0)
