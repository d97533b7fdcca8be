"""Learners that adapt by computing a head from the support set in closed form (no inner steps).

The network's body (every layer but its head, see
:class:`~studio.engine.algorithms.layers.HeadSplit`) embeds support and query
examples; a subclass's :meth:`SupportHeadLearner.predict` turns the support
embeddings and targets into predictions for the queries, differentiably, and
the outer loop meta-learns the body and the head's own meta-parameters by the
query loss (`meta_step`).  Regression targets are used as they are;
classification labels become one-hot rows.

Adaptation is exact in "zero steps", so the adaptation curve is flat: its
value at every step is the query loss with the support set used.
"""

from __future__ import annotations

import torch
from torch import nn

from studio.config import AlgorithmConfig
from studio.engine.algorithms.base import MetaLearner, Params
from studio.engine.algorithms.layers import HeadSplit
from studio.engine.losses import accuracy
from studio.engine.tasks.base import TaskBatch


class SupportHeadLearner(MetaLearner):
    """Base class: subclasses implement :meth:`predict` (one task, support to query predictions)."""

    def __init__(self, config: AlgorithmConfig, model: nn.Module, kind: str):
        super().__init__(config, model, kind)
        self.split = HeadSplit(model, config.name)
        self.classes = _output_dim(model)

    def targets(self, y: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        """Support targets as rows of ``like``'s dtype: regression targets, or one-hot class labels."""
        if self.kind == "classification":
            classes = torch.arange(self.classes, device=y.device)
            return (y.reshape(-1, 1) == classes).to(like.dtype)
        return y.reshape(y.shape[0], -1).to(like.dtype)

    def for_evaluation(self, ways: int | None, batch_norm: str, ways_field: str = "evaluation.ways") -> MetaLearner:
        """As the base class; the one-hot targets of ``ways``-way tasks get ``ways`` columns."""
        evaluator = super().for_evaluation(ways, batch_norm, ways_field)
        if ways is not None:
            evaluator.classes = ways
        return evaluator

    def predict(self, params: Params, xs: torch.Tensor, ys: torch.Tensor, xq: torch.Tensor) -> torch.Tensor:
        """Query predictions (regression values or class logits) for one task."""
        raise NotImplementedError

    def query_loss(self, params: Params, xs, ys, xq, yq) -> torch.Tensor:
        return self.loss(self.predict(params, xs, ys, xq), yq)

    def task_scores(self, params: Params, xs, ys, xq, yq) -> torch.Tensor:
        """One task's query loss, and for classification its accuracy: a vector of one or two."""
        prediction = self.predict(params, xs, ys, xq)
        loss = self.loss(prediction, yq)
        if self.kind == "classification":
            return torch.stack([loss, accuracy(prediction, yq).to(loss.dtype)])
        return loss.unsqueeze(0)

    def meta_loss(self, params: Params, batch: TaskBatch) -> torch.Tensor:
        return self.map_tasks(self.query_loss, params, *_tasks(batch)).mean()

    def query_scores(self, params: Params, batch: TaskBatch, steps: int) -> dict[str, torch.Tensor]:
        """Query loss (and accuracy) with the head solved from the support set, the same at every step 0..steps."""
        with torch.no_grad():
            scores = self.map_tasks(self.task_scores, _frozen(params), *_tasks(batch))
        flat = scores.unsqueeze(1).expand(-1, steps + 1, -1).clone()
        names = ("loss", "accuracy") if self.kind == "classification" else ("loss",)
        return {name: flat[..., i] for i, name in enumerate(names)}

    def adaptation_curve(self, params: Params, batch: TaskBatch, steps: int) -> torch.Tensor:
        return self.query_scores(params, batch, steps)["loss"]

    def query_predictions(self, params: Params, batch: TaskBatch, steps: int) -> torch.Tensor:
        with torch.no_grad():
            return self.map_tasks(self.predict, _frozen(params), batch.x_support, batch.y_support, batch.x_query)

    def adapted_prediction(self, params: Params, batch: TaskBatch, x: torch.Tensor, steps: int) -> torch.Tensor:
        with torch.no_grad():
            return self.map_tasks(lambda p, xs, ys: self.predict(p, xs, ys, x), _frozen(params), *_support(batch))


def _tasks(batch: TaskBatch) -> tuple[torch.Tensor, ...]:
    return batch.x_support, batch.y_support, batch.x_query, batch.y_query


def _support(batch: TaskBatch) -> tuple[torch.Tensor, torch.Tensor]:
    return batch.x_support, batch.y_support


def _frozen(params: Params) -> Params:
    return {k: v.detach() for k, v in params.items()}


def _output_dim(model: nn.Module) -> int:
    return model[-1].out_features
