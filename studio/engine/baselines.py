"""Conventional baselines scored beside a meta-learner (a preset's ``[evaluation] baselines``).

``pretrain`` trains one network on the pooled examples of the training tasks
as an ordinary supervised problem; ``scratch`` keeps a fresh network.  Both
start from the run's own initialisation (the preset seed's model stream), see
the run's training tasks, fine-tune on each held-out task's support set with
SGD at ``finetune_lr``, and are scored on the same held-out tasks for the same
steps as the meta-learner, so their curves can be read against its curve.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import torch

from studio.config import ALGORITHMS, Preset
from studio.engine.algorithms.base import MetaLearner, Params
from studio.engine.evaluation import evaluate
from studio.engine.events import BaselineEvaluation
from studio.engine.tasks.base import TaskBatch


def baseline_preset(preset: Preset, name: str) -> Preset:
    """``preset`` with its algorithm replaced by baseline ``name`` and its training budget by the baseline's."""
    settings = preset.evaluation
    algorithm = ALGORITHMS.get(name)(inner_lr=settings.finetune_lr)
    iterations = (settings.pretrain_iterations or preset.training.iterations) if name == "pretrain" else 0
    training = dataclasses.replace(preset.training, iterations=iterations)
    return preset.replace(algorithm=algorithm, training=training)


def train_baseline(preset: Preset, name: str, device: torch.device) -> tuple[MetaLearner, Params]:
    """The baseline's learner and its parameters after its training (none for ``scratch``)."""
    from studio.engine.training import Training  # training.py imports this module

    training = Training(baseline_preset(preset, name), device=str(device), alone=True)
    while training.iteration < training.total_iterations:
        training.step()
    return training.learner, training.params


def evaluate_baselines(
    preset: Preset, tasks: TaskBatch, steps: int, device: torch.device, iteration: int = 0
) -> Iterator[BaselineEvaluation]:
    """Each baseline the preset asks for, trained, then fine-tuned and scored on ``tasks`` for 0..steps steps."""
    for name in preset.evaluation.baselines:
        learner, params = train_baseline(preset, name, device)
        yield BaselineEvaluation(name, evaluate(learner, params, tasks, steps, device, iteration))
