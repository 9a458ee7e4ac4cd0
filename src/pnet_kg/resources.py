"""Where the packaged data lives: ``ontology/``, ``shapes/`` and ``queries/``.

In an installed wheel the three directories sit in ``pnet_kg/data/``; in a source
checkout (editable install, tests) they are the top-level directories of the
repository. Code asks this module and never builds such paths itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from .errors import DataNotFoundError

DataDir = Literal["ontology", "shapes", "queries"]

_HERE = Path(__file__).resolve().parent


def data_dir(name: DataDir) -> Path:
    """Return the directory holding packaged data ``name``.

    >>> data_dir("ontology").joinpath("catalog-v001.xml").is_file()
    True
    """
    for candidate in (_HERE / "data" / name, _HERE.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise DataNotFoundError(f"pnet-kg data directory {name!r} not found (looked in {_HERE / 'data'} and the source tree)")


def ontology_dir() -> Path:
    """The directory of the OWL sources and ``catalog-v001.xml``."""
    return data_dir("ontology")
