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
from .cases import Case, CaseFile, read_cases, write_cases
from .dataset import Dataset
from .errors import InputError, InputErrors, PnetKgError, QueryError, ReasonerError
from .evidence import CaseEvidence, EvidenceRun, evidence, evidence_dataset, evidence_file
from .load import load, load_modules
from .owl import load_owlready
from .query import QueryResult, list_queries, query
from .reason import Explanation, ReasoningReport, reason
from .staging import StageResult, StagingRun, stage, stage_file
from .stats import Stats, stats
from .synth import synth_cases
from .validate import ValidationReport, ValidationResult, validate

try:
    __version__ = version("pnet-kg")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = [
    "Case",
    "CaseEvidence",
    "CaseFile",
    "Dataset",
    "EvidenceRun",
    "Explanation",
    "InputError",
    "InputErrors",
    "PnetKgError",
    "QueryError",
    "QueryResult",
    "ReasonerError",
    "ReasoningReport",
    "StageResult",
    "StagingRun",
    "Stats",
    "ValidationReport",
    "ValidationResult",
    "__version__",
    "build",
    "evidence",
    "evidence_dataset",
    "evidence_file",
    "list_queries",
    "load",
    "load_modules",
    "load_owlready",
    "query",
    "read_cases",
    "reason",
    "stage",
    "stage_file",
    "stats",
    "synth_cases",
    "validate",
    "write_cases",
]
