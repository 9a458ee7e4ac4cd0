"""The one way data comes in: the shipped graph plus the user's files, opened once.

A :class:`Dataset` holds everything in an embedded :class:`pyoxigraph.Store` (fast to load
and query at cohort scale); an :class:`rdflib.Graph` view is built only when asked for
(pySHACL, owlready2 and owlrl need one). Case files (CSV or JSON of the contract) are read
and checked by :mod:`pnet_kg.cases`, whose triples the dataset loads; RDF files of any
suffix in :data:`~pnet_kg.formats.RDF_FORMATS` are checked by :func:`~pnet_kg.formats.readable_rdf`
and bulk-loaded. Each case remembers its file and line, each RDF input its file
(:meth:`Dataset.source_of`), so a validation result can point back at the input.

>>> ds = Dataset.open()
>>> len(ds.store) > 1000, ds.source_of("https://w3id.org/pnet-kg/Liver") is None
(True, True)
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import OWL
from rdflib.term import Node

from .cases import Case, case_iri, case_rdf, case_triples, is_case_file, iter_cases
from .catalog import ROOT_IRI
from .errors import InputError
from .formats import check_file, parse_error, readable_rdf
from .load import load, parse_file, walk_imports
from .prefixes import bind_all
from .rules import Vocabulary, load_rules
from .store import add_graph

#: What a dataset is opened from: a file path (RDF, or a case CSV/JSON) or an rdflib graph.
DataInput = Union[str, Path, Graph]

#: Cases are loaded in batches of this many (bounded memory for the N-Triples text).
_BATCH = 5000
#: Streaming: at most this many batches wait for the loader thread (bounded memory when it falls behind).
_IN_FLIGHT = 4


@dataclass(frozen=True)
class Source:
    """Where a node came from: the input file and, for a case, the line its row starts on."""

    file: str
    line: int | None = None


def as_list(data: DataInput | Iterable[DataInput] | None) -> list[DataInput]:
    """``data`` as a list of inputs (none, one, or the items given)."""
    if data is None:
        return []
    if isinstance(data, (str, Path, Graph)):
        return [data]
    return list(data)


def as_dataset(data: Dataset | DataInput | Iterable[DataInput] | None = None, *, shipped: bool = True) -> Dataset:
    """``data`` itself when it is a :class:`Dataset`, else the dataset of the shipped graph (unless
    ``shipped=False``) and the files given: how a verb that takes a dataset also takes a list of files.

    >>> as_dataset([], shipped=False).parts
    []
    """
    return data if isinstance(data, Dataset) else Dataset.open(data, shipped=shipped)


class Dataset:
    """The shipped graph (unless ``shipped=False``) plus the user's inputs, in one pyoxigraph store.

    Open one with :meth:`open`; add more with :meth:`add`, :meth:`add_cases`. ``cases`` keeps
    the checked :class:`~pnet_kg.cases.Case` objects read from case files (staging uses them),
    ``input_errors`` the rows skipped under ``keep_going``.
    """

    def __init__(self, *, shipped: bool = True, path: str | Path | None = None, store: ox.Store | None = None) -> None:
        # ``store``: fill a store the caller already has (a query on it then sees the added files)
        self._store = store if store is not None else ox.Store(str(path)) if path is not None else ox.Store()
        # in memory, a plain load is faster than bulk_load (about 15% at 100,000 cases); on disk bulk_load
        # avoids one transaction holding every triple. Case triples are loaded ``lenient`` (IRIs not checked
        # again, 5% faster): their text is written by cases.rdf from checked codes and percent-encoded ids.
        self._load_text = self._store.load if path is None and store is None else self._store.bulk_load
        self._pending: list[list[Case]] = []  # cases read but not yet in the store (staging alone never needs it)
        self._loader: ThreadPoolExecutor | None = None  # loads streamed batches while the reader reads on
        self._loading: list[Future[None]] = []
        self.shipped = shipped
        self.cases: list[Case] = []
        self.input_errors: list[InputError] = []
        self.sources: dict[str, Source] = {}  # case IRI -> its file and line
        #: the inputs in the order given, for the rdflib view and for re-reading spellings
        self.parts: list[Graph | Path | list[Case]] = []
        #: the files read (RDF and case files), in order: what a server's kept store is compared by
        self.input_files: list[Path] = []
        self._graph: Graph | None = None
        self._rdf_subjects: dict[str, Source] | None = None
        if shipped:
            self._add_shipped()

    @classmethod
    def open(cls, data: DataInput | Iterable[DataInput] | None = None, *, shipped: bool = True,
             keep_going: bool = False, errors: list[InputError] | None = None,
             vocab: Vocabulary | None = None, stream: bool = False) -> Dataset:
        """Open the shipped graph plus ``data`` (files and/or graphs).

        ``keep_going`` skips bad case-file rows, listing them in ``input_errors`` (and in ``errors``,
        when given); otherwise the first bad row raises :class:`~pnet_kg.errors.InputError`.
        ``stream``: case files are loaded into the store while they are read (see :meth:`add_cases`).
        """
        dataset = cls(shipped=shipped)
        if errors is not None:
            dataset.input_errors = errors
        for item in as_list(data):
            dataset.add(item, keep_going=keep_going, vocab=vocab, stream=stream)
        return dataset

    def _add_shipped(self) -> None:
        """The root ontology and its imports closure (through the catalog), bulk-loaded module by module."""
        imports = ox.NamedNode(str(OWL.imports))

        def load_module(iri: str, path: Path) -> list[str]:
            self._load_rdf(path)  # a syntax error names the module and line
            return [q.object.value for q in self._store.quads_for_pattern(ox.NamedNode(iri), imports, None)
                    if isinstance(q.object, ox.NamedNode)]

        walk_imports(ROOT_IRI, load_module)

    def add(self, item: DataInput, *, keep_going: bool = False, vocab: Vocabulary | None = None,
            stream: bool = False) -> None:
        """Add a case file (``stream``: see :meth:`add_cases`), an RDF file or an rdflib graph."""
        self._graph = None
        if isinstance(item, Graph):
            add_graph(self._store, item)
            self.parts.append(item)
            return
        path = Path(item)
        check_file(path)
        if is_case_file(path):
            self.add_case_file(path, keep_going=keep_going, vocab=vocab, stream=stream)
            return
        self._load_rdf(path)
        self.parts.append(path)
        self.input_files.append(path)
        self._rdf_subjects = None

    def add_case_file(self, path: str | Path, *, keep_going: bool = False, vocab: Vocabulary | None = None,
                      stream: bool = False) -> None:
        """Read a case file through :func:`pnet_kg.cases.iter_cases` (whatever its suffix) and add its cases
        (``stream``: see :meth:`add_cases`)."""
        vocab = vocab or load_rules().vocabulary
        self.add_cases(iter_cases(path, keep_going=keep_going, errors=self.input_errors, vocab=vocab), path,
                       stream=stream)

    def _load_rdf(self, path: Path) -> None:
        fmt = readable_rdf(path)
        try:
            self._store.bulk_load(path=str(path), format=fmt.oxigraph, to_graph=ox.DefaultGraph())
        except (SyntaxError, ValueError, OSError) as exc:
            raise parse_error(path, fmt.rdflib, exc) from None

    def add_cases(self, cases: Iterable[Case], file: str | Path | None = None, *, stream: bool = False) -> None:
        """Add checked cases (from :func:`pnet_kg.cases.iter_cases` or made in code); ``file`` is recorded
        as their source, with each case's ``line``.

        By default the cases reach the store when it is first used (staging alone never needs it).
        ``stream`` loads them while they are read: each batch is written as N-Triples here and
        loaded by a background thread (pyoxigraph releases the GIL), for a caller that will query or
        validate them. A streamed file that raises (a bad row) may leave the triples of its first
        batches in the store, without its cases: open a new dataset after such an error.
        """
        self._graph = None
        kept: list[Case] = []
        batch: list[Case] = []
        # Cases hold no reference cycles: the collector's full passes over 100,000 of them cost about 10%
        collecting = gc.isenabled()
        gc.disable()
        try:
            for case in cases:
                kept.append(case)
                if file is not None:
                    self.sources[case_iri(case.case_id)] = Source(str(file), case.line)
                if stream:
                    batch.append(case)
                    if len(batch) == _BATCH:
                        self._load_batch(batch)
                        batch = []
            if batch:
                self._load_batch(batch)
        except BaseException:
            self._stop_loading(check=False)  # the error at hand is the one to report
            raise
        finally:
            if collecting:
                gc.enable()
        self.cases.extend(kept)
        self.parts.append(kept)
        if file is not None:
            self.input_files.append(Path(file))
        if not stream:
            self._pending.append(kept)

    @staticmethod
    def _ntriples(cases: list[Case]) -> bytes:
        vocab = load_rules().vocabulary
        return "".join(case_rdf(case, vocab, "nt") for case in cases).encode("utf-8")

    def _load_ntriples(self, text: bytes) -> None:
        self._load_text(text, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph(), lenient=True)

    def _load_batch(self, cases: list[Case]) -> None:
        text = self._ntriples(cases)
        if self._loader is None:
            self._loader = ThreadPoolExecutor(1, thread_name_prefix="pnet-kg-load")
        if len(self._loading) >= _IN_FLIGHT:
            self._loading.pop(0).result()
        self._loading.append(self._loader.submit(self._load_ntriples, text))

    def _stop_loading(self, check: bool = True) -> None:
        """Wait for the streamed batches (at most :data:`_IN_FLIGHT`), end the loader thread and, when
        ``check``, raise a loader error (a bug: the text is our own). Earlier files' batches are never
        dropped: a file that fails leaves those whole."""
        loading, self._loading = self._loading, []
        if self._loader is not None:
            self._loader.shutdown(wait=True)
            self._loader = None
        if check:
            for future in loading:
                future.result()

    @property
    def store(self) -> ox.Store:
        """The data in a pyoxigraph store (cases are turned into triples here, on first use)."""
        if self._loading:
            self._stop_loading()
        if self._pending:
            for cases in self._pending:
                for start in range(0, len(cases), _BATCH):
                    self._load_ntriples(self._ntriples(cases[start:start + _BATCH]))
            self._pending.clear()
        return self._store

    @property
    def graph(self) -> Graph:
        """The same data as an :class:`rdflib.Graph`, built on first use from the inputs themselves
        (the store keeps numbers by value; rdflib keeps the data's own spelling, as pySHACL expects)."""
        if self._graph is None:
            graph = load() if self.shipped else bind_all(Graph())
            for part in self.parts:
                if isinstance(part, Graph):
                    graph += part
                elif isinstance(part, Path):
                    parse_file(part, graph)
                else:
                    vocab = load_rules().vocabulary
                    for case in part:
                        for triple in case_triples(case, vocab):
                            graph.add(triple)
            self._graph = graph
        return self._graph

    def files(self) -> Iterator[Path]:
        """The RDF files added, in order."""
        return (p for p in self.parts if isinstance(p, Path))

    def source_of(self, node: Node | str | None) -> Source | None:
        """The input ``node`` came from: a case's file and line (also for its metastasis nodes,
        ``<case>/m1``), an RDF input's file (nodes it has as subject), else ``None`` (shipped, or unknown)."""
        if node is None:
            return None
        iri = str(node)
        found = self.sources.get(iri)
        if found is None and "/m" in iri:
            found = self.sources.get(iri.rsplit("/m", 1)[0])
        if found is None and any(isinstance(p, Path) for p in self.parts):
            found = self._subjects_of_rdf_files().get(iri)
        return found

    def _subjects_of_rdf_files(self) -> dict[str, Source]:
        # read again only when a node's file is asked for (a validation result): loading stays one bulk pass
        if self._rdf_subjects is None:
            self._rdf_subjects = {}
            for path in self.files():
                for quad in ox.parse(path=str(path), format=readable_rdf(path).oxigraph):
                    if isinstance(quad.subject, ox.NamedNode):
                        self._rdf_subjects.setdefault(quad.subject.value, Source(str(path)))
        return self._rdf_subjects
