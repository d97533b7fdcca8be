"""Baseline: fine-tune a freshly initialised network on each task's support set.

Nothing is learned across tasks: the network keeps its random initialisation
theta_0 and each task adapts it (`adapt`) by ``inner_steps`` SGD steps at
``inner_lr`` on its support set, theta_i' = theta_0 - alpha grad L_support_i.
Training (`meta_step`) only reports the query loss after that fine-tuning.
This is the floor a meta-learner must clear.
"""

from __future__ import annotations

import torch

from studio.engine.algorithms.base import Params
from studio.engine.algorithms.finetune import FineTuneBaseline
from studio.engine.optimizers import Optimizer
from studio.engine.registry import LEARNERS
from studio.engine.tasks.base import TaskBatch


@LEARNERS.register("scratch")
class Scratch(FineTuneBaseline):
    description = "Baseline: fine-tune a freshly initialised network on each task's support set."
    meta_trained = False  # the meta-parameters never change
    pretraining = "none: the network keeps its initialisation"

    def meta_gradients(self, params: Params, batch: TaskBatch) -> tuple[Params, torch.Tensor]:
        """Zero for every meta-parameter, and the query loss after fine-tuning."""
        loss = self.adaptation_curve(params, batch, self.config.inner_steps)[:, -1].mean()
        return {k: torch.zeros_like(v) for k, v in params.items()}, loss

    def meta_step(self, params: Params, batch: TaskBatch, optimizer: Optimizer, combine=None) -> torch.Tensor:
        grads, loss = self.meta_gradients(params, batch)
        return loss if combine is None else combine(grads, loss, len(batch))[1]
