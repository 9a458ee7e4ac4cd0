"""The ``pnet-kg`` command line: a click group whose commands live one module a command group.

A command's module is imported when the command is called (``--help`` imports them all to
list them), so that a broken optional dependency of one command cannot break the others.

Exit codes: 0 success; 1 the data does not conform (validation violations, a
non-canonical file, an inconsistent ontology) or an ASK query answered false; 2 bad input or usage, or a file-system
error; 130 interrupted (Ctrl-C); 143 terminated (SIGTERM), after cleaning up.
"""

from __future__ import annotations

import errno
import importlib
import logging
import signal
import sys
import warnings
from types import FrameType
from typing import Any

import click

from .. import __version__
from ..errors import InputErrors, PnetKgError
from ..guard import redact
from . import options

#: command name -> "module:attribute" below pnet_kg.cli
COMMANDS: dict[str, str] = {
    "demo": "demo:demo_cmd",
    "evidence": "evidence:evidence_cmd",
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


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="pnet-kg")
def cli() -> None:
    """pnet-kg: a knowledge graph of how pancreatic neuroendocrine tumours spread.

    Exit codes: 0 OK, 1 data does not conform, 2 bad input.
    """


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that every ``with`` and ``finally`` cleans up
    (temporary folders and files removed, child processes killed by ``subprocess.run``)."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def _os_error(exc: OSError) -> str:
    where = f"{exc.filename}: " if exc.filename else ""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        reason += " (the disk or the temporary folder, TMPDIR, is full)"
    return f"{where}{reason}"


def script() -> Any:
    """The ``pnet-kg`` script and ``python -m pnet_kg``: :func:`main` in a process of its own, which a
    command may end without freeing what it built (see :func:`~pnet_kg.cli.options.finish`)."""
    options.OWN_PROCESS = True
    return main()


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``pnet-kg`` script: user errors become one message and exit code 2."""
    signal.signal(signal.SIGTERM, _terminate)
    # rdflib logs a traceback, and warns when it writes one out, for each ill-typed literal of a user's
    # file ("abc"^^xsd:decimal). The validation report states those as sh:datatype results: on the
    # command line the traceback is noise in front of the answer ("no traceback for a user error").
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="Serializing weird numerical", category=UserWarning)
    try:
        return cli.main(args=argv, prog_name="pnet-kg", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except Terminated:
        click.echo("pnet-kg: terminated", err=True)
        sys.exit(143)
    except click.ClickException as exc:
        setattr(exc, "message", redact(exc.message))  # a URL given on the command line may hold a password
        exc.show()
        sys.exit(2 if exc.exit_code in (1, 2) else exc.exit_code)
    except InputErrors as exc:  # every bad row of a file, one a line, as a linter lists them
        for line in exc.lines():
            click.echo(f"pnet-kg: error: {redact(line)}", err=True)
        if exc.count > 1:
            click.echo(f"pnet-kg: {exc.count} errors", err=True)
        for line in (exc.note or "").splitlines():
            click.echo(f"pnet-kg: {redact(line)}", err=True)
        sys.exit(2)
    except PnetKgError as exc:
        click.echo(f"pnet-kg: error: {redact(str(exc))}", err=True)
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as exc:  # the file system or the network, not a bug: EIO, EACCES, ENOSPC, read-only folders
        click.echo(f"pnet-kg: error: {redact(_os_error(exc))}", err=True)
        sys.exit(2)
