"""One held-out task drawn before and after adaptation: what the window's task-fit panel shows.

1-D regression gives the function, the support points and both predictions
(Figure 2 of the MAML paper); 2-D classification gives class probabilities on a
grid (decision regions); image classification gives the episode's images and
predictions (:mod:`studio.engine.classification_fit`).
"""

from __future__ import annotations

import numpy as np
import torch

from studio.engine.algorithms.base import MetaLearner, Params
from studio.engine.classification_fit import classification_fit
from studio.engine.events import ClassificationFit, DecisionMap, TaskFit
from studio.engine.tasks.base import TaskBatch, TaskFamily

GRID_POINTS = 60


def task_fit(
    learner: MetaLearner, params: Params, family: TaskFamily, tasks: TaskBatch, steps: int, device, iteration: int
) -> TaskFit | DecisionMap | ClassificationFit | None:
    """The right picture of ``tasks[0]`` for this family, or None where there is none to draw."""
    if family.kind == "classification" and family.input_dim == 2:
        return decision_map(learner, params, family, tasks, steps, device, iteration)
    if family.kind == "classification":
        return classification_fit(learner, params, family, tasks, steps, device, iteration)
    if family.input_dim == 1 and _has(family, "target") and _has(family, "input_grid"):
        return regression_fit(learner, params, family, tasks, steps, device, iteration)
    return None


def regression_fit(learner, params, family, tasks, steps, device, iteration) -> TaskFit:
    task = tasks.select(slice(0, 1))
    x = family.input_grid()
    on_device = task.to(device)
    before = learner.adapted_prediction(params, on_device, x.to(device), 0)
    after = learner.adapted_prediction(params, on_device, x.to(device), steps)
    return TaskFit(
        iteration=iteration,
        x=_numpy(x),
        y_true=_numpy(family.target(task.params, x.unsqueeze(0))[0]),
        x_support=_numpy(task.x_support[0]),
        y_support=_numpy(task.y_support[0]),
        before=_numpy(before[0]),
        after=_numpy(after[0]),
        steps=steps,
    )


def decision_map(learner, params, family, tasks, steps, device, iteration) -> DecisionMap | None:
    task = tasks.select(slice(0, 1))
    points = torch.cat([task.x_support[0], task.x_query[0]])
    low, high = points.min(0).values - 1.0, points.max(0).values + 1.0
    axes = [torch.linspace(float(low[i]), float(high[i]), GRID_POINTS) for i in range(2)]
    gx, gy = torch.meshgrid(axes[0], axes[1], indexing="xy")
    grid = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=-1).to(device)
    on_device = task.to(device)
    try:
        before = learner.adapted_prediction(params, on_device, grid, 0)
        after = learner.adapted_prediction(params, on_device, grid, steps)
    except NotImplementedError:
        return None
    shape = (GRID_POINTS, GRID_POINTS, -1)
    return DecisionMap(
        iteration=iteration,
        grid_x=_frozen(axes[0].numpy()),
        grid_y=_frozen(axes[1].numpy()),
        before=_frozen(torch.softmax(before[0].double().cpu(), -1).reshape(shape).numpy()),
        after=_frozen(torch.softmax(after[0].double().cpu(), -1).reshape(shape).numpy()),
        support_points=_frozen(task.x_support[0].numpy()),
        support_labels=_frozen(task.y_support[0].numpy()),
        query_points=_frozen(task.x_query[0].numpy()),
        query_labels=_frozen(task.y_query[0].numpy()),
        steps=steps,
    )


def _has(family: TaskFamily, method: str) -> bool:
    return getattr(type(family), method) is not getattr(TaskFamily, method)


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    return _frozen(tensor.detach().to("cpu", torch.float64).numpy().reshape(-1))


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.flags.writeable = False
    return array
