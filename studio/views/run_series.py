"""The curves the comparison draws, from a run folder's ``metrics.csv`` or from the run on screen (no Qt here).

Both come out as :class:`~studio.export.run_metrics.RunMetrics`, so an overlaid
run from disk and the live run are smoothed, aligned and aggregated by the
same code (:mod:`studio.export.smoothing`, :mod:`studio.export.aggregate`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.config import ConfigError, load_preset
from studio.engine.events import Evaluation, Event, StepMetrics
from studio.export.aggregate import aggregate_curves
from studio.export.run_metrics import RunMetrics, read_metrics
from studio.export.smoothing import ema
from studio.views.run_data import RunData

LIVE_NAME = "run on screen"
LOSS_UNITS = {"regression": "MSE", "classification": "cross-entropy"}


def loss_unit(metrics: RunMetrics) -> str:
    """What a run's loss measures: classification runs record accuracy columns beside it (``eval_acc_stepK``)."""
    classification = any(name.startswith("eval_acc_step") for name in metrics.columns)
    return LOSS_UNITS["classification" if classification else "regression"]


@dataclass(frozen=True)
class Adaptation:
    """A run's last held-out evaluation: the query loss after 0..K inner steps and its 95% CI."""

    steps: np.ndarray
    mean: np.ndarray
    ci95: np.ndarray


def live_metrics(data: RunData, name: str = LIVE_NAME) -> RunMetrics:
    """The run on screen as ``metrics.csv`` would hold it: one value per iteration, NaN where no evaluation."""
    iterations = data.steps.column(0).copy()
    columns = {"iteration": iterations, "elapsed_s": data.steps.column(3).copy(), "meta_loss": data.steps.column(1)}
    if data.eval_loss is not None and data.eval_ci is not None:
        rows = np.searchsorted(iterations, data.eval_iterations.column(0))
        keep = rows < len(iterations)
        sources = [("eval_loss_step", data.eval_loss), ("eval_ci95_step", data.eval_ci)]
        if data.eval_accuracy is not None and data.eval_accuracy_ci is not None:  # as metrics.csv names them
            sources += [("eval_acc_step", data.eval_accuracy), ("eval_acc_ci95_step", data.eval_accuracy_ci)]
        for index, step in enumerate(data.eval_steps):
            for prefix, source in sources:
                column = np.full(len(iterations), np.nan)
                column[rows[keep]] = source.column(index)[keep]
                columns[f"{prefix}{step}"] = column
    return RunMetrics(name, Path(), columns)


def final_eval_column(metrics: RunMetrics) -> str | None:
    """The evaluation column after the most inner steps (``eval_loss_stepK``), if the run has one."""
    steps = metrics.eval_steps
    return f"eval_loss_step{steps[-1]}" if steps else None


def adaptation(metrics: RunMetrics) -> Adaptation | None:
    """The last row with an evaluation, as an adaptation curve (``None`` before the first evaluation)."""
    steps = metrics.eval_steps
    if not steps:
        return None
    means = np.array([metrics.columns[f"eval_loss_step{k}"] for k in steps])
    done = np.flatnonzero(np.isfinite(means[-1]))
    if not len(done):
        return None
    row = done[-1]
    cis = np.array([metrics.columns.get(f"eval_ci95_step{k}", np.full(len(metrics), np.nan))[row] for k in steps])
    return Adaptation(np.asarray(steps, dtype=float), means[:, row], cis)


def smoothed(ys: np.ndarray, weight: float) -> np.ndarray:
    """The EMA the slider asks for (the data themselves at weight 0)."""
    return ema(ys, weight) if weight > 0 else ys


def mean_band(curves: list[tuple[np.ndarray, np.ndarray]], band: str, log: bool = False) -> tuple[np.ndarray, ...]:
    """x, mean, lower and upper edge of a seed group's band (``std`` or ``ci95``); NaN edges where one run counts.
    ``log`` (a loss): the geometric mean, the band computed on log values (see :mod:`studio.export.aggregate`)."""
    aggregate = aggregate_curves(curves, log=log)
    lower, upper = aggregate.band(band)
    return aggregate.x, aggregate.mean, lower, upper


def earlier_records(run_dir: Path, up_to: int | None = None) -> Iterator[Event]:
    """A resumed run's metrics so far, as the records the engine yielded (for the plots, not the recorder).

    ``up_to`` (the iteration it resumed from) leaves out the rows its process has written since: the
    file is read while the run goes on, so without it the plots would show those iterations twice."""
    try:
        metrics = read_metrics(run_dir)
    except ConfigError:
        return
    steps, columns, tasks = metrics.eval_steps, metrics.columns, _eval_tasks(run_dir)
    for row in range(len(metrics)):
        iteration = int(columns["iteration"][row])
        if up_to is not None and iteration > up_to:
            continue
        yield StepMetrics(iteration, *(float(columns[name][row]) for name in ("meta_loss", "tasks_per_s", "elapsed_s")))
        means = _row(columns, "eval_loss_step", steps, row)
        if means is not None and all(np.isfinite(means)):
            cis = _row(columns, "eval_ci95_step", steps, row)
            accuracy = _row(columns, "eval_acc_step", steps, row)
            accuracy_ci = _row(columns, "eval_acc_ci95_step", steps, row)
            yield Evaluation(iteration, tuple(steps), means, cis, tasks, accuracy, accuracy_ci)


def _eval_tasks(run_dir: Path) -> int:
    """How many held-out tasks each evaluation scored (``metrics.csv`` does not say; the preset does)."""
    try:
        return load_preset(Path(run_dir) / "preset.toml").training.eval_tasks
    except ConfigError:
        return 0


def _row(columns: dict[str, np.ndarray], prefix: str, steps: list[int], row: int) -> tuple[float, ...] | None:
    names = [f"{prefix}{k}" for k in steps]
    if not names or any(name not in columns for name in names):
        return None
    return tuple(float(columns[name][row]) for name in names)
