"""Time and size of exported figures: a long run's paper figure as PNG, SVG and PDF, drawn by matplotlib.

    .venv/bin/python benchmarks/figure_export.py [--iterations 100000] [--repeats 3]

Builds a synthetic run of ``--iterations`` meta-iterations in memory (a noisy
falling meta-loss, an evaluation every 500 iterations with its CI, an
adaptation curve over 10 inner steps with two baselines) and writes its
two-panel paper figure in each format; prints the median seconds and the file
size.  The first export also pays for importing matplotlib: reported apart.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from studio.export.figure_data import Curve, Panel
from studio.export.plots import loss_panel
from studio.export.run_metrics import RunMetrics


def synthetic_run(iterations: int, seed: int = 0) -> RunMetrics:
    rng = np.random.default_rng(seed)
    x = np.arange(1, iterations + 1, dtype=float)
    loss = 3.0 * np.exp(-x / (iterations / 5)) + 0.2 + rng.gamma(2.0, 0.15, iterations)
    evaluated = np.where(x % 500 == 0, 1.0, np.nan)
    columns = {"iteration": x, "elapsed_s": x / 200, "meta_loss": loss, "eval_loss_step0": evaluated * (loss + 1)}
    columns |= {
        "eval_ci95_step0": evaluated * 0.2,
        "eval_loss_step1": evaluated * loss,
        "eval_ci95_step1": evaluated * 0.1,
    }
    return RunMetrics("synthetic", Path(), columns)


def adaptation() -> Panel:
    steps = np.arange(11.0)
    maml = 0.3 + 2.5 * np.exp(-steps)
    curves = (
        Curve("MAML ± 95% CI", steps, maml, band=(maml * 0.9, maml * 1.1), marker="o"),
        Curve("pretrain baseline", steps, 2.5 - steps / 20, dashed=True, marker="s"),
        Curve("scratch baseline", steps, 3.0 - steps / 40, dashed=True, marker="D"),
    )
    return Panel("Adaptation", "inner-loop steps", "held-out query loss (MSE)", curves, integer_x=True)


def timed(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    import matplotlib.figure  # noqa: F401  (what the first export pays once)

    print(f"import matplotlib: {time.perf_counter() - start:.2f} s")
    from studio.export.figures import figure_bytes

    panels = [loss_panel([synthetic_run(args.iterations)], smoothing=0.6), adaptation()]
    for fmt in ("png", "svg", "pdf"):
        seconds, data = timed(lambda fmt=fmt: figure_bytes(panels, fmt), args.repeats)
        print(
            f"{fmt}: {seconds:.2f} s, {len(data) / 1e3:.0f} kB ({args.iterations} iterations, median of {args.repeats})"
        )


if __name__ == "__main__":
    main()
