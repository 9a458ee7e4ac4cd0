"""Benchmark: ``pnet-kg evidence`` on a synthetic cohort (default 100,000 cases), against ``pnet-kg stage``.

The cohort is ``pnet_kg.synth`` with a somatostatin-receptor status and a progression added
(a third of each left unrecorded). Both commands run end to end as a user runs them (a new
process: start-up, reading and checking the CSV, staging, writing the output file); the ratio
is evidence time over stage time (the evidence command stages every case too). Target: under
5 s for 100,000 cases on 2 cores.

    python benchmarks/evidence.py                 # 100,000 cases
    python benchmarks/evidence.py --sizes 1000 100000
"""

from __future__ import annotations

import argparse
import os
import csv
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def cohort(path: Path, n: int, seed: int) -> None:
    from pnet_kg.synth import write_synth

    raw = path.with_suffix(".raw.csv")
    write_synth(raw, n, seed)
    rng = random.Random(seed)
    with raw.open(newline="") as src, path.open("w", newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=list(reader.fieldnames or ()), lineterminator="\n")
        writer.writeheader()
        for row in reader:
            row["somatostatin_receptor_status"] = rng.choice(["positive", "positive", "negative", ""])
            row["progression"] = rng.choice(["progressive", "stable", ""])
            writer.writerow(row)

def timed(*args: str) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one command; CPU time shows less of a busy machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pnet_kg", *args], check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100000])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"{'cases':>8} {'evidence s':>10} {'(cpu s)':>8} {'stage s':>8} {'(cpu s)':>8} {'ratio':>6} {'rows':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = Path(tmp) / f"cases-{n}.csv"
            cohort(path, n, args.seed)
            out = Path(tmp) / "evidence.csv"
            t_evidence = timed("evidence", str(path), "-o", str(out))
            t_stage = timed("stage", str(path), "-o", str(Path(tmp) / "stage.csv"))
            rows = sum(1 for _ in out.open()) - 2
            print(f"{n:>8} {t_evidence[0]:>10.2f} {t_evidence[1]:>8.2f} {t_stage[0]:>8.2f} {t_stage[1]:>8.2f} "
                  f"{t_evidence[0] / t_stage[0]:>5.2f}x {rows:>9}", flush=True)
    print(f"target: 100,000 cases through pnet-kg evidence in < 5 s on 2 cores (load average now "
          f"{os.getloadavg()[0]:.1f}: other work on the machine inflates wall-clock time)")


if __name__ == "__main__":
    main()
