"""Scaling out with torchrun, and the memory the recomputed inner loop saves.

    python benchmarks/distributed_scaling.py [--processes 1,2] [--sine-iterations 500] [--conv4-iterations 4]
                                             [--conv4-meta-batch 32] [--threads N] [--memory-steps 5]
                                             [--memory-meta-batch 32] [--device cpu|cuda]
                                             [--skip speed,memory,estimate]

(a) ``speed``: meta-iterations/s of maml-sine and of Conv-4 MAML (5-way 1-shot glyphs, meta-batch 32) trained by
    ``studio run --nproc N`` on the CPU, for each N, with the scaling efficiency (rate at N / (N * rate at 1)).
    Each run is its own ``studio run`` subprocess; torch threads per process are cores // N so that the
    processes together use every core once.  The rate is iterations / training seconds from ``summary.json``
    (start-up, evaluation and writing excluded).
(b) ``memory``: peak resident memory (CPU) of one meta-iteration of Conv-4 MAML, 5-way 1-shot, 64 filters,
    ``--memory-steps`` second-order inner steps, ``--memory-meta-batch`` tasks (32), with and without
    ``algorithm.checkpoint_inner_loop``; each in a subprocess of its own (``ru_maxrss``), the growth over the
    process's peak before the step printed beside it.  On a CUDA machine, ``--device cuda`` reports
    ``torch.cuda.max_memory_allocated`` instead.
(c) ``estimate``: how long the up-front memory estimate (``check_fits``) takes for maml-sine and Conv-4 MAML.

No assertions: a benchmark, not a test.  Other processes on the machine slow every figure; compare the figures of
one run with each other.
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

ROOT = Path(__file__).resolve().parents[1]
CONV4 = ["--set", "task.classes=200", "--set", "training.eval_tasks=5"]
SPEED_CASES = {"maml-sine": ("maml-sine", []), "conv4 MAML 5-way 1-shot": ("maml-omniglot-style", CONV4)}
MEMORY_PRESET = {
    "task": {"family": "glyphs", "ways": 5, "shots": 1, "queries": 5, "classes": 200},
    "model": {"kind": "conv4", "filters": 64},
    "algorithm": {"name": "maml", "inner_lr": 0.4, "first_order": False},
    "training": {"meta_batch_size": 32, "device": "cpu"},
}


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def studio_run(preset: str, extra: list[str], processes: int, iterations: int, device: str, threads: int) -> float:
    """Meta-iterations/s of one ``studio run --nproc processes`` on ``device`` (cpu, or cuda: one GPU each)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "run"
        command = [sys.executable, "-m", "studio", "run", preset, "--nproc", str(processes), "--quiet"]
        command += ["--iterations", str(iterations), "--device", device, "--out", str(out), *extra]
        command += ["--set", f"training.eval_every={iterations}", "--set", f"training.checkpoint_every={iterations}"]
        environment = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": str(threads)}
        subprocess.run(command, check=True, env=environment, cwd=ROOT)
        summary = json.loads((out / "summary.json").read_text())
    return summary["iterations"] / summary["train_seconds"]


def speed(processes: list[int], iterations: dict[str, int], device: str, threads: int, conv4_batch: int) -> None:
    per_process = f"{threads}" if threads else "cores // N"
    print(f"(a) meta-iterations/s on {device} ({cores()} cores; torch threads per process: {per_process})")
    for name, (preset, extra) in SPEED_CASES.items():
        extra = extra + ["--set", f"training.meta_batch_size={conv4_batch}"] if preset != "maml-sine" else extra
        runs = {n: (preset, extra, n, iterations[name], device, threads or max(1, cores() // n)) for n in processes}
        rates = {n: studio_run(*arguments) for n, arguments in runs.items()}
        for n, rate in rates.items():
            efficiency = rate / (n * rates[processes[0]] / processes[0])
            print(f"    {name:<26} {n} process(es): {rate:8.2f} it/s   scaling efficiency {100 * efficiency:5.1f}%")


def memory(steps: int, meta_batch: int, device: str) -> None:
    print(
        f"(b) peak memory, Conv-4 MAML 5-way 1-shot, {steps} inner steps, meta-batch {meta_batch}, one meta-iteration"
    )
    for recompute in (False, True):
        command = [sys.executable, __file__, "--child-memory", str(steps), "--device", device]
        command += ["--memory-meta-batch", str(meta_batch)]
        command += ["--recompute"] if recompute else []
        environment = {**os.environ, "PYTHONPATH": str(ROOT)}
        result = subprocess.run(command, check=True, env=environment, capture_output=True, text=True)
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        label = "recomputed inner loop" if recompute else "stored inner loop    "
        print(f"    {label}: peak {figures['peak_mib']:8.0f} MiB, grew {figures['growth_mib']:8.0f} MiB in the step "
              f"({figures['seconds']:.1f} s)")  # fmt: skip


def child_memory(steps: int, meta_batch: int, recompute: bool, device: str) -> None:
    """One meta-iteration in this fresh process; prints its peak memory as JSON."""

    from studio.config import preset_from_dict
    from studio.engine import Training

    algorithm = {**MEMORY_PRESET["algorithm"], "inner_steps": steps, "checkpoint_inner_loop": recompute}
    training = {**MEMORY_PRESET["training"], "device": device, "meta_batch_size": meta_batch, "eval_tasks": 5}
    run = Training(preset_from_dict({**MEMORY_PRESET, "algorithm": algorithm, "training": training}))
    before = _peak_mib(device)
    started = time.perf_counter()
    run.step()
    peak = _peak_mib(device)
    print(json.dumps({"peak_mib": peak, "growth_mib": peak - before, "seconds": time.perf_counter() - started}))


def _peak_mib(device: str) -> float:
    import torch

    if device.startswith("cuda"):
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def estimate() -> None:
    import torch

    from studio.config import load_preset
    from studio.engine.models import build_model
    from studio.engine.resources import check_fits
    from studio.engine.tasks import build_family
    from studio.presets import resolve_preset_path

    print("(c) the up-front memory estimate (check_fits on a model built on the meta device), best of 5")
    for name in ("maml-sine", "maml-omniglot-style"):
        preset = load_preset(resolve_preset_path(name))
        family = build_family(preset.task)
        example = family.sample(1, torch.Generator().manual_seed(0)).x_support[0]
        times = []
        for _ in range(5):
            started = time.perf_counter()
            with torch.device("meta"):
                sketch = build_model(preset.model, family.input_dim, family.output_dim)
            check_fits(preset, torch.device("cpu"), sketch, example)
            times.append(time.perf_counter() - started)
        print(f"    {name:<20} {1000 * min(times):7.2f} ms (first call {1000 * times[0]:.2f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", default="1,2")
    parser.add_argument("--sine-iterations", type=int, default=500)
    parser.add_argument("--conv4-iterations", type=int, default=4)
    parser.add_argument("--memory-steps", type=int, default=5)
    parser.add_argument("--memory-meta-batch", type=int, default=32)
    parser.add_argument("--conv4-meta-batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=0, help="torch threads per process (default: cores // N)")
    parser.add_argument("--device", default="cpu", help="cpu, or cuda on a GPU machine (N processes use N GPUs)")
    parser.add_argument("--skip", default="", help="comma-separated parts to leave out: speed, memory, estimate")
    parser.add_argument("--child-memory", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--recompute", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory is not None:
        return child_memory(args.child_memory, args.memory_meta_batch, args.recompute, args.device)
    skip = set(args.skip.split(","))
    iterations = {"maml-sine": args.sine_iterations, "conv4 MAML 5-way 1-shot": args.conv4_iterations}
    if "estimate" not in skip:
        estimate()
    if "memory" not in skip:
        memory(args.memory_steps, args.memory_meta_batch, args.device)
    if "speed" not in skip:
        processes = [int(n) for n in args.processes.split(",")]
        speed(processes, iterations, args.device, args.threads, args.conv4_meta_batch)


if __name__ == "__main__":
    main()
