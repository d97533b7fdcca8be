"""Meta-SGD (Li, Zhou, Chen and Li, "Meta-SGD: Learning to Learn Quickly for Few-Shot Learning", 2017).

Meta-SGD learns, with the initialisation theta, a vector alpha of the same
shape: one inner learning rate per parameter, which sets both the direction
and the size of the adaptation step.  The inner loop (`adapt`, one step by
default) is

    theta_i' = theta - alpha o grad_theta L_support_i(theta)        (o: elementwise product)

and the outer loop (`meta_step`) updates both by the query loss of the adapted
parameters, differentiating through the inner step:

    (theta, alpha) <- (theta, alpha) - beta * grad_(theta, alpha) sum_i L_query_i(theta_i')

The rates are meta-parameters named ``alpha.<parameter>``, saved in the run's
``learner.safetensors`` and used by ``studio eval``.  They start at
``inner_lr`` (the paper draws them at random from a small range; a constant
start needs no random stream and starts exactly where MAML with that alpha does).
With ``adapt_layers`` only the adapted layers get rates.
"""

from __future__ import annotations

import torch
from torch import nn

from studio.config.algorithms.metasgd import MetaSgdAlgorithm
from studio.engine.algorithms.base import Params
from studio.engine.algorithms.gradient import GradientLearner
from studio.engine.registry import LEARNERS

RATE_PREFIX = "alpha."


@LEARNERS.register("metasgd")
class MetaSgd(GradientLearner):
    description = "Meta-SGD (Li et al. 2017): learn the initialisation and a learning rate for every parameter."

    def __init__(self, config: MetaSgdAlgorithm, model: nn.Module, kind: str):
        super().__init__(config, model, kind)
        self.first_order = config.first_order

    def init_parameters(self) -> Params:
        """theta, and alpha = inner_lr for every adapted parameter."""
        params = super().init_parameters()
        for name in self.fast_names:
            rates = torch.full_like(params[name].detach(), self.config.inner_lr)
            params[RATE_PREFIX + name] = rates.requires_grad_(True)
        return params

    def inner_lr(self, params: Params, name: str, step: int) -> torch.Tensor:
        return params[RATE_PREFIX + name]
