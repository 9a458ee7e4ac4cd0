"""Marks for doctests, which cannot carry a decorator: examples that start Java are slow."""

from __future__ import annotations

import pytest

#: modules whose doctests run the OWL reasoner (a JVM start each)
_SLOW_DOCTEST_MODULES = ("reason.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if isinstance(item, pytest.DoctestItem) and item.path.name in _SLOW_DOCTEST_MODULES:
            item.add_marker(pytest.mark.slow)
