"""A classification task drawn before and after adaptation (what the window's task panel shows)."""

from __future__ import annotations

import numpy as np
import torch

from studio.engine.algorithms.base import MetaLearner, Params
from studio.engine.events import ClassificationFit
from studio.engine.tasks.base import TaskBatch, TaskFamily


def classification_fit(
    learner: MetaLearner,
    params: Params,
    family: TaskFamily,
    tasks: TaskBatch,
    steps: int,
    device: torch.device,
    iteration: int,
) -> ClassificationFit | None:
    """The first task of ``tasks``: images, labels, class probabilities after 0 and ``steps`` inner steps.

    ``None`` when the learner does not give per-task query predictions.
    """
    task = tasks.select(slice(0, 1))
    on_device = task.to(device)
    before = learner.query_predictions(params, on_device, 0)
    if before is None:
        return None
    after = learner.query_predictions(params, on_device, steps) if steps else before
    return ClassificationFit(
        iteration=iteration,
        support_images=_pixels(family, task.x_support[0]),
        support_labels=_frozen(task.y_support[0].numpy()),
        query_images=_pixels(family, task.x_query[0]),
        query_labels=_frozen(task.y_query[0].numpy()),
        before=_probabilities(before[0]),
        after=_probabilities(after[0]),
        steps=steps,
        class_names=_class_names(family, task),
    )


def _pixels(family: TaskFamily, images: torch.Tensor) -> np.ndarray:
    display = getattr(family, "display_images", None)
    shown = display(images) if display is not None else images
    return _frozen(shown.detach().to("cpu", torch.float32).numpy())


def _probabilities(logits: torch.Tensor) -> np.ndarray:
    return _frozen(torch.softmax(logits.detach().to("cpu", torch.float64), dim=-1).numpy())


def _class_names(family: TaskFamily, task: TaskBatch) -> tuple[str, ...]:
    names = getattr(family, "class_names", None)
    if names is None or "classes" not in task.params:
        return ()
    turns = task.params.get("rotation", torch.zeros_like(task.params["classes"]))[0].tolist()
    return tuple(n + (f" ({90 * t}°)" if t else "") for n, t in zip(names(task.params["classes"][0]), turns))


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.flags.writeable = False
    return array
