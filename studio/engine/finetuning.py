"""Choosing a baseline's fine-tuning step size and step count on validation tasks, before it is scored.

Finn et al. 2017 tuned the step size of their pretrained baseline, and Chen et
al. 2019 showed how much of meta-learning's lead a well-tuned baseline takes
back: a baseline fine-tuned at an arbitrary rate makes meta-learning look better
than it is.  For each rate of ``[evaluation] baseline_lrs`` the baseline
fine-tunes each of ``tuning_tasks`` validation tasks (the "tuning" stream, never
the tasks it is scored on) for up to the largest of ``baseline_steps`` steps;
the (rate, step count) with the lowest mean validation query loss is chosen
(ties: the earlier rate, then fewer steps).  A rate whose fine-tuning diverges
(a non-finite loss) is never chosen.
"""

from __future__ import annotations

import copy
import dataclasses
import math

import torch

from studio.config import ConfigError, EvaluationConfig, Preset
from studio.engine.algorithms.base import MetaLearner, Params
from studio.engine.evaluation import adaptation_scores, evaluate
from studio.engine.events import Evaluation, FineTuning
from studio.engine.protocol import evaluation_family
from studio.engine.streams import generator
from studio.engine.tasks import TaskBatch, TaskFamily

# step counts tried when the grid is empty and the meta-learner has no inner steps to match (ProtoNets)
NO_INNER_STEPS_GRID = (10, 50, 100)


def tuning_tasks(preset: Preset, family: TaskFamily | None = None) -> TaskBatch:
    """The validation tasks a baseline's fine-tuning is chosen on (their own stream), with the evaluation
    protocol's ways and shots: from ``family``, which must give them, else from a family built for them."""
    family = family if family is not None else evaluation_family(preset, "validation")
    return family.sample(preset.evaluation.tuning_tasks, generator(preset.seed, "tuning"), split="validation")


def step_grid(settings: EvaluationConfig, compared_steps: int) -> tuple[int, ...]:
    """The step counts to try: the preset's grid, else the meta-learner's own count (or a default without one)."""
    if settings.baseline_steps:
        return tuple(sorted(set(settings.baseline_steps)))
    return (compared_steps,) if compared_steps > 0 else NO_INNER_STEPS_GRID


def with_finetuning(learner: MetaLearner, lr: float) -> MetaLearner:
    """The same learner, evaluation protocol included (batch norm, a new head), fine-tuning at step size ``lr``."""
    tuned = copy.copy(learner)
    tuned.config = dataclasses.replace(learner.config, inner_lr=lr)
    return tuned


def choose_finetuning(
    learner: MetaLearner, params: Params, tasks: TaskBatch, settings: EvaluationConfig, compared_steps: int,
    device: torch.device,
) -> FineTuning:  # fmt: skip
    """The grid's (rate, step count) with the lowest mean query loss on the validation ``tasks``."""
    rates = settings.baseline_lrs or (settings.finetune_lr,)
    counts = step_grid(settings, compared_steps)
    if len(rates) == 1 and len(counts) == 1:
        return FineTuning(rates[0], counts[0])  # nothing to choose between
    best = FineTuning(math.nan, 0, math.inf, len(tasks))
    for lr in rates:
        scores = adaptation_scores(with_finetuning(learner, lr), params, tasks, max(counts), device)
        mean = scores["loss"].mean(dim=0)
        for steps in counts:
            loss = float(mean[steps])
            if math.isfinite(loss) and loss < best.validation_loss:
                best = FineTuning(lr, steps, loss, len(tasks))
    if math.isnan(best.lr):
        raise ConfigError.at("evaluation.baseline_lrs", "made every fine-tuning diverge on the validation tasks")
    return best


def finetuned_evaluation(
    learner: MetaLearner, params: Params, tasks: TaskBatch, finetuning: FineTuning, compared_steps: int,
    device: torch.device, iteration: int = 0,
) -> Evaluation:  # fmt: skip
    """Scores on ``tasks`` after 0..``compared_steps`` steps and after the chosen count, at the chosen rate."""
    tuned = with_finetuning(learner, finetuning.lr)
    full = evaluate(tuned, params, tasks, max(compared_steps, finetuning.steps), device, iteration)
    return keep_steps(full, set(range(compared_steps + 1)) | {finetuning.steps})


def keep_steps(evaluation: Evaluation, steps: set[int]) -> Evaluation:
    """``evaluation`` at only the given steps (those it has)."""
    at = [i for i, step in enumerate(evaluation.steps) if step in steps]

    def pick(values: tuple[float, ...] | None) -> tuple[float, ...] | None:
        return None if values is None else tuple(values[i] for i in at)

    fields = ("steps", "loss_mean", "loss_ci95", "accuracy_mean", "accuracy_ci95")
    return dataclasses.replace(evaluation, **{name: pick(getattr(evaluation, name)) for name in fields})


def finetuning_words(finetuning: FineTuning) -> str:
    """``"fine-tuned at lr 0.1 for 50 steps (chosen on 50 validation tasks)"``, for printing."""
    chosen = f"chosen on {finetuning.tasks} validation tasks" if finetuning.tasks else "from the preset, not tuned"
    body = f", body {finetuning.body}" if finetuning.body else ""
    return f"fine-tuned at lr {finetuning.lr:g} for {finetuning.steps} steps{body} ({chosen})"
