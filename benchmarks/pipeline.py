"""Benchmark: 100,000 cases read, checked against the SHACL shapes and staged, three ways, in one run.

* one pass: ``pnet-kg stage --validate cases.csv`` (the case file read once into a Dataset);
* the three-step pipeline: ``pnet-kg cases import``, ``pnet-kg validate``, ``pnet-kg stage``,
  three processes, each reading the CSV again;
* rdflib + pySHACL (the shipped graph and the cases' N-Triples parsed by rdflib, validated
  by pySHACL, then staged), measured at ``--baseline`` cases (1,000) and extrapolated linearly.

Every command runs in its own process; time is wall-clock, memory the process's peak RSS.
It also times the case writer: the hand-written N-Triples/Turtle text of
:mod:`pnet_kg.cases.rdf` against ``pyoxigraph.serialize`` of the same triples.

    python benchmarks/pipeline.py                   # 100,000 cases, baseline at 1,000
    python benchmarks/pipeline.py --cases 10000 --baseline 500
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _command(*args: str) -> tuple[float, float, int]:
    """Run ``pnet-kg ARGS``; return wall seconds, peak MB and the exit code."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "pnet_kg", *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, process.returncode


def _baseline(csv_path: str, nt_path: str) -> None:
    """Child process: rdflib + pySHACL + staging on ``csv_path`` (its N-Triples in ``nt_path``)."""
    start = time.perf_counter()
    import pyshacl

    from pnet_kg.cases import read_cases
    from pnet_kg.load import load
    from pnet_kg.staging import Stager
    from pnet_kg.validate import shapes_graph

    cases = read_cases(csv_path).cases
    graph = load()
    graph.parse(nt_path, format="nt")
    conforms, _, _ = pyshacl.validate(graph, shacl_graph=shapes_graph(), advanced=True)
    staged = sum(1 for _ in Stager().stage_cases(cases))
    print(json.dumps({"seconds": time.perf_counter() - start, "conforms": conforms, "staged": staged,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _writers(csv_path: str) -> None:
    """Child process: the hand-written case writer against pyoxigraph.serialize, N-Triples and Turtle."""
    import pyoxigraph as ox

    from pnet_kg.cases import TTL_HEADER, case_rdf, read_cases
    from pnet_kg.cases.rdf import _statements  # the triples both writers write
    from pnet_kg.prefixes import PNET, XSD
    from pnet_kg.rules import load_rules

    vocab = load_rules().vocabulary
    cases = read_cases(csv_path, vocab=vocab).cases
    out: dict[str, float] = {}
    for fmt in ("nt", "ttl"):
        t0 = time.perf_counter()
        text = (TTL_HEADER if fmt == "ttl" else "") + "".join(case_rdf(c, vocab, fmt) for c in cases)
        out[f"hand-written {fmt}"] = time.perf_counter() - t0
        del text
    t0 = time.perf_counter()
    named: dict[str, ox.NamedNode] = {}

    def iri(value: str) -> ox.NamedNode:
        node = named.get(value)
        if node is None:
            node = named[value] = ox.NamedNode(value)
        return node

    triples = []
    for case in cases:
        for s, p, o in _statements(case, vocab):
            obj = iri(o[1]) if o[0] == "iri" else ox.Literal(o[1], datatype=iri(o[2]) if o[2] else None)
            triples.append(ox.Triple(iri(s), iri(p), obj))
    terms = time.perf_counter() - t0
    for fmt, name in ((ox.RdfFormat.N_TRIPLES, "nt"), (ox.RdfFormat.TURTLE, "ttl")):
        t0 = time.perf_counter()
        data = ox.serialize(triples, format=fmt, prefixes={"pnet": str(PNET), "xsd": str(XSD)}
                            if name == "ttl" else None)
        out[f"pyoxigraph.serialize {name}"] = terms + time.perf_counter() - t0
        del data
    out["(of which building pyoxigraph terms)"] = terms
    print(json.dumps(out))


def _child(*args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=1000, help="Cases for rdflib + pySHACL (extrapolated).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _baseline(*args.child[1:]) if args.child[0] == "baseline" else _writers(args.child[1])
        return

    from pnet_kg.synth import write_synth

    n = args.cases
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cohort, small = work / "cases.csv", work / "small.csv"
        write_synth(cohort, n, args.seed)
        write_synth(small, args.baseline, args.seed)
        one_s, one_mb, one_rc = _command("stage", "--validate", str(cohort), "-o", str(work / "staged.csv"))
        steps = [("cases import", _command("cases", "import", str(cohort), "-o", str(work / "cases.nt"))),
                 ("validate", _command("validate", str(cohort))),
                 ("stage", _command("stage", str(cohort), "-o", str(work / "staged3.csv")))]
        three_s = sum(s for _, (s, _, _) in steps)
        same = (work / "staged.csv").read_bytes() == (work / "staged3.csv").read_bytes()
        _command("cases", "import", str(small), "-o", str(work / "small.nt"))
        base = _child("--child", "baseline", str(small), str(work / "small.nt"))
        base_s = float(base["seconds"]) * n / args.baseline  # type: ignore[arg-type]
        writers = _child("--child", "writers", str(cohort))

    print(f"{n:,} synthetic cases (pnet_kg.synth, seed {args.seed}); {os.cpu_count()} CPUs; wall-clock seconds\n")
    print(f"{'pipeline':<52} {'seconds':>8} {'peak MB':>8} {'x one pass':>10}")
    print(f"{'one pass: pnet-kg stage --validate':<52} {one_s:>8.2f} {one_mb:>8.0f} {1:>9.1f}x  exit {one_rc}")
    for name, (s, mb, rc) in steps:
        print(f"{'  step: pnet-kg ' + name:<52} {s:>8.2f} {mb:>8.0f} {'':>10}  exit {rc}")
    print(f"{'three steps (import + validate + stage)':<52} {three_s:>8.2f} {max(mb for _, (_, mb, _) in steps):>8.0f} "
          f"{three_s / one_s:>9.1f}x  same staging output: {same}")
    print(f"{'rdflib + pySHACL + staging, EXTRAPOLATED':<52} {base_s:>8.0f} {'':>8} {base_s / one_s:>9.1f}x  "
          f"(measured {float(base['seconds']):.1f} s, {float(base['peak_mb']):.0f} MB "  # type: ignore[arg-type]
          f"at {args.baseline:,} cases, linear)")
    print("target: 100,000 cases in <= 5 s and <= 1 GB on 2 cores\n")
    print(f"case writer, {n:,} cases ({'seconds':>7}):")
    for name, seconds in writers.items():
        print(f"  {name:<40} {float(seconds):>7.2f}")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
