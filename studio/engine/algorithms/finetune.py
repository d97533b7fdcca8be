"""What the two fine-tuning baselines (``pretrain``, ``scratch``) share: a new N-way head for any test N.

Neither baseline trains the network's own head for classification (``scratch`` trains nothing; ``pretrain``
trains a separate classifier over all training classes and discards it), so the head a test task starts
from is a random initialisation either way.  A test task of another number of classes than training
(``evaluation.ways``) therefore gets a new head of its own size, initialised as ``nn.Linear`` initialises
one, from a stream seeded by the network's head (so the run fixes it and the caller's random state is
untouched).  Chen et al. 2019 give every test task a new head in just this way.
"""

from __future__ import annotations

import copy
import hashlib

import torch
from torch import nn

from studio.engine.algorithms.base import MetaLearner, Params
from studio.engine.algorithms.gradient import GradientLearner


def head_seed(weight: torch.Tensor) -> int:
    """A seed fixed by ``weight``'s values (the network's initial head, so by the preset's seed)."""
    return int.from_bytes(hashlib.sha256(weight.detach().cpu().numpy().tobytes()).digest()[:8], "little")


def new_linear(features: int, outputs: int, seed: int, like: torch.Tensor) -> nn.Linear:
    """``nn.Linear(features, outputs)`` with ``nn.Linear``'s uniform(-1/sqrt(features), 1/sqrt(features)) weights
    and bias, drawn from a generator seeded with ``seed``."""
    bound = 1 / features**0.5
    generator = torch.Generator().manual_seed(seed)
    layer = nn.Linear(features, outputs).to(like)
    with torch.no_grad():
        for tensor in (layer.weight, layer.bias):
            tensor.copy_(((2 * torch.rand(tensor.shape, generator=generator) - 1) * bound).to(like))
    return layer


def with_new_head(model: nn.Sequential, outputs: int) -> nn.Sequential:
    """A copy of ``model`` sharing its body, whose last layer is a new ``outputs``-way ``Linear`` head."""
    head = model[-1]
    network = copy.copy(model)  # a shallow copy: the same body modules, its own list of layers
    network._modules = dict(model._modules)
    network[len(model) - 1] = new_linear(head.in_features, outputs, head_seed(head.weight) + outputs, head.weight)
    return network


class FineTuneBaseline(GradientLearner):
    """A learner that fine-tunes a network whose head never learned across tasks: any N at test time (its
    settings say ``any_ways``)."""

    def for_evaluation(self, ways: int | None, batch_norm: str, ways_field: str = "evaluation.ways") -> MetaLearner:
        """As the base class; for ``ways``-way tasks other than the head's, with a new ``ways``-way head."""
        evaluator = super().for_evaluation(ways, batch_norm, ways_field)
        head = self.model[-1] if isinstance(self.model, nn.Sequential) else None
        if ways is not None and isinstance(head, nn.Linear) and head.out_features != ways:
            evaluator.model = with_new_head(self.model, ways)
        return evaluator

    def evaluation_params(self, params: Params) -> Params:
        """``params`` with the head of this learner's network (a new one where :meth:`for_evaluation` made it)."""
        if not isinstance(self.model, nn.Sequential):
            return params
        name = f"{len(self.model) - 1}."
        own = {k: v for k, v in self.model.named_parameters() if k.startswith(name)}
        if all(params[k].shape == v.shape for k, v in own.items()):
            return params
        return {**params, **{k: v.detach().clone().requires_grad_(True) for k, v in own.items()}}
