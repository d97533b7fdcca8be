"""Evaluating a trained network on fresh tasks that training never drew (``studio eval``)."""

from __future__ import annotations

import torch

from studio.config import Preset
from studio.engine.algorithms import build_learner
from studio.engine.device import resolve_device
from studio.engine.evaluation import evaluate
from studio.engine.events import Evaluation
from studio.engine.streams import generator
from studio.engine.tasks import build_family


def evaluate_model(
    preset: Preset, model: torch.nn.Module, tasks: int, steps: int, device: str | None = None
) -> Evaluation:
    """Adapt ``model`` with the preset's algorithm on ``tasks`` test-stream tasks, for 0..steps steps.

    The test stream is derived from the preset's seed but is separate from the
    training and evaluation streams, so these tasks are new to the model.
    """
    target = resolve_device(device or preset.training.device)
    family = build_family(preset.task)
    learner = build_learner(preset.algorithm, model.to(target), family.kind)
    params = learner.init_parameters()
    held_out = family.sample(tasks, generator(preset.seed, "test"))
    return evaluate(learner, params, held_out, steps, target)
