"""The shipped ontology through owlready2, and the Java side (HermiT, OWL API) that owlready2 ships.

owlready2 cannot read Turtle, so the merged graph (the same one ``pnet-kg build``
writes, see :func:`pnet_kg.build.merged_ontology`) is converted to N-Triples in
a temporary file and loaded from there; the Turtle sources stay the one copy.

The ontology's base IRI ends in ``pnet-kg.owl#`` while its terms are
``https://w3id.org/pnet-kg/X``, so ``onto.NodeGroup_celiac`` finds nothing: reach terms by
name through the terms' namespace, :data:`TERMS` (``onto.get_namespace(TERMS)``):

>>> onto = load_owlready()
>>> onto.base_iri
'https://w3id.org/pnet-kg/pnet-kg.owl#'
>>> pnet = onto.get_namespace(TERMS)
>>> pnet.NodeGroup_celiac.label.first()
locstr('celiac lymph nodes', 'en')
>>> pnet.Insulinoma.is_a
[pnet-kg.FunctionalPancreaticNeuroendocrineTumour]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import owlready2
from rdflib import Graph

from .build import merged_ontology
from .catalog import ROOT_IRI
from .dataset import Dataset
from .errors import ReasonerError
from .guard import as_paths, check_type

#: The namespace of pnet-kg's terms, for owlready2's ``onto.get_namespace(TERMS).Liver``.
TERMS = "https://w3id.org/pnet-kg/"
_HERE = Path(__file__).resolve().parent
#: The helper run by :func:`run_owlcheck`: OWL API loading, OWL 2 DL profile and explanations.
OWLCHECK_SOURCE = _HERE / "java" / "OwlCheck.java"


def merged_graph(extra: Dataset | Iterable[str | Path] = ()) -> Graph:
    """Return the shipped graph plus ``extra`` as one ontology (root header, no module headers).

    ``extra`` is a :class:`~pnet_kg.dataset.Dataset`, or files opened as one: RDF files and case
    files (CSV or JSON of the case contract), read and checked through :mod:`pnet_kg.cases`.
    """
    dataset = extra if isinstance(extra, Dataset) else Dataset.open(as_paths(extra, "extra"))
    return merged_ontology(dataset.graph)  # a new graph: the dataset's own view is left as it is


def load_owlready(extra: Iterable[str | Path] = (), *, graph: Graph | None = None) -> Any:
    """Load the shipped graph (plus ``extra`` RDF files) into a fresh owlready2 World and return its ontology.

    The ontology's ``world`` attribute is the :class:`owlready2.World`; nothing is
    shared with owlready2's default world, so two calls never see each other's
    individuals. ``graph`` (a merged graph, see :func:`merged_graph`) skips re-reading the sources.
    Terms are reached by name through their namespace, not the ontology's base IRI:
    ``load_owlready().get_namespace(TERMS).NodeGroup_celiac`` (see the module's example).

    Raises :class:`pnet_kg.errors.InputError` for an extra file that is missing or does not parse.
    """
    extra = as_paths(extra, "extra")
    check_type(graph, Graph, "graph", optional=True)
    merged = graph if graph is not None else merged_graph(extra)
    world = owlready2.World()
    fd, tmp = tempfile.mkstemp(prefix="pnet-kg-", suffix=".nt")
    try:
        with os.fdopen(fd, "wb") as handle:
            merged.serialize(destination=handle, format="nt", encoding="utf-8")
        with open(tmp, "rb") as handle:
            ontology = world.get_ontology(ROOT_IRI).load(fileobj=handle, format="ntriples")
    finally:
        Path(tmp).unlink(missing_ok=True)
    return ontology


def java_executable() -> str | None:
    """The ``java`` command on PATH (as owlready2 will call it), or None when Java is missing."""
    exe: str = owlready2.JAVA_EXE
    return exe if os.path.isabs(exe) and os.access(exe, os.X_OK) else shutil.which(exe)


def hermit_jar() -> Path:
    """HermiT's jar as owlready2 ships it; it also holds the OWL API 3 classes (OWLManager, profiles)."""
    return Path(owlready2.__file__).resolve().parent / "hermit" / "HermiT.jar"


def run_owlcheck(mode: str, owl_file: str | Path, *args: str, timeout: float = 600) -> list[list[str]]:
    """Run ``OwlCheck.java MODE FILE ARGS`` (Java 11+ source launch) and return its records (lists of fields).

    Raises :class:`ReasonerError` when Java is missing, cannot compile the helper
    (a runtime without the JDK compiler), or the helper fails.
    """
    java = java_executable()
    if java is None:
        raise ReasonerError("Java is not installed (no 'java' on PATH): the OWL API helper cannot run")
    command = [java, "-Xmx2G", "-cp", str(hermit_jar()), str(OWLCHECK_SOURCE), mode, str(owl_file), *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise ReasonerError(f"the OWL API helper did not finish in {timeout:.0f} s") from exc
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise ReasonerError(f"the OWL API helper failed (needs a JDK 11+ to compile {OWLCHECK_SOURCE.name}): {tail}")
    return [line.split("\t") for line in done.stdout.splitlines() if line]
