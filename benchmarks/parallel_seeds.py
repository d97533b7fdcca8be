"""Wall time for a seed series of maml-sine: in turn, side by side with the cores split, side by side oversubscribed.

Every mode trains the same seeds, each in a child process through :class:`studio.runs.queue.RunQueue` (so
each pays the same torch import), into folders under a temporary directory:

- in turn: one run at a time, with every core (``--parallel 1`` minus the in-process shortcut), and with one
  thread (to tell the gain of running side by side from that of fewer threads);
- split: ``P`` runs at once, ``cores // P`` torch threads each (what ``studio run --seeds N`` does);
- oversubscribed: ``P`` runs at once, each with torch's own choice (every core).

    python benchmarks/parallel_seeds.py [--seeds 4] [--iterations 300] [--parallel P] [--device cpu] [--rounds 1]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from studio.config import load_preset
from studio.presets import bundled_presets
from studio.runs.messages import RunRequest
from studio.runs.queue import RunQueue, cores, default_limit, threads_per_run


def series(folder: Path, seeds: int, iterations: int, device: str, limit: int, threads: int) -> float:
    """Seconds from the first start to the last end of ``seeds`` runs, ``limit`` at once."""
    preset = load_preset(
        bundled_presets()["maml-sine"], [f"training.iterations={iterations}", f'training.device="{device}"']
    )
    queue = RunQueue(limit, threads=threads)
    for seed in range(seeds):
        queue.add(RunRequest(preset.replace(seed=seed), str(folder / f"seed-{seed}")))
    started = time.perf_counter()
    queue.join(each=queue.drain)  # drained so that no outbox grows
    elapsed = time.perf_counter() - started
    failed = [run.exit for run in queue.runs if run.exit.code != 0]
    if failed:
        raise SystemExit(f"a run failed: {failed[0]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument(
        "--parallel", type=int, default=max(2, default_limit()), help="runs at once (default: the queue's, at least 2)"
    )
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--rounds", type=int, default=1, help="every mode once per round, in turn; the best is shown")
    args = parser.parse_args()
    split = threads_per_run(args.parallel)
    modes = {
        "in turn (1 at a time, every core)": (1, 0),
        "in turn (1 at a time, 1 thread)": (1, 1),
        f"split ({args.parallel} at once, {split} thread(s) each)": (args.parallel, split),
        f"oversubscribed ({args.parallel} at once, every core each)": (args.parallel, 0),
    }
    print(f"maml-sine, {args.seeds} seeds x {args.iterations} iterations on {args.device}, {cores()} cores")
    print(f"load average before: {os.getloadavg()[0]:.1f}", flush=True)
    best = {name: float("inf") for name in modes}
    with tempfile.TemporaryDirectory() as root:
        for round_ in range(args.rounds):
            for number, (name, (limit, threads)) in enumerate(modes.items()):
                folder = Path(root) / f"{round_}-{number}"
                seconds = series(folder, args.seeds, args.iterations, args.device, limit, threads)
                best[name] = min(best[name], seconds)
                print(f"  round {round_ + 1}: {name:<48} {seconds:7.1f} s", flush=True)
    base = best[next(iter(modes))]
    print(f"best of {args.rounds} (load average after: {os.getloadavg()[0]:.1f}):")
    for name, seconds in best.items():
        print(f"  {name:<48} {seconds:7.1f} s   {base / seconds:4.2f}x faster than in turn")


if __name__ == "__main__":
    main()
