"""The records a training run yields: small, frozen, and free of torch tensors.

The command line prints them, the window plots them, the run folder writes
them; none of those needs to know how they were computed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studio.config import Preset


@dataclass(frozen=True)
class RunStarted:
    preset: Preset
    device: str
    total_iterations: int
    parameter_count: int
    start_iteration: int = 0


@dataclass(frozen=True)
class StepMetrics:
    """One meta-iteration: the mean query loss over the meta-batch after adaptation."""

    iteration: int
    meta_loss: float
    tasks_per_second: float
    elapsed_seconds: float


@dataclass(frozen=True)
class Evaluation:
    """Held-out query loss after 0..K inner steps, mean and 95% CI over tasks."""

    iteration: int
    steps: tuple[int, ...]
    loss_mean: tuple[float, ...]
    loss_ci95: tuple[float, ...]
    tasks: int
    accuracy_mean: tuple[float, ...] | None = None
    accuracy_ci95: tuple[float, ...] | None = None

    @property
    def final_loss(self) -> float:
        return self.loss_mean[-1]


@dataclass(frozen=True)
class TaskFit:
    """One held-out regression task: truth, support set, predictions before and after adapting."""

    iteration: int
    x: np.ndarray
    y_true: np.ndarray
    x_support: np.ndarray
    y_support: np.ndarray
    before: np.ndarray
    after: np.ndarray
    steps: int


@dataclass(frozen=True)
class RunFinished:
    """``reason`` is ``"completed"`` or ``"stopped"``."""

    iteration: int
    reason: str
    elapsed_seconds: float
    tasks_per_second: float
    final: Evaluation | None


Event = RunStarted | StepMetrics | Evaluation | TaskFit | RunFinished
