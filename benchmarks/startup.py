"""Start-up cost of the ``studio`` command against ``python -c "import torch"``, in one run on one machine.

    python benchmarks/startup.py [--repeats 5]

Each command runs as a fresh process (the checkout's ``studio`` package first on the path), the commands
taking turns so that load from other processes falls on all of them alike; the median wall time of each is
printed beside its ratio to the torch import.  Targets (issue #11): ``studio --help`` and ``studio presets``
at most 25% of the torch import; ``studio run maml-sine --iterations 1`` at most the torch import + 1.5 s.
No assertions: a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STUDIO = [sys.executable, "-m", "studio"]
COMMANDS = {
    "python -c 'import torch'": [sys.executable, "-c", "import torch"],
    "studio --help": [*STUDIO, "--help"],
    "studio presets": [*STUDIO, "presets"],
    "studio run maml-sine --iterations 1": [*STUDIO, "run", "maml-sine", "--iterations", "1", "--quiet", "--out"],
}


def seconds(command: list[str], scratch: Path, turn: int) -> float:
    """Wall time of one fresh process; a run gets a new output folder each turn."""
    if command[-1] == "--out":
        command = [*command, str(scratch / f"run-{turn}")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=scratch, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def medians(repeats: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    with tempfile.TemporaryDirectory() as scratch:
        for command in COMMANDS.values():  # warm the file cache once, untimed
            seconds(command, Path(scratch), -1)
        for turn in range(repeats):
            for name, command in COMMANDS.items():
                times[name].append(seconds(command, Path(scratch), turn))
    return {name: statistics.median(values) for name, values in times.items()}


def report(figures: dict[str, float]) -> None:
    torch_s = figures["python -c 'import torch'"]
    print(f"{'command':<38} {'median s':>9} {'x torch':>8}  target        met")
    for name, value in figures.items():
        if name.startswith("studio run"):
            goal, met = "<= torch+1.5s", value <= torch_s + 1.5
        elif name.startswith("studio"):
            goal, met = "<= 25%", value <= 0.25 * torch_s
        else:
            goal, met = "", None
        verdict = "" if met is None else ("yes" if met else "NO")
        print(f"{name:<38} {value:>9.3f} {value / torch_s:>7.0%}  {goal:<13} {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each command (median reported)")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {args.repeats} repeats, median wall time")
    report(medians(args.repeats))


if __name__ == "__main__":
    main()
