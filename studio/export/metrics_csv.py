"""``metrics.csv``: one row per meta-iteration, evaluation columns filled where one ran.

Rows are appended and flushed as training goes, so a killed run leaves every
finished row intact.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import IO

from studio.engine.events import Evaluation, StepMetrics

TRAIN_COLUMNS = ("iteration", "elapsed_s", "meta_loss", "tasks_per_s")


def header(eval_steps: int, accuracy: bool = False) -> list[str]:
    """Column names; ``eval_loss_stepK`` is held-out query loss after K inner steps.

    With ``accuracy`` (classification), ``eval_acc_stepK`` and ``eval_acc_ci95_stepK``
    follow: held-out query accuracy (0..1) after K steps and its 95% CI.
    """
    evals = []
    for step in range(eval_steps + 1):
        evals += [f"eval_loss_step{step}", f"eval_ci95_step{step}"]
    if accuracy:
        for step in range(eval_steps + 1):
            evals += [f"eval_acc_step{step}", f"eval_acc_ci95_step{step}"]
    return [*TRAIN_COLUMNS, *evals]


class MetricsWriter:
    """Buffers one iteration's row until its evaluation (if any) has arrived, then writes it."""

    def __init__(self, path: Path, eval_steps: int, accuracy: bool = False, append: bool = False):
        """``append`` continues an existing file (a resumed run) instead of starting one."""
        self.columns = header(eval_steps, accuracy)
        self._file: IO[str] = path.open("a" if append else "w", newline="", encoding="utf-8")
        self._csv = csv.writer(self._file)
        if not append:
            self._csv.writerow(self.columns)
        self._file.flush()
        self._pending: dict[str, object] | None = None

    def step(self, metrics: StepMetrics) -> None:
        self.flush()
        self._pending = {
            "iteration": metrics.iteration,
            "elapsed_s": f"{metrics.elapsed_seconds:.4f}",
            "meta_loss": _number(metrics.meta_loss),
            "tasks_per_s": f"{metrics.tasks_per_second:.1f}",
        }

    def evaluation(self, evaluation: Evaluation) -> None:
        if self._pending is None or self._pending["iteration"] != evaluation.iteration:
            return  # an evaluation before any step of this run has no row of its own
        for step, mean, ci in zip(evaluation.steps, evaluation.loss_mean, evaluation.loss_ci95):
            self._pending[f"eval_loss_step{step}"] = _number(mean)
            self._pending[f"eval_ci95_step{step}"] = _number(ci)
        if evaluation.accuracy_mean is not None:
            for step, mean, ci in zip(evaluation.steps, evaluation.accuracy_mean, evaluation.accuracy_ci95):
                self._pending[f"eval_acc_step{step}"] = _number(mean)
                self._pending[f"eval_acc_ci95_step{step}"] = _number(ci)

    def flush(self) -> None:
        if self._pending is not None:
            self._csv.writerow([self._pending.get(c, "") for c in self.columns])
            self._file.flush()
            self._pending = None

    def close(self) -> None:
        self.flush()
        self._file.close()


def _number(value: float) -> str:
    return repr(float(value)) if math.isfinite(value) else str(value)
