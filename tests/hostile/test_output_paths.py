"""Issue 16: ``-o`` never replaces what is not a regular file, and never fails with a traceback.

Every command that takes ``-o`` is run (in process, through the same ``main`` a user runs) against
a symlink, a FIFO with a reader thread, ``-``, ``/dev/stdout``, a folder, a path under a file and,
as root, character devices made here with ``os.mknod`` (the numbers of /dev/null and /dev/full; the
system's own /dev/full is never touched). ``test_the_same_checks_as_a_normal_user`` runs this file
again as ``nobody``.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import INPUT, REPO

from pnet_kg.cli import cli, main

CASES = INPUT / "query" / "cases.csv"
CASES_BAD_TTL = INPUT / "shapes" / "cases-bad.ttl"

#: every command with -o, with arguments that make it write something
COMMANDS: dict[str, list[str]] = {
    "stage": ["stage", str(CASES)],
    "cases import": ["cases", "import", str(CASES)],
    "cases synth": ["cases", "synth", "-n", "5"],
    "stats": ["stats"],
    "query": ["query", "grading-rules", "-O", "csv"],
    "claims": ["claims", "--source", "Source_001"],
    "sources": ["sources", "--claim", "pnet:Rule_SEER_EOD2018_head_celiac"],
    "validate": ["validate", str(CASES_BAD_TTL)],
    "qc": ["qc", "-O", "json"],
    "evidence": ["evidence", str(CASES)],
}
#: the reasoner takes about 10 s a run: its device, FIFO and stream cases are marked slow
SLOW_COMMANDS: dict[str, list[str]] = {"reason": ["reason", "--reasoner", "owlrl", "--no-explain"]}
ALL_COMMANDS = {**COMMANDS, **SLOW_COMMANDS}
#: the per-command checks; stats and qc (a second each, and the same writer as the rest) in the slow set
PER_COMMAND = [pytest.param(c, marks=pytest.mark.slow) if c in ("qc", "stats") else c for c in sorted(COMMANDS)]

IS_ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not IS_ROOT, reason="os.mknod of a character device needs root (CAP_MKNOD)")
NULL_DEVICE = os.makedev(1, 3)
FULL_DEVICE = os.makedev(1, 7)
NOBODY = 65534


@dataclass
class Run:
    code: int
    out: bytes
    err: str


def invoke(*args: str) -> Run:
    """Run ``pnet-kg ARGS`` in process, through ``main`` (its error handling and exit codes)."""
    with CliRunner().isolation() as (out, err, _):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
        return Run(code, out.getvalue(), err.getvalue().decode())


_REFERENCES: dict[str, Run] = {}


def reference(command: str, tmp_path: Path) -> Run:
    """The command written to a regular file: what every other kind of output must receive.

    The outputs are deterministic: each command runs once for the whole module.
    """
    if command not in _REFERENCES:
        target = tmp_path / "reference.out"
        run = invoke(*ALL_COMMANDS[command], "-o", str(target))
        assert run.code in (0, 1), run.err
        _REFERENCES[command] = Run(run.code, target.read_bytes(), run.err)
        target.unlink()
    return _REFERENCES[command]


def assert_clean_failure(run: Run, named: str, reason: str) -> None:
    assert run.code == 2, run.err
    assert named in run.err and reason in run.err, run.err
    assert "Traceback" not in run.err


@contextmanager
def fifo_reader(path: Path, read: bool = True) -> Iterator[list[bytes]]:
    """A FIFO at ``path`` with a reader thread; it reads everything, or (``read=False``) closes at once."""
    os.mkfifo(path)
    got: list[bytes] = []

    def reader() -> None:
        with open(path, "rb") as handle:
            if read:
                got.append(handle.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        yield got
    finally:
        if thread.is_alive() and not got:
            # the command never opened the FIFO: release the reader blocked in open()
            with suppress(OSError):
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(timeout=20)
        assert not thread.is_alive()


def make_device(path: Path, device: int) -> Path:
    os.mknod(path, 0o666 | stat.S_IFCHR, device)
    return path


def assert_device(path: Path, device: int) -> None:
    st = os.lstat(path)
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == device, f"{path} was replaced"


def test_every_command_with_an_output_option_is_covered() -> None:
    ctx = click.Context(cli)
    found = set()

    def walk(command: click.Command, name: str) -> None:
        if isinstance(command, click.Group):
            for sub in command.list_commands(ctx):
                sub_command = command.get_command(ctx, sub)
                assert sub_command is not None
                walk(sub_command, f"{name} {sub}".strip())
        elif any(isinstance(p, click.Option) and "--output" in p.opts for p in command.params):
            found.add(name)

    walk(cli, "")
    assert found == set(ALL_COMMANDS)


# ---------------------------------------------------------------- regular files and symlinks


@pytest.mark.parametrize("command", PER_COMMAND)
def test_symlink_target_is_written_and_the_link_kept(tmp_path: Path, command: str) -> None:
    ref = reference(command, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "target.out"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "link.out"
    link.symlink_to(target)
    run = invoke(*COMMANDS[command], "-o", str(link))
    assert run.code == ref.code, run.err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == ref.out
    assert stat.S_IMODE(target.stat().st_mode) == 0o640, "the target keeps its mode"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["target.out"], "no temporary file left"


def test_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "new" / "staged.csv")
    run = invoke(*COMMANDS["stage"], "-o", str(link))
    assert run.code == 0, run.err
    assert link.is_symlink() and (tmp_path / "new" / "staged.csv").read_text().startswith("case_id,")


# ---------------------------------------------------------------- refused before any work


def command_object(name: str) -> click.Command:
    command: click.Command | None = cli
    ctx = click.Context(cli)
    for part in name.split():
        assert isinstance(command, click.Group)
        command = command.get_command(ctx, part)
    assert command is not None
    return command


@pytest.mark.parametrize("command", sorted(ALL_COMMANDS))
def test_folder_and_path_under_a_file_refused_before_work(tmp_path: Path, command: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a-file").write_text("keep\n")
    (tmp_path / "to-folder").symlink_to(tmp_path)

    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("the command started its work before refusing its output path")

    # refused while parsing the options: the command's body (say, the reasoner) never starts
    monkeypatch.setattr(command_object(command), "callback", no_work)
    for bad, reason in ((tmp_path, "is a folder"), (tmp_path / "to-folder", "is a folder"),
                        (tmp_path / "a-file" / "out.txt", "is not a folder"),
                        (tmp_path / "a-file" / "deeper" / "out.txt", "is not a folder")):
        run = invoke(*ALL_COMMANDS[command], "-o", str(bad))
        assert run.code == 2 and reason in run.err and "Invalid value for '-o'" in run.err, run.err
        assert "Traceback" not in run.err and run.out == b""
    assert (tmp_path / "a-file").read_text() == "keep\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "to-folder"]


def test_output_checked_before_the_input_is_read(tmp_path: Path) -> None:
    run = invoke("stage", str(tmp_path / "missing.csv"), "-o", str(tmp_path))
    assert run.code == 2 and "is a folder" in run.err and "missing.csv" not in run.err, run.err


# ---------------------------------------------------------------- FIFOs, - and /dev/stdout


@pytest.mark.parametrize("command", PER_COMMAND)
def test_fifo_is_written_directly(tmp_path: Path, command: str) -> None:
    ref = reference(command, tmp_path)
    fifo = tmp_path / "pipe"
    with fifo_reader(fifo) as got:
        run = invoke(*COMMANDS[command], "-o", str(fifo))
    assert run.code == ref.code, run.err
    assert got == [ref.out]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced"


@pytest.mark.parametrize("command", PER_COMMAND)
def test_dash_and_dev_stdout_are_standard_output(tmp_path: Path, command: str) -> None:
    ref = reference(command, tmp_path)
    for output in ("-", "/dev/stdout"):
        run = invoke(*COMMANDS[command], "-o", output)
        assert run.code == ref.code, run.err
        assert run.out == ref.out, output
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_fifo_whose_reader_left_is_an_error_naming_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    with fifo_reader(fifo, read=False):
        run = invoke("cases", "synth", "-n", "2000", "-o", str(fifo))  # 110 KB: more than a pipe holds
    assert_clean_failure(run, str(fifo), "the reader closed the pipe")


def test_standard_output_whose_reader_left_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for output in (["-o", "-"], []):
        read_end, write_end = os.pipe()
        os.close(read_end)
        with open(write_end, "w", encoding="utf-8") as closed_pipe, CliRunner().isolation() as (_, err, _):
            monkeypatch.setattr(sys, "stdout", closed_pipe)
            with pytest.raises(SystemExit) as exit_:
                main(["cases", "synth", "-n", "2000", *output])
            message = err.getvalue().decode()
            # after the error, standard output points at /dev/null: no second error at exit
            closed_pipe.write("x" * 100_000)
            closed_pipe.flush()
        assert exit_.value.code == 2 and "standard output: cannot write: the reader closed the pipe" in message
        assert "Traceback" not in message


def test_dev_stdout_on_a_pipe_in_a_real_process(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pnet_kg", "stage", str(CASES), "-o", "/dev/stdout"],
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == invoke("stage", str(CASES)).out
    assert done.stdout.startswith(b"case_id,")


# ---------------------------------------------------------------- character devices


@needs_root
@pytest.mark.parametrize("command", PER_COMMAND)
def test_character_devices_are_written_not_replaced(tmp_path: Path, command: str) -> None:
    ref = reference(command, tmp_path)
    null = make_device(tmp_path / "null", NULL_DEVICE)
    run = invoke(*COMMANDS[command], "-o", str(null))
    assert run.code == ref.code, run.err
    assert_device(null, NULL_DEVICE)
    full = make_device(tmp_path / "full", FULL_DEVICE)
    run = invoke(*COMMANDS[command], "-o", str(full))
    assert_clean_failure(run, str(full), "No space left on device")
    assert_device(full, FULL_DEVICE)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "null"]


@needs_root
def test_full_standard_output_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    full = make_device(tmp_path / "full", FULL_DEVICE)
    for output in (["-o", "-"], []):
        # a fresh handle each time: after the error standard output is pointed at /dev/null
        with open(full, "w", encoding="utf-8") as device, CliRunner().isolation() as (_, err, _):
            monkeypatch.setattr(sys, "stdout", device)
            with pytest.raises(SystemExit) as exit_:
                main(["stage", str(CASES), *output])
            message = err.getvalue().decode()
        assert exit_.value.code == 2 and "standard output: cannot write: No space left on device" in message
        assert "Traceback" not in message
    assert_device(full, FULL_DEVICE)


def test_devices_as_a_normal_user(tmp_path: Path) -> None:
    """Without root no device can be made; the system's /dev/null is written (harmlessly), not replaced."""
    if not IS_ROOT:
        with pytest.raises(PermissionError):
            make_device(tmp_path / "full", FULL_DEVICE)
    for command in ("stage", "stats"):
        run = invoke(*COMMANDS[command], "-o", "/dev/null")
        assert run.code == 0 and "Traceback" not in run.err, run.err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and os.stat("/dev/null").st_rdev == NULL_DEVICE


# ---------------------------------------------------------------- the reasoner (slow)


@pytest.mark.slow
def test_reason_output_kinds(tmp_path: Path) -> None:
    args = SLOW_COMMANDS["reason"]
    ref = reference("reason", tmp_path)
    target = tmp_path / "target.ttl"
    link = tmp_path / "link.ttl"
    link.symlink_to(target)
    assert invoke(*args, "-o", str(link)).code == ref.code and link.is_symlink() and target.read_bytes() == ref.out
    fifo = tmp_path / "pipe"
    with fifo_reader(fifo) as got:
        assert invoke(*args, "-o", str(fifo)).code == ref.code
    assert got == [ref.out] and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    dash = invoke(*args, "-o", "-")
    assert dash.code == ref.code and dash.out.endswith(ref.out)  # after the summary
    if IS_ROOT:
        full = make_device(tmp_path / "full", FULL_DEVICE)
        assert_clean_failure(invoke(*args, "-o", str(full)), str(full), "No space left on device")
        assert_device(full, FULL_DEVICE)


# ---------------------------------------------------------------- all of the above as a normal user


def _drop_root() -> None:
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def _interpreter_for_nobody(env: dict[str, str]) -> str | None:
    """This interpreter, or (when it lives where nobody may look, as under /root) a system one of the
    same version given this environment's packages, if ``nobody`` can import pnet_kg with it."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"):
        try:
            probe = subprocess.run([candidate, "-c", "import pytest, pnet_kg"], env=env, preexec_fn=_drop_root,
                                   capture_output=True, timeout=120, cwd="/")
        except OSError:
            continue
        if probe.returncode == 0:
            return candidate
    return None


@pytest.mark.slow
@pytest.mark.skipif(not IS_ROOT, reason="already running as a normal user")
def test_the_same_checks_as_a_normal_user() -> None:
    """Run this file again as ``nobody``: the device cases skip, everything else must pass."""
    home = Path(tempfile.mkdtemp(prefix="pnet-kg-nobody-"))
    try:
        os.chown(home, NOBODY, NOBODY)
        packages = [p for p in sys.path if p.endswith("site-packages")]
        env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / "cache"), "TMPDIR": str(home),
               "PYTHONDONTWRITEBYTECODE": "1",
               "PYTHONPATH": os.pathsep.join([str(REPO / "src"), *packages])}
        python = _interpreter_for_nobody(env)
        if python is None:
            pytest.skip(f"user nobody (uid {NOBODY}) can run no Python that imports pnet_kg and pytest here")
        done = subprocess.run(
            [python, "-m", "pytest", str(Path(__file__)), "-q", "-rs", "-m", "not slow",
             "-p", "no:cacheprovider", "--basetemp", str(home / "pytest"), "--rootdir", str(REPO),
             "-o", "addopts="],
            cwd=home, env=env, preexec_fn=_drop_root, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
        assert "needs root (CAP_MKNOD)" in done.stdout and " passed" in done.stdout, done.stdout[-2000:]
        assert " failed" not in done.stdout and " error" not in done.stdout
    finally:
        shutil.rmtree(home, ignore_errors=True)
