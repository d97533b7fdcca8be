"""Evaluating a trained network on fresh tasks that training never drew (``studio eval``)."""

from __future__ import annotations

from collections.abc import Callable

import torch

from studio.config import ConfigError, Preset
from studio.config.sections import BASELINES
from studio.engine.algorithms import build_learner
from studio.engine.baselines import evaluate_baselines, tuned_evaluation
from studio.engine.device import resolve_device
from studio.engine.evaluation import evaluate
from studio.engine.events import BaselineEvaluation, Evaluation
from studio.engine.finetuning import finetuning_words, tuning_tasks
from studio.engine.protocol import evaluation_family, evaluation_learner
from studio.engine.streams import generator
from studio.engine.tasks import TaskBatch, TaskFamily


def evaluate_model(
    preset: Preset,
    model: torch.nn.Module,
    tasks: int,
    steps: int,
    device: str | None = None,
    learner_state: dict[str, torch.Tensor] | None = None,
    notify: Callable[[str], None] | None = None,
) -> Evaluation:
    """Adapt ``model`` with the preset's algorithm on ``tasks`` test-stream tasks, for 0..steps steps.

    The tasks have ``evaluation.ways`` and ``evaluation.shots`` where set, and are scored with the
    preset's batch-norm protocol (:mod:`studio.engine.protocol`).

    The test stream is derived from the preset's seed but is separate from the
    training and evaluation streams, so these tasks are new to the model.
    ``learner_state`` holds the meta-parameters that are not the network's
    (Meta-SGD's rates, a ridge head's lambda; a run's ``learner.safetensors``).
    ``notify`` hears the task family's notices (skipped files, left-out classes).
    """
    target = resolve_device(device or preset.training.device)
    family = evaluation_family(preset, "test")
    if notify is not None:
        for message in family.notices:
            notify(message)
    _check_input_size(model, family)
    learner = build_learner(preset.algorithm, model.to(target), family.kind)
    learner = evaluation_learner(learner, preset, family)
    params = learner.evaluation_params(learner.init_parameters())
    if learner_state is not None:
        params = learner.restore_extra_state(params, learner_state)
    elif learner.extra_state(params):
        raise ConfigError(f"'{preset.algorithm.name}' needs its learned meta-parameters (learner.safetensors)")
    test = heldout_tasks(preset, family, tasks)
    if preset.algorithm.name in BASELINES:  # a baseline's own run: its fine-tuning is chosen on validation tasks
        chosen, evaluation = tuned_evaluation({"": learner}, params, preset, tuning_tasks(preset), test, steps)
        if notify is not None:
            notify(f"{preset.algorithm.name}: {finetuning_words(chosen)}")
        return evaluation
    return evaluate(learner, params, test, steps, target)


def _check_input_size(model: torch.nn.Module, family: TaskFamily) -> None:
    """Refuse tasks whose inputs the network cannot take (images of another size or colour, say)."""
    expected = getattr(model, "input_dim", None)  # set by builders whose layers fix it (conv4)
    if expected is not None and expected != family.input_dim:
        raise ConfigError.at(
            "task",
            f"gives inputs of {family.input_dim} values but the model takes {expected} "
            "(images: channels x size x size; use the task.image_size and task.color it was trained with)",
        )


def heldout_tasks(preset: Preset, family: TaskFamily, count: int) -> TaskBatch:
    """The first ``count`` tasks of the preset's test stream: what ``studio eval`` scores."""
    return family.sample(count, generator(preset.seed, "test"), split="test")


def evaluate_heldout_baselines(
    preset: Preset, tasks: int, steps: int, device: str | None = None
) -> list[BaselineEvaluation]:
    """The preset's ``[evaluation] baselines`` on the same test-stream tasks as :func:`evaluate_model`."""
    target = resolve_device(device or preset.training.device)
    family = evaluation_family(preset, "test")
    return list(evaluate_baselines(preset, heldout_tasks(preset, family, tasks), steps, target, family))
