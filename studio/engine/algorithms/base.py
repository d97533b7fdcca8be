"""What a meta-learner is to the training loop, and the inner loop shared by gradient methods.

A learner is a set of *meta-parameters* (a dict of tensors: the network's
initialisation, plus whatever else the method learns) and three pure
functions of them and a :class:`TaskBatch`:

- ``meta_gradients(params, batch)`` for the outer loop (averaged over tasks,
  so that sharding the meta-batch across processes needs only an all-reduce),
- ``adaptation_curve(params, batch, steps)`` for evaluation,
- ``adapted_prediction(params, batch, x, steps)`` for drawing one task.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import nn
from torch.func import functional_call, grad, vmap

from studio.config import AlgorithmConfig, ConfigError, TrainingConfig
from studio.engine.losses import LOSSES
from studio.engine.tasks.base import TaskBatch

Params = dict[str, torch.Tensor]


class MetaLearner:
    """Base class; subclasses implement :meth:`meta_loss` and :meth:`adaptation_curve`."""

    description = ""
    kinds: tuple[str, ...] = ("regression", "classification")

    def __init__(self, config: AlgorithmConfig, model: nn.Module, kind: str):
        if kind not in self.kinds:
            raise ConfigError.at("algorithm.name", f"'{config.name}' does not apply to {kind} tasks")
        self.config = config
        self.model = model
        self.kind = kind
        self.loss = LOSSES[kind]

    def init_parameters(self) -> Params:
        """Meta-parameters as fresh leaf tensors, starting from the model's weights."""
        return {k: v.detach().clone().requires_grad_(True) for k, v in self.model.named_parameters()}

    def model_state(self, params: Params) -> Params:
        """The entries of ``params`` that are the network's own ``state_dict``."""
        names = dict(self.model.named_parameters()).keys() | dict(self.model.named_buffers()).keys()
        return {k: v for k, v in params.items() if k in names}

    def make_optimizer(self, params: Params, training: TrainingConfig) -> torch.optim.Optimizer:
        return torch.optim.Adam(params.values(), lr=training.meta_lr)

    def forward(self, params: Params, x: torch.Tensor) -> torch.Tensor:
        return functional_call(self.model, params, (x,))

    def task_loss(self, params: Params, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.loss(self.forward(params, x), y)

    def meta_loss(self, params: Params, batch: TaskBatch) -> torch.Tensor:
        raise NotImplementedError

    def meta_gradients(self, params: Params, batch: TaskBatch) -> tuple[Params, torch.Tensor]:
        """Gradient of the mean query loss with respect to each meta-parameter."""
        loss = self.meta_loss(params, batch)
        grads = torch.autograd.grad(loss, list(params.values()), allow_unused=True)
        zeros = (torch.zeros_like(p) if g is None else g for p, g in zip(params.values(), grads))
        return dict(zip(params.keys(), zeros)), loss.detach()

    def meta_step(self, params: Params, batch: TaskBatch, optimizer: torch.optim.Optimizer) -> torch.Tensor:
        """One outer-loop update of ``params`` in place; returns the meta-batch's query loss."""
        grads, loss = self.meta_gradients(params, batch)
        for name, tensor in params.items():
            tensor.grad = grads[name]
        optimizer.step()
        return loss

    def adaptation_curve(self, params: Params, batch: TaskBatch, steps: int) -> torch.Tensor:
        """Query loss of each task after 0..steps inner steps: shape (tasks, steps + 1)."""
        raise NotImplementedError

    def adapted_prediction(self, params: Params, batch: TaskBatch, x: torch.Tensor, steps: int) -> torch.Tensor:
        """Predictions at ``x`` for each task of ``batch`` after ``steps`` inner steps."""
        raise NotImplementedError


class GradientLearner(MetaLearner):
    """Methods whose inner loop is SGD on the support set (MAML and its relatives)."""

    first_order = False

    def inner_lr(self, params: Params, name: str, step: int) -> torch.Tensor | float:
        return self.config.inner_lr

    def trajectory(self, params: Params, x: torch.Tensor, y: torch.Tensor, steps: int) -> Iterator[Params]:
        """The network's weights after 0, 1, ..., ``steps`` SGD steps on one task's support set.

        Each step is theta' = theta - alpha * grad L_support(theta); first-order
        methods treat the gradient as a constant (no second derivatives).
        """
        weights = self.model_state(params)
        yield weights
        for step in range(steps):
            grads = grad(self.task_loss)(weights, x, y)
            if self.first_order:
                grads = {k: g.detach() for k, g in grads.items()}
            weights = {k: w - self.inner_lr(params, k, step) * grads[k] for k, w in weights.items()}
            yield weights

    def adapt(self, params: Params, x: torch.Tensor, y: torch.Tensor, steps: int) -> Params:
        """The weights after ``steps`` inner steps on one task (differentiable unless first order)."""
        *_, adapted = self.trajectory(params, x, y, steps)
        return adapted

    def query_loss(self, params: Params, xs, ys, xq, yq) -> torch.Tensor:
        adapted = self.adapt(params, xs, ys, self.config.inner_steps)
        return self.task_loss(adapted, xq, yq)

    def meta_loss(self, params: Params, batch: TaskBatch) -> torch.Tensor:
        per_task = vmap(self.query_loss, in_dims=(None, 0, 0, 0, 0))
        return per_task(params, batch.x_support, batch.y_support, batch.x_query, batch.y_query).mean()

    def adaptation_curve(self, params: Params, batch: TaskBatch, steps: int) -> torch.Tensor:
        def curve(p, xs, ys, xq, yq):
            return torch.stack([self.task_loss(w, xq, yq) for w in self.trajectory(p, xs, ys, steps)])

        with torch.no_grad():
            frozen = {k: v.detach() for k, v in params.items()}
            tasks = (batch.x_support, batch.y_support, batch.x_query, batch.y_query)
            return vmap(curve, in_dims=(None, 0, 0, 0, 0))(frozen, *tasks)

    def adapted_prediction(self, params: Params, batch: TaskBatch, x: torch.Tensor, steps: int) -> torch.Tensor:
        def predict(p, xs, ys):
            return self.forward(self.adapt(p, xs, ys, steps), x)

        with torch.no_grad():
            frozen = {k: v.detach() for k, v in params.items()}
            return vmap(predict, in_dims=(None, 0, 0))(frozen, batch.x_support, batch.y_support)
