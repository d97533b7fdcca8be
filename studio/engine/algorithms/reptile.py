"""Reptile (Nichol, Achiam and Schulman, "On First-Order Meta-Learning Algorithms", 2018).

For each task i of a meta-batch, adapt a copy of the initialisation theta by
k steps of SGD (or Adam with beta1 = 0, as in the paper) on the task's support
set, giving weights W_i (`adapt`).  Then move the initialisation toward them
(`meta_step`):

    theta <- theta + epsilon * (mean_i W_i - theta)

with epsilon annealed linearly from ``outer_step`` to 0 over training (the
batched version of Algorithm 2).  No second derivatives are involved: the
update is SGD with step epsilon on the "gradient" theta - mean_i W_i, which is
what :meth:`Reptile.meta_gradients` returns, averaged over tasks so that the
meta-batch shards like any other gradient.  The tasks of a meta-batch adapt
together (studio/engine/algorithms/gradient.py: ``torch.func.vmap``, or one by
one where the model says a loop is faster, see ``map_tasks``).  With ``adapt_layers`` only the adapted layer
groups move.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch

from studio.config import TrainingConfig
from studio.config.algorithms.reptile import ReptileAlgorithm
from studio.engine.algorithms.base import Params
from studio.engine.algorithms.gradient import GradientLearner
from studio.engine.optimizers import Optimizer
from studio.engine.registry import LEARNERS
from studio.engine.tasks.base import TaskBatch

ADAM_BETA2 = 0.999
ADAM_EPS = 1e-8


class AnnealedSGD(Optimizer):
    """theta <- theta - epsilon_t * g, with epsilon_t = epsilon_0 (1 - t / total) when annealing."""

    def __init__(self, params, lr: float, total: int, anneal: bool = True):
        super().__init__(params, {"lr": lr, "total": max(total, 1), "anneal": anneal, "done": 0})

    def current_lr(self, group: dict) -> float:
        return group["lr"] * (1.0 - group["done"] / group["total"]) if group["anneal"] else group["lr"]

    @torch.no_grad()
    def step(self) -> None:
        for group in self.param_groups:
            lr = max(self.current_lr(group), 0.0)
            for tensor in group["params"]:
                if tensor.grad is not None:
                    tensor.add_(tensor.grad, alpha=-lr)
            group["done"] += 1


@LEARNERS.register("reptile")
class Reptile(GradientLearner):
    description = "Reptile (Nichol et al. 2018): move the initialisation toward weights adapted to each task."
    first_order = True  # the update never differentiates through the inner loop

    config: ReptileAlgorithm

    def make_optimizer(self, params: Params, training: TrainingConfig) -> Optimizer:
        return AnnealedSGD(params.values(), self.config.outer_step, training.iterations, self.config.anneal)

    def trajectories(self, params: Params, xs: torch.Tensor, ys: torch.Tensor, steps: int) -> Iterator[Params]:
        if self.config.inner_optimizer == "adam":
            return self.adam_trajectories(params, xs, ys, steps)
        return super().trajectories(params, xs, ys, steps)

    def adam_trajectories(self, params: Params, xs: torch.Tensor, ys: torch.Tensor, steps: int) -> Iterator[Params]:
        """Every task's weights after 0..steps Adam steps (beta1 = 0, so the first moment is the gradient itself)."""
        weights = self.task_weights(params, len(xs))
        yield weights
        second = {k: torch.zeros_like(weights[k]) for k in self.fast_names}
        for step in range(steps):
            grads = self.support_gradients(weights, xs, ys)
            second = {k: ADAM_BETA2 * second[k] + (1 - ADAM_BETA2) * g * g for k, g in grads.items()}
            correction = 1 - ADAM_BETA2 ** (step + 1)
            moves = {k: g / ((second[k] / correction).sqrt() + ADAM_EPS) for k, g in grads.items()}
            weights = {**weights, **{k: weights[k] - self.config.inner_lr * m for k, m in moves.items()}}
            yield weights

    def meta_gradients(self, params: Params, batch: TaskBatch) -> tuple[Params, torch.Tensor]:
        """theta - mean_i W_i for each network weight, and the mean query loss at W_i."""
        with torch.no_grad():
            theta = {k: v.detach() for k, v in params.items()}
            adapted = self.adapt_tasks(theta, batch.x_support, batch.y_support, self.config.inner_steps)
            losses = self.map_weights(self.task_loss, adapted, batch.x_query, batch.y_query)
            grads = {k: torch.zeros_like(v) for k, v in theta.items()}
            # the weights the inner loop leaves alone do not move: their Reptile direction stays zero
            grads.update({name: theta[name] - adapted[name].mean(dim=0) for name in self.fast_names})
        return grads, losses.mean()

    def meta_loss(self, params: Params, batch: TaskBatch) -> torch.Tensor:
        """Mean query loss after the inner loop (reported; Reptile's update does not differentiate it)."""
        return self.meta_gradients(params, batch)[1]
