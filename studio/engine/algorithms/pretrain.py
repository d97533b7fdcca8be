"""Baseline: pretrain on the pooled training tasks, then fine-tune (the "pretrained" baseline of
Finn et al. 2017, Section 5.1; the transfer-learning baseline of Chen et al. 2019).

There is no meta-learning.  Training (`meta_step`) is an ordinary supervised
step on the pooled examples, support and query, of every task in the batch,

    theta <- Adam step on grad_theta L(theta; union_i (S_i u Q_i)),

so the network learns the average task.  On a new task it adapts (`adapt`)
like MAML's inner loop, by ``inner_steps`` SGD steps at ``inner_lr`` on the
support set (``adapt_layers`` fine-tunes only some layers, e.g. the head).
"""

from __future__ import annotations

import torch

from studio.engine.algorithms.base import GradientLearner, Params
from studio.engine.registry import LEARNERS
from studio.engine.tasks.base import TaskBatch


def pooled(batch: TaskBatch) -> tuple[torch.Tensor, torch.Tensor]:
    """Every example of every task in the batch as one supervised data set."""
    x = torch.cat([batch.x_support, batch.x_query], dim=1).flatten(0, 1)
    y = torch.cat([batch.y_support, batch.y_query], dim=1).flatten(0, 1)
    return x, y


@LEARNERS.register("pretrain")
class Pretrain(GradientLearner):
    description = "Baseline: train one network on the pooled training tasks, then fine-tune it on each task."

    def meta_loss(self, params: Params, batch: TaskBatch) -> torch.Tensor:
        """The supervised loss on the batch's pooled examples (no adaptation)."""
        return self.task_loss(self.model_state(params), *pooled(batch))
