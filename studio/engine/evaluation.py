"""Held-out evaluation: the protocol papers report (mean over tasks with a 95% CI)."""

from __future__ import annotations

import math

import torch

from studio.engine.algorithms.base import MetaLearner, Params
from studio.engine.distributed import ALONE, World
from studio.engine.events import Evaluation
from studio.engine.tasks.base import TaskBatch

CHUNK_TASKS = 200  # tasks adapted at once; bounds memory for large evaluations


def mean_ci95(values: torch.Tensor) -> tuple[float, float]:
    """Mean and half-width of the normal 95% interval, 1.96 * std / sqrt(n), over axis 0."""
    n = values.shape[0]
    std = values.std(dim=0, unbiased=True) if n > 1 else torch.zeros_like(values[0])
    return values.mean(dim=0), 1.96 * std / math.sqrt(n)


def adaptation_scores(
    learner: MetaLearner, params: Params, tasks: TaskBatch, steps: int, device: torch.device
) -> dict[str, torch.Tensor]:
    """Query scores of every task after 0..steps inner steps (``loss``, maybe ``accuracy``), (tasks, points), CPU.

    ``points`` is steps + 1 for learners with an inner loop, 1 for those without (ProtoNets).
    """
    parts: dict[str, list[torch.Tensor]] = {}
    for start in range(0, len(tasks), CHUNK_TASKS):
        chunk = tasks.select(slice(start, start + CHUNK_TASKS)).to(device)
        for name, values in learner.query_scores(params, chunk, steps).items():
            parts.setdefault(name, []).append(values.double().cpu())
    return {name: torch.cat(values) for name, values in parts.items()}


def evaluate(
    learner: MetaLearner,
    params: Params,
    tasks: TaskBatch,
    steps: int,
    device: torch.device,
    iteration: int = 0,
    world: World = ALONE,
) -> Evaluation:
    """Adapt to each held-out task for 0..steps inner steps and summarise the query losses (and accuracies).

    In a run of several processes each adapts to its shard of ``tasks`` and the scores are gathered.
    """
    scores = adaptation_scores(learner, params, world.shard(tasks), steps, device)
    scores = {name: world.gather(values, len(tasks)) for name, values in scores.items()}
    mean, ci = mean_ci95(scores["loss"])
    accuracy = scores.get("accuracy")
    accuracy_mean, accuracy_ci = mean_ci95(accuracy) if accuracy is not None else (None, None)
    return Evaluation(
        iteration=iteration,
        steps=tuple(range(scores["loss"].shape[1])),  # one point for learners without inner steps
        loss_mean=tuple(mean.tolist()),
        loss_ci95=tuple(ci.tolist()),
        tasks=len(tasks),
        accuracy_mean=None if accuracy is None else tuple(accuracy_mean.tolist()),
        accuracy_ci95=None if accuracy is None else tuple(accuracy_ci.tolist()),
    )
