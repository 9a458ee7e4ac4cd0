"""Read what :func:`~pnet_kg.validate.validate` checks, through :class:`~pnet_kg.dataset.Dataset`:
kept for callers that want the store or the graph alone.

>>> len(load_store(shipped=False))
0
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Graph

from ..dataset import DataInput, Dataset, as_list
from ..errors import InputError

__all__ = ["DataInput", "as_list", "load_graph", "load_store"]


def load_store(data: DataInput | Iterable[DataInput] | None = None, *, shipped: bool = True,
               keep_going: bool = False, errors: list[InputError] | None = None) -> ox.Store:
    """An in-memory pyoxigraph store with the shipped graph (unless ``shipped=False``) and ``data``."""
    return Dataset.open(data, shipped=shipped, keep_going=keep_going, errors=errors).store


def load_graph(data: DataInput | Iterable[DataInput] | None = None, *, shipped: bool = True,
               keep_going: bool = False, errors: list[InputError] | None = None) -> Graph:
    """The same data as :func:`load_store`, as one :class:`rdflib.Graph` (for pySHACL)."""
    return Dataset.open(data, shipped=shipped, keep_going=keep_going, errors=errors).graph
