"""The inner loop shared by gradient methods: SGD on each task's support set, for a batch of tasks at once.

Each task i of a batch adapts its own copy of the network's weights,

    theta_i <- theta_i - alpha * grad_{theta_i} L_support_i(theta_i),

so the adapted weights (``fast_names``) carry a leading task axis (:meth:`GradientLearner.task_weights`); the
weights the inner loop leaves alone stay theta's, shared by every task.  A task's support loss depends on its
own slice of the stacked weights only, so the gradient of the tasks' summed losses with respect to the stacked
weights is every task's own gradient: one ``torch.autograd.grad`` per inner step, taken outside ``vmap``
(:meth:`GradientLearner.task_gradients`), with its graph kept (``create_graph``) for the meta-gradient of
second-order methods.  ``torch.func.grad`` inside ``vmap`` gives the same values, but its first call imports
all of ``torch._dynamo``, about 2 s of every run's start (issue #11).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import torch
from torch import nn

from studio.config import AlgorithmConfig
from studio.engine.algorithms.base import MetaLearner, Params
from studio.engine.algorithms.layers import adapted_parameters
from studio.engine.algorithms.recompute import recomputed_step
from studio.engine.losses import accuracy
from studio.engine.tasks.base import TaskBatch


class GradientLearner(MetaLearner):
    """Methods whose inner loop is SGD on the support set (MAML and its relatives)."""

    first_order = False

    def __init__(self, config: AlgorithmConfig, model: nn.Module, kind: str):
        super().__init__(config, model, kind)
        # layer-wise adaptation: the inner loop adapts only these weights; the rest stay at theta
        self.fast_names = adapted_parameters(model, getattr(config, "adapt_layers", ()))

    def inner_lr(self, params: Params, name: str, step: int) -> torch.Tensor | float:
        return self.config.inner_lr

    def recomputes_inner_loop(self) -> bool:
        return getattr(self.config, "checkpoint_inner_loop", False) and not self.first_order

    def task_weights(self, params: Params, tasks: int) -> Params:
        """The network's weights for ``tasks`` tasks about to adapt: each task's own copy of the adapted ones
        (a leading task axis; a view of theta, nothing copied), theta itself for the others."""
        weights = self.model_state(params)
        return {**weights, **{k: weights[k].expand(tasks, *weights[k].shape) for k in self.fast_names}}

    def map_weights(self, fn: Callable[..., torch.Tensor], weights: Params, *tasks: torch.Tensor) -> torch.Tensor:
        """``fn(one task's weights, *one task)`` for every task, stacked (``weights`` as :meth:`task_weights`)."""
        return self.map_tasks(fn, weights, *tasks, per_task=self.fast_names)

    def task_gradients(
        self, loss: Callable[..., torch.Tensor], weights: Params, names: tuple[str, ...], *tasks: torch.Tensor
    ) -> Params:
        """Each task's gradient of ``loss(its weights, *its task)`` with respect to its own ``names`` (stacked
        on a leading task axis in ``weights``), from one ``autograd.grad`` of the tasks' summed losses.

        Differentiable (second order) while autograd records, unless the method is first order.
        """
        second_order = torch.is_grad_enabled() and not self.first_order
        with torch.enable_grad():  # the inner loop differentiates even where only values are wanted (evaluation)
            own = {k: _differentiable(weights[k]) for k in names}
            losses = self.map_tasks(loss, {**weights, **own}, *tasks, per_task=names)
            grads = torch.autograd.grad(losses.sum(), list(own.values()), create_graph=second_order, allow_unused=True)
        zeros = (torch.zeros_like(w) if g is None else g for w, g in zip(own.values(), grads))
        return {k: g if second_order else g.detach() for k, g in zip(own, zeros)}

    def support_gradients(self, weights: Params, xs: torch.Tensor, ys: torch.Tensor) -> Params:
        """Each task's gradient of its support loss with respect to its adapted weights (``fast_names``)."""
        return self.task_gradients(self.task_loss, weights, self.fast_names, xs, ys)

    def trajectories(self, params: Params, xs: torch.Tensor, ys: torch.Tensor, steps: int) -> Iterator[Params]:
        """Every task's weights after 0, 1, ..., ``steps`` SGD steps on its support set (``xs``, ``ys``: a batch
        of tasks), as :meth:`task_weights` lays them out.

        Each step is theta_i' = theta_i - alpha * grad L_support_i(theta_i) on the adapted
        weights; first-order methods treat the gradient as a constant (no second
        derivatives).
        """
        weights = self.task_weights(params, len(xs))
        yield weights
        recompute = self.recomputes_inner_loop() and torch.is_grad_enabled()
        for step in range(steps):
            if recompute:  # keep this step's inputs only; its graph is rebuilt when the meta-gradient needs it
                weights = {**weights, **recomputed_step(self.sgd_step, params, weights, xs, ys, step)}
            else:
                weights = self.sgd_step(params, weights, xs, ys, step)
            yield weights

    def sgd_step(self, params: Params, weights: Params, xs: torch.Tensor, ys: torch.Tensor, step: int) -> Params:
        """theta_i' = theta_i - alpha * grad L_support_i(theta_i) on every task's adapted weights."""
        grads = self.support_gradients(weights, xs, ys)
        return {**weights, **{k: weights[k] - self.inner_lr(params, k, step) * g for k, g in grads.items()}}

    def as_module(self, network: nn.Module, params: Params) -> nn.Module:
        """What :meth:`forward` computes, as a module, given ``network`` holding adapted weights (for export)."""
        return network

    def adapt_tasks(self, params: Params, xs: torch.Tensor, ys: torch.Tensor, steps: int) -> Params:
        """Every task's weights after ``steps`` inner steps (differentiable unless first order)."""
        *_, adapted = self.trajectories(params, xs, ys, steps)
        return adapted

    def adapt(self, params: Params, x: torch.Tensor, y: torch.Tensor, steps: int) -> Params:
        """One task's weights after ``steps`` inner steps on its support set ``x``, ``y``."""
        adapted = self.adapt_tasks(params, x.unsqueeze(0), y.unsqueeze(0), steps)
        return {k: v[0] if k in self.fast_names else v for k, v in adapted.items()}

    def meta_loss(self, params: Params, batch: TaskBatch) -> torch.Tensor:
        """Mean over tasks of the query loss L_query_i(theta_i') at the adapted weights."""
        adapted = self.adapt_tasks(params, batch.x_support, batch.y_support, self.config.inner_steps)
        per_task = self.map_weights(self.task_loss, adapted, batch.x_query, batch.y_query)
        self.last_task_losses = per_task.detach()  # what prioritized task sampling reads
        return per_task.mean()

    def query_loss(self, weights: Params, xs: torch.Tensor, xq: torch.Tensor, yq: torch.Tensor) -> torch.Tensor:
        """One task's query loss with ``weights``, its query outputs as :meth:`query_outputs` gives them."""
        return self.loss(self.query_outputs(weights, xs, xq), yq)

    def adaptation_curve(self, params: Params, batch: TaskBatch, steps: int) -> torch.Tensor:
        tasks = (batch.x_support, batch.x_query, batch.y_query)
        with torch.no_grad():
            trajectory = self.trajectories(_frozen(params), batch.x_support, batch.y_support, steps)
            return torch.stack([self.map_weights(self.query_loss, weights, *tasks) for weights in trajectory], dim=1)

    def adapted_prediction(self, params: Params, batch: TaskBatch, x: torch.Tensor, steps: int) -> torch.Tensor:
        with torch.no_grad():
            adapted = self.adapt_tasks(_frozen(params), batch.x_support, batch.y_support, steps)
            return self.map_weights(lambda w, xs: self.query_outputs(w, xs, x), adapted, batch.x_support)

    def query_scores(self, params: Params, batch: TaskBatch, steps: int) -> dict[str, torch.Tensor]:
        """Query loss, and for classification accuracy, after 0..steps inner steps, in one pass."""
        if self.kind != "classification":
            return super().query_scores(params, batch, steps)

        def scores(weights: Params, xs: torch.Tensor, xq: torch.Tensor, yq: torch.Tensor) -> torch.Tensor:
            logits = self.query_outputs(weights, xs, xq)
            return torch.stack([self.loss(logits, yq), accuracy(logits, yq)])

        tasks = (batch.x_support, batch.x_query, batch.y_query)
        with torch.no_grad():
            trajectory = self.trajectories(_frozen(params), batch.x_support, batch.y_support, steps)
            both = torch.stack([self.map_weights(scores, weights, *tasks) for weights in trajectory], dim=1)
        return {"loss": both[..., 0], "accuracy": both[..., 1]}

    def query_predictions(self, params: Params, batch: TaskBatch, steps: int) -> torch.Tensor:
        with torch.no_grad():
            adapted = self.adapt_tasks(_frozen(params), batch.x_support, batch.y_support, steps)
            return self.map_weights(self.query_outputs, adapted, batch.x_support, batch.x_query)


def _frozen(params: Params) -> Params:
    return {k: v.detach() for k, v in params.items()}


def _differentiable(tensor: torch.Tensor) -> torch.Tensor:
    """``tensor`` itself when autograd tracks it, else a detached copy that autograd can differentiate by."""
    return tensor if tensor.requires_grad else tensor.detach().requires_grad_()
