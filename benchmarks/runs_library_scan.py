"""How long the Runs panel takes to read a library of runs (``scan_runs``, at every refresh: each Start, and
whenever a run appears or ends).

Trains one maml-sine run of ``--iterations`` (or takes ``--source``, a run folder), copies it ``--runs`` times
into a fresh runs folder, then prints the time of the first ``scan_runs`` over them and of later ones (best of
``--repeats``; each preset is parsed once while its file is unchanged) beside
what parsing every copy's ``metrics.csv`` would add (as the library did before it read finished runs from their
summaries).  Usage::

    PYTHONPATH=. python benchmarks/runs_library_scan.py [--runs 50] [--iterations 3000] [--source FOLDER]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from studio.export.library import scan_runs
from studio.export.run_metrics import read_metrics


def best_ms(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return 1000 * min(times)


def trained_run(folder: Path, iterations: int) -> Path:
    command = [sys.executable, "-m", "studio", "run", "maml-sine", "--iterations", str(iterations), "--quiet"]
    subprocess.run([*command, "--set", "training.eval_every=250", "--out", str(folder)], check=True)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--iterations", type=int, default=3000, help="of the run trained when no --source")
    parser.add_argument("--source", type=Path, help="a finished run folder to copy instead of training one")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        source = args.source or trained_run(Path(scratch) / "source", args.iterations)
        root = Path(scratch) / "runs"
        copies = [shutil.copytree(source, root / f"run-{k:04d}") for k in range(args.runs)]
        rows = len(read_metrics(source))
        first = best_ms(lambda: scan_runs(root), 1)  # each preset parsed once, then kept while unchanged
        scan = best_ms(lambda: scan_runs(root), args.repeats)
        parsing = best_ms(lambda: [read_metrics(copy) for copy in copies], args.repeats)
    print(f"{args.runs} finished runs of {rows} metrics rows each")
    print(f"first scan_runs: {first:.1f} ms ({first / args.runs:.2f} ms a run)")
    print(f"scan_runs again: {scan:.1f} ms ({scan / args.runs:.2f} ms a run)")
    print(f"parsing their metrics.csv as well (before): +{parsing:.1f} ms ({parsing / args.runs:.2f} ms a run)")


if __name__ == "__main__":
    main()
