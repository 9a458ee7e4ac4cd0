"""Benchmark the named queries: case queries at cohort scale, knowledge queries on the shipped graph.

Prints, in one run, each figure on pyoxigraph beside the rdflib baseline and their ratio.

* Case-data queries (scope ``cases``) at ``--cases`` synthetic cases (default 100,000) on the
  embedded pyoxigraph store, end to end through :func:`pnet_kg.query` (target: < 2 s each).
  rdflib is the baseline at ``--rdflib-cases`` (default 2,000: rdflib needs seconds per query at that size, and parsing 100,000 cases into
  rdflib alone takes about half a minute), where both engines are timed on the same cohort.
* Every other named query on the shipped graph alone, warm (parsed once), median of
  ``--repeat`` runs (target: < 20 ms each).
* Query shapes: the "distant nodes without liver" question written three ways.

Usage: python benchmarks/queries.py [--cases 100000] [--rdflib-cases 10000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pnet_kg
from pnet_kg.cases import write_cases
from pnet_kg.dataset import Dataset

Q = importlib.import_module("pnet_kg.query")

#: Required parameters of knowledge queries, for timing.
REQUIRED = {"source": "pnet:Source_001", "claim": "pnet:Claim_001_03", "category": "pnet:LymphNodeGroup"}

#: The "no liver metastasis" test of cases-distant-nodes-without-liver written three ways (engines.md:
#: the shape of such a test can change the time on Oxigraph by orders of magnitude).
_SHIPPED_TEST = """  OPTIONAL {
    ?case pnet:hasMetastasis ?liver_metastasis .
    ?liver_metastasis pnet:hasSite pnet:Liver .
  }
  FILTER(!BOUND(?liver_metastasis))"""
SHAPES = {
    "OPTIONAL + !BOUND (shipped)": _SHIPPED_TEST,
    "FILTER NOT EXISTS": "  FILTER NOT EXISTS { ?case pnet:hasMetastasis ?lm . ?lm pnet:hasSite pnet:Liver }",
    "BIND inside OPTIONAL": """  OPTIONAL { ?case pnet:hasMetastasis ?lm . ?lm pnet:hasSite pnet:Liver . BIND(true AS ?has_liver) }
  FILTER(!BOUND(?has_liver))""",
}


def timed(func: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Median wall time of ``repeat`` calls (seconds) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def cohort(n: int, directory: Path) -> tuple[Path, float]:
    from pnet_kg.synth import synth_cases

    path = directory / f"cohort-{n}.nt"
    seconds, _ = timed(lambda: write_cases(synth_cases(n, seed=1), path, "nt"))
    return path, seconds


def _ratio(base: float, fast: float) -> str:
    return f"{base / fast:7.1f}x" if fast > 0 else "      -"


def case_queries(n: int, n_rdflib: int, repeat: int, tmp: Path) -> bool:
    named = [q for q in Q.list_queries() if q.scope == "cases"]
    ok = True
    print(f"\n== case-data queries: pyoxigraph at {n:,} cases (target < 2 s), rdflib baseline at {n_rdflib:,}")
    path, seconds = cohort(n, tmp)
    print(f"generate {n:,} synthetic cases as N-Triples: {seconds:.1f} s")
    store_seconds, dataset = timed(Dataset.open)
    load_seconds, _ = timed(lambda: dataset.add(path))
    store = dataset.store
    print(f"pyoxigraph store with the shipped graph: {store_seconds:.2f} s; bulk-load the cohort: "
          f"{load_seconds:.2f} s ({len(store):,} triples)")
    for q in named:
        seconds, result = timed(lambda q=q: pnet_kg.query(q.name, store), repeat)
        engine_seconds, _ = timed(lambda q=q: list(store.query(Q.with_prologue(q.text))), repeat)
        verdict = "ok" if seconds < 2 else "SLOW"
        ok &= seconds < 2
        print(f"  {q.name:36s} {len(result):8,} rows  query(): {seconds:6.2f} s  (engine only {engine_seconds:5.2f} s)"
              f"  [{verdict}]")

    print(f"\n-- same cohort size on both engines: {n_rdflib:,} cases")
    small, _ = cohort(n_rdflib, tmp)
    ox_small = Dataset.open(small).store
    parse_seconds, graph = timed(lambda: pnet_kg.load([small]))
    print(f"rdflib parse shipped graph + cohort: {parse_seconds:.1f} s ({len(graph):,} triples)")
    print(f"  {'query':36s} {'rows':>8s}  {'rdflib':>8s}  {'pyoxigraph':>10s}  ratio")
    for q in named:
        base, a = timed(lambda q=q: pnet_kg.query(q.name, graph), 1)
        fast, b = timed(lambda q=q: pnet_kg.query(q.name, ox_small), repeat)
        same = "same rows" if a.tuples() == b.tuples() else "ROWS DIFFER"
        ok &= same == "same rows"
        print(f"  {q.name:36s} {len(b):8,}  {base:7.2f}s  {fast:9.3f}s  {_ratio(base, fast)}  {same}")

    print(f"\n-- query shapes at {n:,} cases (pyoxigraph engine only; rdflib at {n_rdflib:,})")
    shipped_text = Q.with_prologue(Q.get_query("cases-distant-nodes-without-liver").text)
    assert _SHIPPED_TEST in shipped_text, "the shipped query changed: update SHAPES"
    for label, test in SHAPES.items():
        text = shipped_text.replace(_SHIPPED_TEST, test)
        fast, rows = timed(lambda text=text: list(store.query(text)), 1)
        base, _ = timed(lambda text=text: list(graph.query(text)), 1)
        print(f"  {label:30s} pyoxigraph {fast:7.2f} s ({len(rows):,} rows)   rdflib@{n_rdflib:,} {base:6.2f} s")
    return ok


def knowledge_queries(repeat: int) -> bool:
    graph = pnet_kg.load()
    store = Dataset.open().store
    print(f"\n== named queries on the shipped graph alone ({len(graph):,} triples), warm, median of {repeat} "
          "(target < 20 ms)")
    print(f"  {'query':40s} {'rows':>5s}  {'rdflib':>9s}  {'pyoxigraph':>10s}  ratio")
    ok = True
    for q in Q.list_queries():
        if q.scope != "knowledge":
            continue
        params = {p.name: REQUIRED[p.name] for p in q.params if p.required}
        pnet_kg.query(q.name, graph, **params)  # parse once (rdflib keeps prepared queries)
        base, a = timed(lambda q=q, params=params: pnet_kg.query(q.name, graph, **params), repeat)
        fast, b = timed(lambda q=q, params=params: pnet_kg.query(q.name, store, **params), repeat)
        flag = "ok" if fast < 0.020 else "SLOW"
        ok &= fast < 0.020 and a.tuples() == b.tuples()
        print(f"  {q.name:40s} {len(b):5d}  {base * 1000:7.1f}ms  {fast * 1000:8.1f}ms  {_ratio(base, fast)}  [{flag}]"
              + ("" if a.tuples() == b.tuples() else "  ROWS DIFFER"))
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rdflib-cases", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--skip-cases", action="store_true", help="Only time the knowledge queries.")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    ok = knowledge_queries(args.repeat)
    if not args.skip_cases:
        with tempfile.TemporaryDirectory(prefix="pnet-kg-bench-") as tmp:
            ok &= case_queries(args.cases, args.rdflib_cases, max(1, args.repeat // 2), Path(tmp))
    print("\nall targets met" if ok else "\nsome targets missed (see SLOW / ROWS DIFFER above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
