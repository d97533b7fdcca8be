"""Baseline and Baseline++ of Chen, Liu, Kira, Wang and Huang, "A Closer Look at Few-shot Classification"
(ICLR 2019), and for regression the "pretrained" baseline of Finn et al. 2017 (Section 5.1).

There is no meta-learning.  Training (`meta_step`) is ordinary supervised
learning, an Adam step on the pooled examples (support and query) of each
meta-batch of training tasks.  What it learns depends on the tasks:

- **Classification whose classes recur across tasks** (image episodes, CSV
  categories; ``TaskFamily.shared_classes`` = C > 0): a classifier over all C
  meta-train classes, trained on each example's *global* label
  (``TaskBatch.global_labels``; an episode's own labels 0..N-1 mean nothing
  across episodes).  Its logits are W f(x) + b (Baseline, ``head = "linear"``)
  or s cos(f(x), w_c) (Baseline++, ``head = "cosine"``, scale s fixed or
  learned), f being the network's body.  This C-way classifier is discarded
  after pretraining, as in the paper; it is kept in checkpoints only.
- **Regression**: the pooled examples as they are, so the network learns the
  average task (Finn et al.'s baseline).
- **Classification whose classes are each task's own** (blobs2d: blobs at
  random centres): pooled labels mean nothing and there is no class to learn
  across tasks, so nothing is pretrained: the network keeps its
  initialisation and this baseline is the scratch baseline with a new head
  (said in :attr:`Pretrain.pretraining`, which the baseline reports).

On a test task (`adapt`) the network's own N-way head is the *new head*: in
classification pretraining never touches it, so it is still its random
initialisation.  ``inner_steps`` SGD steps at ``inner_lr`` on the support set
train it, with the body frozen (``adapt_layers = ["head"]``, the paper's
protocol) or fine-tuned too (empty ``adapt_layers``); with ``head = "cosine"``
the new head scores by scaled cosine similarity as well.
"""

from __future__ import annotations

import copy
import dataclasses

import torch
import torch.nn.functional as F
from torch import nn

from studio.config.algorithms.pretrain import PretrainAlgorithm
from studio.engine.algorithms.base import Params
from studio.engine.algorithms.finetune import FineTuneBaseline, head_seed
from studio.engine.algorithms.layers import HeadSplit, adapted_parameters
from studio.engine.losses import accuracy
from studio.engine.registry import LEARNERS
from studio.engine.tasks.base import TaskBatch

CLASSIFIER = "pretrain.classifier"  # the C-way pretraining head's parameters: CLASSIFIER.weight, CLASSIFIER.bias
SCALE = "pretrain.scale"  # Baseline++'s learned cosine scale


def pooled(batch: TaskBatch) -> tuple[torch.Tensor, torch.Tensor]:
    """Every example of every task in the batch as one supervised data set."""
    x = torch.cat([batch.x_support, batch.x_query], dim=1).flatten(0, 1)
    y = torch.cat([batch.y_support, batch.y_query], dim=1).flatten(0, 1)
    return x, y


def pooled_global_labels(batch: TaskBatch) -> torch.Tensor:
    """The pooled examples' labels as split-wide class ids, in :func:`pooled`'s order."""
    return torch.cat([batch.global_labels(batch.y_support), batch.global_labels(batch.y_query)], dim=1).flatten()


class CosineHead(nn.Module):
    """Baseline++'s head as a module: s cos(x, w_c) for each row w_c of ``weight`` (for exported networks)."""

    def __init__(self, weight: torch.Tensor, scale: torch.Tensor | float):
        super().__init__()
        self.weight = nn.Parameter(weight.detach().clone(), requires_grad=False)
        self.register_buffer("scale", torch.as_tensor(scale, dtype=weight.dtype).detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return cosine_logits(x, self.weight, self.scale)


def cosine_logits(features: torch.Tensor, weight: torch.Tensor, scale: torch.Tensor | float) -> torch.Tensor:
    """s cos(f, w_c) for every class c: Baseline++'s head (no bias)."""
    return scale * F.normalize(features, dim=-1) @ F.normalize(weight, dim=-1).T


@LEARNERS.register("pretrain")
class Pretrain(FineTuneBaseline):
    description = (
        "Baseline (Chen et al. 2019): a classifier over all training classes, then a new head fine-tuned on "
        "each task; regression: one network trained on the pooled tasks."
    )
    uses_shared_classes = True

    def __init__(self, config: PretrainAlgorithm, model: nn.Module, kind: str, shared_classes: int = 0):
        super().__init__(config, model, kind)
        self.shared_classes = shared_classes if kind == "classification" else 0
        self.cosine = kind == "classification" and config.head == "cosine"
        self.split = HeadSplit(model, config.name) if kind == "classification" else None
        self.head_weight = f"{len(model) - 1}.weight" if self.split is not None else ""
        # the body frozen on a test task: embed each task once and fine-tune only the head on the embeddings
        self.body_frozen = self.split is not None and not self.split.body_names & set(self.fast_names)

    def with_body(self, frozen: bool) -> Pretrain:
        """A copy that adapts only the new head on a test task (``frozen``) or every layer (classification)."""
        variant = copy.copy(self)
        variant.config = dataclasses.replace(self.config, adapt_layers=("head",) if frozen else ())
        variant.fast_names = adapted_parameters(self.model, variant.config.adapt_layers)
        variant.body_frozen = frozen
        return variant

    @property
    def meta_trained(self) -> bool:
        """Whether training changes the parameters (not where there are no shared classes to learn)."""
        return self.kind == "regression" or bool(self.shared_classes)

    @property
    def pretraining(self) -> str:
        """What training this baseline does, in words (reported beside its scores)."""
        if self.kind == "regression":
            return "pooled examples of the training tasks (Finn et al. 2017)"
        if not self.shared_classes:
            return "none: these tasks share no classes, so the body keeps its initialisation (scratch, new head)"
        head = "Baseline++, cosine" if self.cosine else "Baseline, linear"
        return f"{self.shared_classes}-way classifier over the training classes ({head} head; Chen et al. 2019)"

    def init_parameters(self) -> Params:
        params = super().init_parameters()
        if self.cosine and self.config.learn_scale:
            params[SCALE] = torch.tensor(float(self.config.cosine_scale), requires_grad=True)
        if self.shared_classes:
            params.update(self._new_classifier(params))
        return params

    def _new_classifier(self, params: Params) -> Params:
        """The C-way head, initialised as ``nn.Linear`` is, from a stream seeded by the network's own initial
        head (so the preset's seed fixes it and the caller's random state is untouched)."""
        like = params[self.head_weight].detach()
        seed = head_seed(like)
        bound = 1 / self.split.feature_dim**0.5
        draw = torch.rand(self.shared_classes, self.split.feature_dim, generator=torch.Generator().manual_seed(seed))
        weight = ((2 * draw - 1) * bound).to(like)
        classifier = {f"{CLASSIFIER}.weight": weight.requires_grad_(True)}
        if not self.cosine:
            classifier[f"{CLASSIFIER}.bias"] = torch.zeros(self.shared_classes).to(like).requires_grad_(True)
        return classifier

    def extra_state(self, params: Params) -> Params:
        """The learned cosine scale, if any; the pretraining classifier is discarded (test tasks get a new head)."""
        return {k: v for k, v in super().extra_state(params).items() if not k.startswith(CLASSIFIER)}

    def scale(self, params: Params) -> torch.Tensor | float:
        return params.get(SCALE, self.config.cosine_scale)

    def forward(self, params: Params, x: torch.Tensor) -> torch.Tensor:
        """The network, or with ``head = "cosine"`` its body followed by a cosine head on its head's weights."""
        if not self.cosine:
            return super().forward(params, x)
        return cosine_logits(self.split.features(params, x), params[self.head_weight], self.scale(params))

    def as_module(self, network: nn.Module, params: Params) -> nn.Module:
        """With a cosine head, the network's body followed by a :class:`CosineHead` on its head's weights."""
        if not self.cosine:
            return network
        return nn.Sequential(*network[:-1], CosineHead(network[-1].weight, self.scale(params)))

    def head_logits(self, params: Params, features: torch.Tensor) -> torch.Tensor:
        """The network's head (the new head on a test task) applied to body features."""
        weight = params[self.head_weight]
        if self.cosine:
            return cosine_logits(features, weight, self.scale(params))
        return features @ weight.T + params[self.head_weight.replace("weight", "bias")]

    def head_curves(self, params: Params, batch: TaskBatch, steps: int) -> torch.Tensor:
        """Every task's query loss and accuracy after 0..steps SGD steps on the head alone, (tasks, steps + 1, 2):
        the frozen body embeds each task's examples once; the head's steps run on the embeddings."""
        shots = batch.x_support.shape[1]
        embedded = self.map_tasks(self.embeddings, params, batch.x_support, batch.x_query)
        support, query = embedded[:, :shots], embedded[:, shots:]
        weights = {**params, **self.task_weights(params, len(batch))}  # each task's own head
        scores = []
        for step in range(steps + 1):
            scores.append(self.map_weights(self.head_scores, weights, query, batch.y_query))
            if step < steps:
                grads = self.task_gradients(self.head_loss, weights, self.fast_names, support, batch.y_support)
                weights = {**weights, **{k: weights[k] - self.inner_lr(params, k, step) * g for k, g in grads.items()}}
        return torch.stack(scores, dim=1)

    def embeddings(self, params: Params, xs: torch.Tensor, xq: torch.Tensor) -> torch.Tensor:
        """One task's support then query examples through the body (as :meth:`support_and_query` runs them)."""
        return torch.cat(self.support_and_query(lambda x: self.split.features(params, x), xs, xq))

    def head_loss(self, weights: Params, features: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.loss(self.head_logits(weights, features), y)

    def head_scores(self, weights: Params, features: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        logits = self.head_logits(weights, features)
        return torch.stack([self.loss(logits, y), accuracy(logits, y)])

    def query_scores(self, params: Params, batch: TaskBatch, steps: int) -> dict[str, torch.Tensor]:
        """As the whole network's inner loop scores them; with the body frozen, without running it at every step."""
        if not self.body_frozen:
            return super().query_scores(params, batch, steps)
        with torch.no_grad():
            both = self.head_curves({k: v.detach() for k, v in params.items()}, batch, steps)
        return {"loss": both[..., 0], "accuracy": both[..., 1]}

    def adaptation_curve(self, params: Params, batch: TaskBatch, steps: int) -> torch.Tensor:
        if not self.body_frozen:
            return super().adaptation_curve(params, batch, steps)
        return self.query_scores(params, batch, steps)["loss"]

    def meta_loss(self, params: Params, batch: TaskBatch) -> torch.Tensor:
        """The supervised loss on the batch's pooled examples (no adaptation)."""
        if not self.shared_classes:
            return self.task_loss(self.model_state(params), *pooled(batch))
        return F.cross_entropy(self.classifier_logits(params, batch), pooled_global_labels(batch))

    def classifier_logits(self, params: Params, batch: TaskBatch) -> torch.Tensor:
        """Logits over all C training classes from the pretraining classifier, for the pooled examples (one
        mini-batch, as in ordinary supervised training)."""
        features = self.split.features(params, pooled(batch)[0])
        weight = params[f"{CLASSIFIER}.weight"]
        if self.cosine:
            return cosine_logits(features, weight, self.scale(params))
        return features @ weight.T + params[f"{CLASSIFIER}.bias"]

    def meta_gradients(self, params: Params, batch: TaskBatch) -> tuple[Params, torch.Tensor]:
        """Without shared classes (classification), nothing is learned: zero gradients, the fine-tuned query loss."""
        if self.kind == "classification" and not self.shared_classes:
            loss = self.adaptation_curve(params, batch, self.config.inner_steps)[:, -1].mean()
            return {k: torch.zeros_like(v) for k, v in params.items()}, loss
        return super().meta_gradients(params, batch)
