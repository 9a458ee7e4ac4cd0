"""pnet-kg: an open knowledge graph of how pancreatic neuroendocrine tumours spread.

The public API is re-exported here; everything else is reached through its module.

>>> import pnet_kg
>>> graph = pnet_kg.load()
>>> len(graph) > 1000
True
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .build import build
from .errors import InputError, PnetKgError, QueryError, ReasonerError
from .load import load, load_modules
from .stats import Stats, stats

try:
    __version__ = version("pnet-kg")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = [
    "InputError",
    "PnetKgError",
    "QueryError",
    "ReasonerError",
    "Stats",
    "__version__",
    "build",
    "load",
    "load_modules",
    "stats",
]
