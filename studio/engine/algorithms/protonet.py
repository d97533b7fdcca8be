"""Prototypical Networks (Snell, Swersky and Zemel, NeurIPS 2017).

The network's body (everything but its head, see
:class:`~studio.engine.algorithms.layers.HeadSplit`) embeds a task's support
and query images, f_phi(x).  Each class's *prototype* is the mean embedding of
its support images,

    c_k = (1 / |S_k|) sum_{x in S_k} f_phi(x),

and a query is classified by a softmax over negative squared Euclidean
distances to the prototypes, logits_k(x) = -||f_phi(x) - c_k||^2.  The outer
loop updates phi by the cross-entropy of the query labels (``meta_step``);
there is no inner loop, so adaptation has a single point: "step 0" is already
the prototype classifier.  In training, support and query images go through
the body as one batch per task, as in the authors' code, so batch normalisation
sees the whole episode; evaluation does the same when transductive, and with
``evaluation.batch_norm = "support"`` (the default, as Snell et al. evaluated
without transduction) normalises by the support images' statistics only.
The head's weights are kept (the model file stays loadable) but unused and
never updated.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from studio.config.algorithms.protonet import ProtoNetAlgorithm
from studio.engine.algorithms.base import MetaLearner, Params
from studio.engine.algorithms.layers import HeadSplit
from studio.engine.registry import LEARNERS
from studio.engine.tasks.base import TaskBatch


def prototype_logits(support: torch.Tensor, labels: torch.Tensor, query: torch.Tensor, ways: int) -> torch.Tensor:
    """-||query_i - c_k||^2 for prototypes c_k, the mean support embedding of class k: (queries, ways)."""
    onehot = (labels.reshape(-1, 1) == torch.arange(ways, device=labels.device)).to(support.dtype)
    prototypes = onehot.T @ support / onehot.sum(dim=0).clamp_min(1).unsqueeze(1)
    return -((query.unsqueeze(1) - prototypes.unsqueeze(0)) ** 2).sum(dim=-1)


@LEARNERS.register("protonet")
class ProtoNet(MetaLearner):
    description = "Prototypical Networks (Snell et al. 2017): classify by distance to class-mean embeddings."
    episode_as_one_batch = True

    def __init__(self, config: ProtoNetAlgorithm, model: nn.Module, kind: str):
        super().__init__(config, model, kind)
        self.split = HeadSplit(model, config.name)

    def logits(self, params: Params, xs: torch.Tensor, ys: torch.Tensor, xq: torch.Tensor, ways: int) -> torch.Tensor:
        """One task's query logits from its support set."""
        support, query = self.support_and_query(lambda x: self.split.features(params, x), xs, xq)
        return prototype_logits(support, ys, query, ways)

    def task_logits(self, params: Params, batch: TaskBatch, x_query: torch.Tensor | None = None) -> torch.Tensor:
        """Logits (tasks, queries, ways) for each task's query set, or for the shared inputs ``x_query``."""
        ways = int(batch.y_support.max()) + 1  # labels are 0..ways-1, each in every support set
        if x_query is None:
            return self.map_tasks(
                lambda p, xs, ys, xq: self.logits(p, xs, ys, xq, ways),
                params, batch.x_support, batch.y_support, batch.x_query,
            )  # fmt: skip
        return self.map_tasks(lambda p, xs, ys: self.logits(p, xs, ys, x_query, ways), params, *_support(batch))

    def per_task(self, params: Params, batch: TaskBatch) -> tuple[torch.Tensor, torch.Tensor]:
        """Query loss and accuracy of each task, (tasks,) each."""
        logits = self.task_logits(params, batch)
        losses = F.cross_entropy(logits.transpose(1, 2), batch.y_query, reduction="none").mean(dim=1)
        right = (logits.argmax(dim=-1) == batch.y_query).to(logits.dtype).mean(dim=1)
        return losses, right

    def meta_loss(self, params: Params, batch: TaskBatch) -> torch.Tensor:
        return self.per_task(params, batch)[0].mean()

    def adaptation_curve(self, params: Params, batch: TaskBatch, steps: int) -> torch.Tensor:
        """The query loss with prototypes from the support set: one point per task, whatever ``steps``."""
        return self.query_scores(params, batch, steps)["loss"]

    def query_scores(self, params: Params, batch: TaskBatch, steps: int) -> dict[str, torch.Tensor]:
        with torch.no_grad():
            losses, right = self.per_task(_frozen(params), batch)
        return {"loss": losses.unsqueeze(1), "accuracy": right.unsqueeze(1)}

    def query_predictions(self, params: Params, batch: TaskBatch, steps: int) -> torch.Tensor:
        with torch.no_grad():
            return self.task_logits(_frozen(params), batch)

    def adapted_prediction(self, params: Params, batch: TaskBatch, x: torch.Tensor, steps: int) -> torch.Tensor:
        with torch.no_grad():
            return self.task_logits(_frozen(params), batch, x)


def _support(batch: TaskBatch) -> tuple[torch.Tensor, torch.Tensor]:
    return batch.x_support, batch.y_support


def _frozen(params: Params) -> Params:
    return {k: v.detach() for k, v in params.items()}
