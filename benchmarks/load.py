"""Benchmark: load the shipped graph, against plain rdflib parses of the same triples, in one run.

Run: python benchmarks/load.py [--repeat N]
Prints median seconds per step and the ratio of each to the baseline (rdflib parsing
the merged Turtle artifact, i.e. what a user without pnet_kg would do).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rdflib import Graph


def median_seconds(step: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import pnet_kg
    from pnet_kg.build import build
    from pnet_kg.dataset import Dataset

    cold = subprocess.run([sys.executable, "-c", "import time; t=time.perf_counter(); import pnet_kg; "
                           "g=pnet_kg.load(); print(time.perf_counter()-t)"], capture_output=True, text=True, check=True)
    with tempfile.TemporaryDirectory() as tmp:
        artifacts = {a.path.suffix: a.path for a in build(Path(tmp))}
        triples = len(pnet_kg.load())
        baseline = median_seconds(lambda: Graph().parse(artifacts[".ttl"], format="turtle"), args.repeat)
        rows = [
            ("baseline: rdflib parses merged pnet-kg.ttl", baseline),
            ("rdflib parses merged pnet-kg.nt", median_seconds(lambda: Graph().parse(artifacts[".nt"], format="nt"), args.repeat)),
            ("pnet_kg.load() (modules through the catalog)", median_seconds(pnet_kg.load, args.repeat)),
            ("pnet_kg.Dataset.open() (modules bulk-loaded into pyoxigraph)",
             median_seconds(lambda: Dataset.open().store, args.repeat)),
        ]
    print(f"shipped graph: {triples} triples; median of {args.repeat} runs")
    print(f"{'step':62} {'seconds':>8} {'ratio':>6}")
    for name, seconds in rows:
        print(f"{name:62} {seconds:8.3f} {seconds / baseline:6.2f}")
    print(f"{'cold start: new process, import pnet_kg + load()':62} {float(cold.stdout):8.3f} "
          f"{float(cold.stdout) / baseline:6.2f}")


if __name__ == "__main__":
    main()
