"""Benchmark: import + validate + stage synthetic cohorts of 1,000 / 10,000 / 100,000 cases.

Each measurement runs in its own subprocess, so peak memory (``ru_maxrss``) belongs to
that pipeline alone. The pnet-kg pipeline: read and check the CSV (pnet_kg.cases),
write N-Triples, validate them with the shipped graph (pnet_kg.validate, fast engine),
stage every case (pnet_kg.staging). The baseline, in the same script: rdflib parses
the shipped graph and the N-Triples, pySHACL validates with the same shapes, and a
SPARQL query over rdflib classifies every positive node group by the node table.

    python benchmarks/cases.py                 # 1k, 10k, 100k (baseline measured at 1k: pySHACL takes minutes)
    python benchmarks/cases.py --sizes 1000 --baseline-max 1000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def run_pnet(csv_path: Path, workdir: Path) -> dict[str, float | str]:
    start = time.perf_counter()
    from pnet_kg.cases import read_cases, write_cases
    from pnet_kg.staging import Stager

    t0 = time.perf_counter()
    cases = read_cases(csv_path).cases
    nt = workdir / "cases.nt"
    write_cases(cases, nt, "nt")
    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    try:
        from pnet_kg.validate import validate

        report = validate(nt, engine="fast")
        validated = f"pnet_kg.validate fast engine, {len(report.results)} results"
    except ImportError:
        validated = "pnet_kg.validate not available: only the contract checks of the reader ran"
    t_validate = time.perf_counter() - t0
    t0 = time.perf_counter()
    stager = Stager()
    staged = sum(1 for _ in stager.stage_cases(cases))
    t_stage = time.perf_counter() - t0
    assert staged == len(cases)
    return {"import": t_import, "validate": t_validate, "stage": t_stage,
            "total": time.perf_counter() - start, "peak_mb": _peak_mb(), "note": validated}


_NODE_QUERY = """
PREFIX pnet: <https://w3id.org/pnet-kg/>
SELECT ?case ?group ?class WHERE {
  ?case a pnet:TumourCase ; pnet:hasPrimarySubsite/pnet:inSubsiteFamily ?family ; pnet:hasMetastasis ?m .
  ?m pnet:hasSite ?group . ?group a pnet:LymphNodeGroup .
  ?rule a pnet:NodeClassificationRule ; pnet:underStagingSystem pnet:System_AJCC8_SEER_EOD2018 ;
        pnet:forSubsiteFamily ?family ; pnet:forNodeGroup ?group ; pnet:assigns ?class .
}
"""


def run_baseline(nt: Path) -> dict[str, float | str]:
    start = time.perf_counter()
    import pyshacl
    from rdflib import Graph

    from pnet_kg.load import load
    from pnet_kg.validate import shapes_graph

    t0 = time.perf_counter()
    graph = load()
    graph.parse(nt, format="nt")
    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    conforms, _, _ = pyshacl.validate(graph, shacl_graph=shapes_graph(), advanced=True)
    t_validate = time.perf_counter() - t0
    t0 = time.perf_counter()
    rows = len(list(graph.query(_NODE_QUERY)))
    t_stage = time.perf_counter() - t0
    del Graph
    return {"import": t_import, "validate": t_validate, "stage": t_stage, "total": time.perf_counter() - start,
            "peak_mb": _peak_mb(), "note": f"pySHACL conforms={conforms}, {rows} node rows classified"}


def _child(kind: str, path: Path, workdir: Path) -> dict[str, float | str]:
    cmd = [sys.executable, __file__, "--child", kind, str(path), str(workdir)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result: dict[str, float | str] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--baseline-max", type=int, default=1000,
                        help="Largest size the baseline runs; larger ones are extrapolated linearly.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path, workdir = args.child
        result = run_pnet(Path(path), Path(workdir)) if kind == "pnet" else run_baseline(Path(path))
        print(json.dumps(result))
        return

    from pnet_kg.synth import write_synth

    print(f"{'cases':>8} {'pipeline':<9} {'import s':>9} {'validate s':>10} {'stage s':>8} {'total s':>8} "
          f"{'peak MB':>8} {'ratio':>7}  note")
    baseline_per_case: float | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            work = Path(tmp) / str(n)
            work.mkdir()
            csv_path = work / "cases.csv"
            write_synth(csv_path, n, args.seed)
            ours = _child("pnet", csv_path, work)
            print(f"{n:>8} {'pnet-kg':<9} {ours['import']:>9.2f} {ours['validate']:>10.2f} {ours['stage']:>8.2f} "
                  f"{ours['total']:>8.2f} {ours['peak_mb']:>8.0f} {'':>7}  {ours['note']}", flush=True)
            if n <= args.baseline_max:
                base = _child("baseline", work / "cases.nt", work)
                baseline_per_case = float(base["total"]) / n
                print(f"{n:>8} {'baseline':<9} {base['import']:>9.2f} {base['validate']:>10.2f} {base['stage']:>8.2f} "
                      f"{base['total']:>8.2f} {base['peak_mb']:>8.0f} {float(base['total']) / float(ours['total']):>6.1f}x"
                      f"  rdflib + pySHACL: {base['note']}", flush=True)
            elif baseline_per_case is not None:
                estimate = baseline_per_case * n
                print(f"{n:>8} {'baseline':<9} {'':>9} {'':>10} {'':>8} {estimate:>8.0f} {'':>8} "
                      f"{estimate / float(ours['total']):>6.1f}x  EXTRAPOLATED linearly from the largest measured size "
                      f"(not run: it takes minutes)", flush=True)
    print("target: 100,000 cases end to end <= 20 s and < 1.5 GB peak")


if __name__ == "__main__":
    main()
