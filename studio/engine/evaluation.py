"""Held-out evaluation: the protocol papers report (mean over tasks with a 95% CI)."""

from __future__ import annotations

import math

import torch

from studio.engine.algorithms.base import MetaLearner, Params
from studio.engine.events import Evaluation
from studio.engine.tasks.base import TaskBatch

CHUNK_TASKS = 200  # tasks adapted at once; bounds memory for large evaluations


def mean_ci95(values: torch.Tensor) -> tuple[float, float]:
    """Mean and half-width of the normal 95% interval, 1.96 * std / sqrt(n), over axis 0."""
    n = values.shape[0]
    std = values.std(dim=0, unbiased=True) if n > 1 else torch.zeros_like(values[0])
    return values.mean(dim=0), 1.96 * std / math.sqrt(n)


def adaptation_losses(
    learner: MetaLearner, params: Params, tasks: TaskBatch, steps: int, device: torch.device
) -> torch.Tensor:
    """Query loss of every task after 0..steps inner steps, shape (tasks, steps + 1), on the CPU."""
    parts = []
    for start in range(0, len(tasks), CHUNK_TASKS):
        chunk = tasks.select(slice(start, start + CHUNK_TASKS)).to(device)
        parts.append(learner.adaptation_curve(params, chunk, steps).double().cpu())
    return torch.cat(parts)


def evaluate(
    learner: MetaLearner, params: Params, tasks: TaskBatch, steps: int, device: torch.device, iteration: int = 0
) -> Evaluation:
    """Adapt to each held-out task for 0..steps inner steps and summarise the query losses."""
    losses = adaptation_losses(learner, params, tasks, steps, device)
    mean, ci = mean_ci95(losses)
    return Evaluation(
        iteration=iteration,
        steps=tuple(range(steps + 1)),
        loss_mean=tuple(mean.tolist()),
        loss_ci95=tuple(ci.tolist()),
        tasks=len(tasks),
    )
