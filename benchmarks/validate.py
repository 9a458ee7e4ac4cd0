"""Benchmark ``pnet-kg validate`` on synthetic cohorts: the fast engine against plain pySHACL over rdflib.

Usage: python benchmarks/validate.py [--sizes 1000,10000,100000] [--baseline-max 1000]

Each figure is one fresh process (start-up, loading the shipped graph and the cases, validating,
building the report), with its peak memory (ru_maxrss). Both engines use the case shapes
(shapes/cases.ttl) on the shipped graph plus the cases, so they do the same work; the fast engine is
also timed with every shape. pySHACL takes minutes above a few thousand cases (one SPARQL query per
focus node), so it runs only up to --baseline-max cases and larger baselines are extrapolated
linearly from the largest measured size; the output says which figures are extrapolated.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from rdflib import Graph
from pnet_kg.validate import validate
engine, data, which = sys.argv[1], sys.argv[2], sys.argv[3]
shapes = Graph().parse(which) if which != "all" else None
report = validate(data, shapes=shapes, engine=engine)
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "results": len(report.results), "engine": report.engine}))
"""


def _cohort(n: int, folder: Path) -> Path:
    """Write ``n`` synthetic cases as N-Triples (pnet_kg.synth when present, else the test generator)."""
    path = folder / f"cases-{n}.nt"
    try:
        from pnet_kg.cases import write_cases
        from pnet_kg.synth import synth_cases

        write_cases(synth_cases(n, seed=1), path, "nt")
    except ImportError:
        sys.path.insert(0, str(REPO / "tests"))
        from synthetic_cases import synthetic_cases

        path.write_text(synthetic_cases(n, seed=1, bad_every=50)[0], encoding="utf-8")
    return path


def _run(engine: str, data: Path, shapes: str) -> dict[str, float]:
    """One fresh process; ``seconds`` is its whole wall time, interpreter start-up included."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, engine, str(data), shapes], capture_output=True, text=True,
                         check=True)
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    figures["seconds"] = time.perf_counter() - start
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--baseline-max", type=int, default=1000)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    cases_shapes = str(REPO / "shapes" / "cases.ttl")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        baseline_rate = None
        for n in sizes:
            data = _cohort(n, Path(tmp))
            triples = sum(1 for _ in data.open(encoding="utf-8"))
            fast = _run("fast", data, cases_shapes)
            full = _run("fast", data, "all")
            if n <= args.baseline_max:
                base = _run("pyshacl", data, cases_shapes)
                assert base["results"] == fast["results"], (base, fast)
                baseline_rate = base["seconds"] / n
                base_s, base_mb, how = base["seconds"], f"{base['peak_mb']:.0f}", "measured"
            elif baseline_rate is not None:
                base_s, base_mb, how = baseline_rate * n, "-", "extrapolated"
            else:
                base_s, base_mb, how = float("nan"), "-", "not run"
            rows.append((n, triples, fast, full, base_s, base_mb, how))
            print(f"{n:>7} cases {triples:>9} triples | fast (case shapes) {fast['seconds']:6.2f} s "
                  f"{fast['peak_mb']:5.0f} MB | fast (all shapes) {full['seconds']:6.2f} s {full['peak_mb']:5.0f} MB | "
                  f"pySHACL {base_s:8.1f} s {base_mb:>5} MB ({how}) | ratio {base_s / fast['seconds']:6.0f}x | "
                  f"results {fast['results']}", flush=True)


if __name__ == "__main__":
    main()
