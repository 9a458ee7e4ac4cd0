"""Reasoning over the shipped graph (and case files): HermiT through owlready2, or an OWL 2 RL closure.

:func:`reason` answers: is the graph consistent, which classes are unsatisfiable
and why (a minimal set of axioms found by removing axioms, see
``java/OwlCheck.java``), which subclass links and individual types the reasoner
adds, and the inferred triples to write to a file.

HermiT needs Java. Without it, ``reasoner="hermit"`` says so in the report's
warnings and falls back to the owlrl OWL 2 RL closure, labelled as such: OWL 2 RL
finds types from defined classes only partly and cannot prove a class unsatisfiable.

>>> report = reason(reasoner="owlrl")
>>> report.consistent, report.reasoner.startswith("owlrl")
(True, True)
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal as TypingLiteral

import owlready2
import owlrl
from owlrl.Namespaces import ERRNS
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from .dataset import Dataset
from .errors import InputError, ReasonerError
from .formats import RDF_FORMATS
from .guard import as_paths
from .io import atomic_writer
from .owl import java_executable, load_owlready, merged_graph, run_owlcheck
from .prefixes import PNET, bind_all, converter

Reasoner = TypingLiteral["hermit", "owlrl"]
HERMIT_LABEL = "HermiT 1.3.8 (OWL 2 DL, via owlready2)"
OWLRL_LABEL = "owlrl OWL 2 RL closure (pure Python; not a complete OWL 2 DL reasoner)"
_INFERRED_IRI = str(PNET["inferred.owl"])
_OWL2_DATATYPES_MISSING = {"date", "gYear", "gYearMonth", "time", "duration"}


@dataclass(frozen=True)
class Explanation:
    """Why ``target`` is unsatisfiable (or, for ``owl:Thing``, why the graph is inconsistent).

    ``axioms`` is one minimal set of asserted axioms (Manchester syntax) that causes
    it, or, when no minimal set could be computed, the asserted axioms around it
    (``minimal`` is then False).
    """

    target: str
    axioms: tuple[str, ...]
    minimal: bool = True


@dataclass
class ReasoningReport:
    """What a reasoner found; ``ok`` is True when the graph is consistent with no unsatisfiable class."""

    reasoner: str
    consistent: bool
    unsatisfiable: tuple[str, ...] = ()
    explanations: tuple[Explanation, ...] = ()
    inferred_subclasses: tuple[tuple[str, str], ...] = ()
    inferred_types: tuple[tuple[str, str], ...] = ()
    inferred: Graph = field(default_factory=Graph)
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable

    def types_of(self, individual: str) -> set[str]:
        """The inferred types (IRIs) of ``individual`` (an IRI)."""
        return {c for i, c in self.inferred_types if i == individual}

    def write(self, path: str | Path) -> None:
        """Write the inferred triples to ``path`` atomically (format from the suffix, Turtle by default)."""
        found = RDF_FORMATS.get(Path(path).suffix.lower())
        fmt = found.rdflib if found is not None else "turtle"
        with atomic_writer(path, "wb") as handle:
            self.inferred.serialize(destination=handle, format=fmt, encoding="utf-8")

    def summary(self) -> str:
        """The report as text for people."""
        short = _short
        lines = [f"reasoner: {self.reasoner}", f"time: {self.seconds:.1f} s",
                 f"consistent: {'yes' if self.consistent else 'NO'}"]
        lines += [f"warning: {w}" for w in self.warnings]
        if self.consistent:
            lines.append(f"unsatisfiable classes: {len(self.unsatisfiable)}")
            lines += [f"  {short(c)}" for c in self.unsatisfiable]
        for e in self.explanations:
            what = "inconsistency" if e.target == str(OWL.Thing) else short(e.target)
            kind = "minimal set of axioms" if e.minimal else "asserted axioms around it (not minimal)"
            lines.append(f"why {what} ({kind}):")
            lines += [f"  {a}" for a in e.axioms]
        lines.append(f"inferred subclass links: {len(self.inferred_subclasses)}")
        lines += [f"  {short(s)} SubClassOf {short(o)}" for s, o in self.inferred_subclasses]
        lines.append(f"inferred individual types: {len(self.inferred_types)}")
        lines += [f"  {short(s)} Type {short(o)}" for s, o in self.inferred_types]
        return "\n".join(lines) + "\n"


def _short(iri: str) -> str:
    compact = converter().compress(iri)
    return compact if compact else iri


def _unsupported_datatype_count(graph: Graph) -> int:
    xsd = str(XSD)
    return sum(1 for o in graph.objects() if isinstance(o, Literal) and o.datatype is not None
               and str(o.datatype).startswith(xsd) and str(o.datatype)[len(xsd):] in _OWL2_DATATYPES_MISSING)


def reason(extra_files: Dataset | Iterable[str | Path] = (), *, reasoner: Reasoner = "hermit", explain: bool = True,
           fallback: bool = True) -> ReasoningReport:
    """Reason over the shipped graph plus ``extra_files`` (case data, a curator's edit; or a
    :class:`~pnet_kg.dataset.Dataset`) and report.

    :param reasoner: ``"hermit"`` (OWL 2 DL, needs Java) or ``"owlrl"`` (OWL 2 RL closure, pure Python).
    :param explain: compute a minimal set of axioms for an inconsistency or unsatisfiable class
        (HermiT only; needs a JDK to compile the small OWL API helper, else the asserted axioms around the class).
    :param fallback: when Java is missing, run owlrl instead of raising :class:`ReasonerError`.
    :raises InputError: an extra file is missing or does not parse.
    :raises ReasonerError: the reasoner cannot run.
    """
    if reasoner not in ("hermit", "owlrl"):
        raise InputError(f"unknown reasoner {reasoner!r} (choose hermit or owlrl)")
    graph = merged_graph(extra_files if isinstance(extra_files, Dataset) else as_paths(extra_files, "extra_files"))
    warnings: list[str] = []
    if reasoner == "hermit" and java_executable() is None:
        message = "Java is not installed (no 'java' on PATH), so HermiT cannot run"
        if not fallback:
            raise ReasonerError(message + "; install a Java runtime (11 or later) or use the owlrl reasoner")
        warnings.append(message + ": fell back to the owlrl OWL 2 RL closure, which is NOT a complete OWL 2 DL "
                        "check (no class satisfiability; fewer inferred types); install Java 11+ for HermiT")
        reasoner = "owlrl"
    if reasoner == "owlrl":
        report = _reason_owlrl(graph)
    else:
        report = _reason_hermit(graph, explain)
    report.warnings = tuple(warnings) + report.warnings
    return report


def _reason_hermit(graph: Graph, explain: bool) -> ReasoningReport:
    warnings = []
    unsupported = _unsupported_datatype_count(graph)
    if unsupported:
        warnings.append(f"{unsupported} literals use datatypes outside the OWL 2 datatype map (e.g. xsd:date); "
                        "HermiT ignores their values")
    start = time.perf_counter()
    onto = load_owlready(graph=graph)
    world = onto.world
    inferred_onto = world.get_ontology(_INFERRED_IRI)
    consistent = True
    try:
        with inferred_onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0,
                                           ignore_unsupported_datatypes=True)
    except owlready2.OwlReadyInconsistentOntologyError:
        consistent = False
    except owlready2.OwlReadyJavaError as exc:
        raise ReasonerError(f"HermiT failed: {str(exc).strip().splitlines()[-1]}") from exc
    unsat = tuple(sorted(c.iri for c in world.inconsistent_classes() if not c.iri.startswith(str(OWL)))) if consistent else ()
    inferred = bind_all(Graph())
    if consistent:
        for s, p, o in inferred_onto.get_triples():
            if s < 0 or not isinstance(o, int) or o < 0:
                continue  # blank nodes and literals: owlready2 internals, not inferences
            triple = (URIRef(world._unabbreviate(s)), URIRef(world._unabbreviate(p)), URIRef(world._unabbreviate(o)))
            if triple[0] == URIRef(_INFERRED_IRI) or triple[2] in (OWL.Nothing, OWL.Thing):
                continue
            if triple not in graph:
                inferred.add(triple)
    explanations: tuple[Explanation, ...] = ()
    if explain and (not consistent or unsat):
        explanations, note = _explain(graph, consistent, unsat)
        warnings += note
    seconds = time.perf_counter() - start
    return _report(HERMIT_LABEL, consistent, unsat, explanations, inferred, seconds, warnings)


def _report(label: str, consistent: bool, unsat: tuple[str, ...], explanations: tuple[Explanation, ...],
            inferred: Graph, seconds: float, warnings: list[str]) -> ReasoningReport:
    subclasses = tuple(sorted((str(s), str(o)) for s, o in inferred.subject_objects(RDFS.subClassOf)))
    types = tuple(sorted((str(s), str(o)) for s, o in inferred.subject_objects(RDF.type)
                         if o not in (OWL.NamedIndividual, OWL.Class)))
    return ReasoningReport(label, consistent, unsat, explanations, subclasses, types, inferred, seconds,
                           tuple(warnings))


def _explain(graph: Graph, consistent: bool, unsat: tuple[str, ...]) -> tuple[tuple[Explanation, ...], list[str]]:
    """A minimal set of axioms for the inconsistency or each unsatisfiable class (OWL API helper)."""
    fd, tmp = tempfile.mkstemp(prefix="pnet-kg-", suffix=".owl")
    try:
        with os.fdopen(fd, "wb") as handle:
            graph.serialize(destination=handle, format="xml", encoding="utf-8")
        records = run_owlcheck("explain", tmp, *unsat)
    except ReasonerError as exc:
        note = [f"no minimal explanation: {exc}"]
        return tuple(_asserted_context(graph, c) for c in unsat), note
    finally:
        Path(tmp).unlink(missing_ok=True)
    by_target: dict[str, list[str]] = {}
    for record in records:
        if record[0] == "EXPLAIN":
            by_target.setdefault(record[1], []).append(record[2])
    targets = [str(OWL.Thing)] if not consistent else list(unsat)
    return tuple(Explanation(t, tuple(by_target.get(t, ()))) for t in targets), []


def _asserted_context(graph: Graph, iri: str) -> Explanation:
    """The told superclasses, equivalences and disjoint classes of ``iri`` and its superclasses (not minimal)."""
    seen: set[URIRef] = set()
    pending = [URIRef(iri)]
    axioms: list[str] = []
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for sup in graph.objects(cls, RDFS.subClassOf):
            if isinstance(sup, URIRef):
                axioms.append(f"{_short(cls)} SubClassOf {_short(sup)}")
                pending.append(sup)
        for other in set(graph.objects(cls, OWL.disjointWith)) | set(graph.subjects(OWL.disjointWith, cls)):
            if isinstance(other, URIRef):
                axioms.append(f"{_short(cls)} DisjointWith {_short(other)}")
        if any(True for _ in graph.objects(cls, OWL.equivalentClass)):
            axioms.append(f"{_short(cls)} EquivalentTo (a class expression, see the source)")
    return Explanation(iri, tuple(dict.fromkeys(axioms)), minimal=False)


def _reason_owlrl(graph: Graph) -> ReasoningReport:
    start = time.perf_counter()
    closure = Graph()
    for triple in graph:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)
    errors, error_text = ERRNS["ErrorMessage"], ERRNS["error"]  # how owlrl records an inconsistency
    messages = sorted(str(m) for node in closure.subjects(RDF.type, errors) for m in closure.objects(node, error_text))
    inferred = bind_all(Graph())
    pnet = str(PNET)
    schema = {OWL.Class, RDFS.Class, OWL.Restriction, RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty,
              OWL.AnnotationProperty, OWL.Ontology, RDFS.Datatype}
    for s, p, o in closure:
        # Keep the inferences a curator reads: types and subclass links between named terms of pnet-kg.
        if (s, p, o) in graph or isinstance(s, BNode) or not isinstance(o, URIRef) or not str(o).startswith(pnet):
            continue
        if p == RDF.type and not schema.intersection(closure.objects(s, RDF.type)):
            inferred.add((s, p, o))
        elif p == RDFS.subClassOf and s != o and str(s).startswith(pnet):
            inferred.add((s, p, o))
    seconds = time.perf_counter() - start
    warnings = ["OWL 2 RL closure: inconsistency is found only for the patterns RL rules check, and no class "
                "satisfiability is tested"]
    explanations = tuple(Explanation(str(OWL.Thing), (m,), minimal=False) for m in messages)
    return _report(OWLRL_LABEL, not messages, (), explanations, inferred, seconds, warnings)
