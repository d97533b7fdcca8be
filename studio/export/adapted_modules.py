"""The modules adapt-and-export writes: a network with adapted weights, or a closed-form learner's prediction
with its support set built in, as plain ``nn.Module``s that ``torch.export``, ONNX and TorchScript can trace."""

from __future__ import annotations

import copy

import torch
from torch import nn

from studio.engine.algorithms.base import MetaLearner, Params
from studio.engine.models.statistics import statistics_from_first


class SupportBound(nn.Module):
    """A closed-form learner's prediction with its meta-parameters and one support set built in.

    The learner's own ``predict`` (or ProtoNet's ``logits``) computes it, with the network's body run as
    a module holding the meta-learned weights instead of through ``functional_call``, which tracing
    cannot follow.
    """

    def __init__(self, learner: MetaLearner, params: Params, x: torch.Tensor, y: torch.Tensor):
        super().__init__()
        network = with_weights(learner.model, params)
        self.body = network[:-1]
        self.learner = copy.copy(learner)
        self.learner.split = _BodyFeatures(self.body)
        own = dict(network.named_parameters())
        self.names = {name: name.replace(".", "__") for name in params if name not in own}
        for name, safe in self.names.items():
            self.register_buffer(safe, params[name].detach().clone())
        self.register_buffer("support_x", x.detach().clone())
        self.register_buffer("support_y", y.detach().clone())
        self.ways = int(y.max()) + 1 if y.dtype == torch.long and len(y) else 0  # labels are 0..ways-1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        params = {name: getattr(self, safe) for name, safe in self.names.items()}
        if hasattr(self.learner, "predict"):  # closed-form heads (ridge, attention)
            return self.learner.predict(params, self.support_x, self.support_y, x)
        return self.learner.logits(params, self.support_x, self.support_y, x, self.ways)  # ProtoNet


class _BodyFeatures:
    """Stands in for a learner's ``HeadSplit``: the body's output, from the body module itself."""

    def __init__(self, body: nn.Module):
        self.body = body

    def features(self, params: Params, x: torch.Tensor) -> torch.Tensor:
        return self.body(x).flatten(1)


def with_weights(model: nn.Module, weights: Params) -> nn.Module:
    """A copy of ``model`` holding ``weights`` (those of its parameters they name), frozen."""
    network = copy.deepcopy(model)
    with torch.no_grad():
        for name, tensor in network.named_parameters():
            tensor.copy_(weights[name].detach())
    return network.requires_grad_(False)


class SupportNormalised(nn.Module):
    """A network whose batch normalisation takes its statistics from a built-in support set
    (``evaluation.batch_norm = "support"``): each input's output depends on the support set and itself alone."""

    def __init__(self, network: nn.Module, support_x: torch.Tensor):
        super().__init__()
        self.network = network
        self.register_buffer("support_x", support_x.detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows = len(self.support_x)
        with statistics_from_first(rows):
            return self.network(torch.cat([self.support_x, x]))[rows:]
