"""The on-disk Oxigraph store a server reads: the shipped graph plus the user's files, bulk-loaded.

A ``--location`` folder is marked as made here before anything is written to it, and is
reloaded only when the committed sources or the user's files changed (their fingerprint).
A folder this command did not make is refused, never emptied.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from ..dataset import Dataset, as_dataset
from ..errors import PnetKgError
from ..load import module_files


def oxigraph_binary() -> str:
    """Path of the ``oxigraph`` command installed by the ``oxigraph`` package (``pnet-kg[server]``)."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        raise PnetKgError("the Oxigraph server is not installed: pip install 'pnet-kg[server]' (package oxigraph)")
    return found


def _as_ntriples(dataset: Dataset, workdir: Path) -> Path:
    """The dataset (its files already read and checked, so a bad file was named there, not by Oxigraph's
    loader with a backtrace) as one N-Triples file Oxigraph can load."""
    target = workdir / "dataset.nt"
    dataset.store.dump(str(target), ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return target


def _fingerprint(dataset: Dataset) -> str | None:
    """Hash of the committed sources (when the dataset has the shipped graph) and the user's input files (not of
    serialisations, whose blank node labels change from run to run); ``None`` when the dataset also holds
    data made in code (a graph, cases without a file) or skipped rows: nothing to compare, so it is reloaded."""
    if len(dataset.input_files) != len(dataset.parts) or dataset.input_errors:
        return None
    digest = hashlib.sha256()
    if not dataset.shipped:
        digest.update(b"without the shipped graph\0")
    for path in [*(module_files().values() if dataset.shipped else ()), *dataset.input_files]:
        if not path.is_file():
            raise PnetKgError(f"{path}: no such file")
        digest.update(path.read_bytes())
    return digest.hexdigest()


#: Written into a ``--location`` folder before anything else: the folder is a store this command made,
#: so its contents may be replaced. A folder without it is never emptied.
OWNER_MARKER = ".pnet-kg-serve-store"
_FINGERPRINT = "pnet-kg.fingerprint"


def _check_location(location: Path) -> bool:
    """True if ``location`` is a store made by :func:`prepare_location`; False if it is new or empty.

    Anything else (a file, a folder with other contents) is refused: serving never deletes a user's files.
    """
    if not location.exists():
        return False
    if not location.is_dir():
        raise PnetKgError(f"{location}: --location must be a folder, and this is a file")
    if (location / OWNER_MARKER).is_file() or (location / _FINGERPRINT).is_file():
        return True
    if any(location.iterdir()):
        raise PnetKgError(f"{location}: the folder is not empty and is not a store made by pnet-kg serve; "
                          "give a new or empty folder (its contents would be replaced)")
    return False


def prepare_location(location: Path, data: Dataset | Sequence[str | Path] = ()) -> bool:
    """Make ``location`` hold exactly the dataset ``data`` (a :class:`~pnet_kg.dataset.Dataset`, or files
    opened with the shipped graph); return True if it (re)loaded.

    A kept location whose content is unchanged is reused as it is. A folder that is not empty
    and was not made here is refused (:class:`PnetKgError`), never emptied.
    """
    dataset = as_dataset(data)
    fingerprint = _fingerprint(dataset)
    ours = _check_location(location)
    marker = location / _FINGERPRINT
    if ours and fingerprint is not None and marker.is_file() and marker.read_text() == fingerprint:
        return False
    with tempfile.TemporaryDirectory(prefix="pnet-kg-serve-") as tmp:
        source = _as_ntriples(dataset, Path(tmp))
        if ours:
            shutil.rmtree(location)
        location.mkdir(parents=True, exist_ok=True)
        (location / OWNER_MARKER).write_text("a store made by pnet-kg serve; its contents are replaced on reload\n")
        command = [oxigraph_binary(), "load", "--location", str(location), "--file", str(source)]
        # On SIGTERM or Ctrl-C the exception raised in this thread makes subprocess.run kill the loader
        # and the with-block remove the temporary folder.
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise PnetKgError(f"oxigraph could not load the data: {result.stderr.strip()[-500:]}")
        if fingerprint is not None:
            marker.write_text(fingerprint)
        return True

