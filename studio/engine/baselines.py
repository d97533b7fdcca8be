"""Conventional baselines scored beside a meta-learner (a preset's ``[evaluation] baselines``).

``pretrain`` is Chen et al. 2019's Baseline (or Baseline++ with
``pretrain_head = "cosine"``) for classification: a classifier over all
training classes, whose body then gets a new head fine-tuned on each task's
support set, the body frozen or not (``pretrain_body``); for regression it is
one network trained on the pooled training tasks, every layer fine-tuned
(Finn et al. 2017); see :mod:`studio.engine.algorithms.pretrain`.  ``scratch``
keeps a fresh network.  Both start from the run's own initialisation (the
preset seed's model stream) and see the run's training tasks.  Their step size
and step count are chosen on validation tasks (:mod:`studio.engine.finetuning`),
then they are scored on the same held-out tasks for the same steps as the
meta-learner (and the chosen count), so their curves can be read against its.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator

import torch

from studio.config import ALGORITHMS, AlgorithmConfig, EvaluationConfig, Preset
from studio.engine.algorithms.base import MetaLearner, Params
from studio.engine.events import BaselineEvaluation, Evaluation, FineTuning
from studio.engine.finetuning import choose_finetuning, finetuned_evaluation, tuning_tasks
from studio.engine.protocol import evaluation_learner
from studio.engine.tasks.base import TaskBatch, TaskFamily


def baseline_algorithm(name: str, settings: EvaluationConfig, kind: str) -> AlgorithmConfig:
    """Baseline ``name``'s ``[algorithm]`` section as ``[evaluation]`` sets it up for tasks of ``kind``."""
    algorithm = ALGORITHMS.get(name)(inner_lr=settings.finetune_lr)
    if name != "pretrain":
        return algorithm
    # regression: every layer; "chosen": set up frozen, both bodies tried on the tuning tasks (body_variants)
    frozen = settings.pretrain_body != "fine-tuned" and kind == "classification"
    return dataclasses.replace(algorithm, head=settings.pretrain_head, adapt_layers=("head",) if frozen else ())


def baseline_preset(preset: Preset, name: str, kind: str) -> Preset:
    """``preset`` with its algorithm replaced by baseline ``name`` and its training budget by the baseline's."""
    settings, training = preset.evaluation, preset.training
    if name == "pretrain":  # its own budget: steps, and tasks pooled into each step's batch
        batch = settings.pretrain_batch or training.meta_batch_size
        iterations = settings.pretrain_iterations or training.iterations
        training = dataclasses.replace(training, iterations=iterations, meta_batch_size=batch)
    else:
        training = dataclasses.replace(training, iterations=0)
    return preset.replace(algorithm=baseline_algorithm(name, settings, kind), training=training)


def train_baseline(preset: Preset, name: str, device: torch.device, kind: str):
    """The baseline's :class:`~studio.engine.training.Training`, trained (no steps for ``scratch``)."""
    from studio.engine.training import Training  # training.py imports this module

    training = Training(baseline_preset(preset, name, kind), device=str(device), alone=True)
    while training.iteration < training.total_iterations:
        training.step()
    return training


def evaluate_baselines(
    preset: Preset, tasks: TaskBatch, steps: int, device: torch.device, family: TaskFamily, iteration: int = 0
) -> Iterator[BaselineEvaluation]:
    """Each baseline the preset asks for: trained, its fine-tuning chosen on validation tasks, then scored on
    ``tasks`` (drawn from ``family``) after 0..steps steps and after the chosen count, under the meta-learner's
    evaluation protocol (its batch-norm statistics; the tasks' ways and shots, with a new head of their size)."""
    validation = tuning_tasks(preset) if preset.evaluation.baselines else None
    for name in preset.evaluation.baselines:
        training = train_baseline(preset, name, device, family.kind)
        evaluator = evaluation_learner(training.learner, preset, family)
        params = evaluator.evaluation_params(training.params)
        bodies = body_variants(evaluator, preset.evaluation) if name == "pretrain" else {"": evaluator}
        chosen, evaluation = tuned_evaluation(bodies, params, preset, validation, tasks, steps, iteration)
        yield BaselineEvaluation(name, evaluation, chosen, evaluator.pretraining)


def body_variants(learner: MetaLearner, settings: EvaluationConfig) -> dict[str, MetaLearner]:
    """The pretrain baseline with each body ``pretrain_body`` lets it fine-tune with, by name: both when it is
    ``chosen`` (classification with a pretrained body), else the one the preset set up."""
    if settings.pretrain_body != "chosen" or not getattr(learner, "shared_classes", 0):
        return {"": learner}
    return {"frozen": learner.with_body(frozen=True), "fine-tuned": learner.with_body(frozen=False)}


def tuned_evaluation(
    bodies: dict[str, MetaLearner], params: Params, preset: Preset, validation: TaskBatch, tasks: TaskBatch,
    steps: int, iteration: int = 0,
) -> tuple[FineTuning, Evaluation]:  # fmt: skip
    """A baseline's fine-tuning chosen on ``validation`` (its rate and step count, and which of ``bodies``, the
    baseline set to the evaluation protocol with each body it may fine-tune, by name), and its scores on
    ``tasks`` after 0..steps steps and after the chosen count.  A body is chosen by the lower validation loss
    (the first when the grid has a single pair and nothing is tuned)."""
    device = next(iter(params.values())).device
    choices = {
        body: choose_finetuning(b, params, validation, preset.evaluation, steps, device) for body, b in bodies.items()
    }
    body = min(choices, key=lambda name: choices[name].validation_loss if choices[name].tasks else -math.inf)
    chosen = dataclasses.replace(choices[body], body=body)
    return chosen, finetuned_evaluation(bodies[body], params, tasks, chosen, steps, device, iteration)
