"""What the window knows about the run on screen, kept in numpy buffers (no Qt here).

One row per meta-iteration and one per evaluation, in arrays that double when
full, so a 100,000-iteration run costs a few megabytes and no Python object
per iteration.  The plots read views of these arrays; the CSV export writes
every row.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from studio.engine.events import (
    BaselineEvaluation,
    ClassificationFit,
    DecisionMap,
    Evaluation,
    Event,
    Notice,
    RunFinished,
    RunStarted,
    StepMetrics,
    TaskFit,
    TasksDrawn,
)

Fit = TaskFit | ClassificationFit | DecisionMap


class GrowableArray:
    """Rows of ``columns`` float64 values appended one at a time; capacity doubles when full."""

    def __init__(self, columns: int, capacity: int = 1024):
        self._data = np.empty((capacity, columns), dtype=np.float64)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, row: tuple[float, ...] | list[float]) -> None:
        if self._size == len(self._data):
            bigger = np.empty((2 * len(self._data), self._data.shape[1]), dtype=np.float64)
            bigger[: self._size] = self._data[: self._size]
            self._data = bigger
        self._data[self._size] = row
        self._size += 1

    def column(self, index: int) -> np.ndarray:
        """A view of one column's filled rows (stays valid after later appends)."""
        return self._data[: self._size, index]

    def rows(self) -> np.ndarray:
        return self._data[: self._size]


STEP_COLUMNS = ("iteration", "meta_loss", "tasks_per_second", "elapsed_seconds")


class RunData:
    """Every record of one run, folded into arrays; ``version`` counters tell plots what changed."""

    def __init__(self) -> None:
        self.started: RunStarted | None = None
        self.finished: RunFinished | None = None
        self.steps = GrowableArray(len(STEP_COLUMNS))
        self.eval_steps: tuple[int, ...] = ()
        self.eval_iterations = GrowableArray(2)  # iteration, tasks
        self.eval_loss: GrowableArray | None = None  # mean per inner step
        self.eval_ci: GrowableArray | None = None
        self.eval_accuracy: GrowableArray | None = None  # classification only: mean accuracy per inner step
        self.eval_accuracy_ci: GrowableArray | None = None
        self.first_evaluation: Evaluation | None = None
        self.last_evaluation: Evaluation | None = None
        self.baselines: dict[str, Evaluation] = {}  # pretrain, scratch: scored once, after the run
        self.fit: Fit | None = None  # the latest picture of a held-out task, whatever the family draws
        self.fit_version = 0
        self.drawn: TasksDrawn | None = None
        self.drawn_version = 0
        self.notices: list[str] = []
        self.skipped = 0  # meta-batches dropped for a non-finite loss (their loss is NaN)
        self.rank_rates: tuple[float, ...] = ()  # under torchrun, each rank's meta-iterations/s (the latest)

    def add(self, event: Event) -> None:
        if isinstance(event, StepMetrics):
            self.steps.append((event.iteration, event.meta_loss, event.tasks_per_second, event.elapsed_seconds))
            self.skipped += event.meta_loss != event.meta_loss
            self.rank_rates = event.rank_rates or self.rank_rates
        elif isinstance(event, Evaluation):
            self._add_evaluation(event)
        elif isinstance(event, (TaskFit, ClassificationFit, DecisionMap)):
            self.fit = event
            self.fit_version += 1
        else:
            self._add_other(event)

    def _add_other(self, event: Event) -> None:
        if isinstance(event, BaselineEvaluation):
            self.baselines = {**self.baselines, event.baseline: event.evaluation}
        elif isinstance(event, TasksDrawn):
            self.drawn = event
            self.drawn_version += 1
        elif isinstance(event, Notice):
            self.notices.append(event.message)
        elif isinstance(event, RunStarted):
            self.started = event
        elif isinstance(event, RunFinished):
            self.finished = event

    def _add_evaluation(self, evaluation: Evaluation) -> None:
        if self.eval_loss is None:
            self.eval_steps = tuple(evaluation.steps)
            self.eval_loss = GrowableArray(len(evaluation.steps), capacity=64)
            self.eval_ci = GrowableArray(len(evaluation.steps), capacity=64)
            self.first_evaluation = evaluation
            if evaluation.accuracy_mean is not None:
                self.eval_accuracy = GrowableArray(len(evaluation.steps), capacity=64)
                self.eval_accuracy_ci = GrowableArray(len(evaluation.steps), capacity=64)
        self.eval_iterations.append((evaluation.iteration, evaluation.tasks))
        self.eval_loss.append(evaluation.loss_mean)
        self.eval_ci.append(evaluation.loss_ci95)
        if self.eval_accuracy is not None and self.eval_accuracy_ci is not None:
            nan = (float("nan"),) * len(self.eval_steps)
            self.eval_accuracy.append(evaluation.accuracy_mean or nan)
            self.eval_accuracy_ci.append(evaluation.accuracy_ci95 or nan)
        self.last_evaluation = evaluation

    @property
    def iteration(self) -> int:
        """The last meta-iteration on screen (0 before the first)."""
        return int(self.steps.column(0)[-1]) if len(self.steps) else 0

    @property
    def step_version(self) -> int:
        return len(self.steps)

    @property
    def eval_version(self) -> int:
        return len(self.eval_iterations)

    def evaluations(self) -> list[Evaluation]:
        """The evaluations as records again (for exports); a handful per run."""
        if self.eval_loss is None or self.eval_ci is None:
            return []
        found = []
        for index, ((iteration, tasks), loss, ci) in enumerate(
            zip(self.eval_iterations.rows(), self.eval_loss.rows(), self.eval_ci.rows())
        ):
            accuracy, accuracy_ci = self._accuracy_row(index)
            found.append(
                Evaluation(
                    int(iteration), self.eval_steps, _floats(loss), _floats(ci), int(tasks), accuracy, accuracy_ci
                )
            )
        return found

    def _accuracy_row(self, index: int) -> tuple[tuple[float, ...] | None, tuple[float, ...] | None]:
        if self.eval_accuracy is None or self.eval_accuracy_ci is None:
            return None, None
        return _floats(self.eval_accuracy.rows()[index]), _floats(self.eval_accuracy_ci.rows()[index])

    @property
    def has_accuracy(self) -> bool:
        """The evaluations score accuracy too (classification tasks)."""
        return self.eval_accuracy is not None

    def step_records(self) -> Iterator[StepMetrics]:
        for iteration, loss, rate, seconds in self.steps.rows():
            yield StepMetrics(int(iteration), float(loss), float(rate), float(seconds))


def _floats(row: np.ndarray) -> tuple[float, ...]:
    return tuple(map(float, row))
