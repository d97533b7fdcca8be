"""Model-Agnostic Meta-Learning (Finn, Abbeel and Levine, ICML 2017).

For each task i of a meta-batch, adapt the initialisation theta by gradient
descent on the task's support set,

    theta_i' = theta - alpha * grad_theta L_support_i(theta)      (inner loop, `adapt`)

then update theta with the gradient of the query losses of the adapted
parameters, differentiating through the inner loop:

    theta <- theta - beta * grad_theta sum_i L_query_i(theta_i')   (outer loop, `meta_step`)

``first_order = true`` is first-order MAML (Section 5.2 of the paper): the
inner-loop gradient is treated as a constant, which drops the second
derivatives, so the meta-gradient is the query gradient at theta_i'.

``learn_inner_lr = true`` adds MAML++'s learned per-layer, per-step inner
learning rates (LSLR, Antoniou et al., ICLR 2019): step k of the inner loop
updates layer group l with its own meta-learned rate alpha_{l,k},

    theta_l <- theta_l - alpha_{l,k} * grad_{theta_l} L_support,

and the rates are meta-parameters (``lslr.<group>``, one entry per step) that
the outer loop updates with theta.  ``adapt_layers`` restricts the inner loop
to some layer groups (ANIL is the head alone).

The meta-batch is computed at once: each task's adapted weights are stacked
on a leading task axis, the tasks' losses come from ``torch.func.vmap`` over
``functional_call``, and one ``torch.autograd.grad`` of their sum gives every
task's inner gradient (studio/engine/algorithms/gradient.py).
"""

from __future__ import annotations

import torch
from torch import nn

from studio.config.algorithms.maml import MamlAlgorithm
from studio.engine.algorithms.base import Params
from studio.engine.algorithms.gradient import GradientLearner
from studio.engine.algorithms.layers import layer_group
from studio.engine.registry import LEARNERS

LSLR_PREFIX = "lslr."


@LEARNERS.register("maml")
class Maml(GradientLearner):
    description = "MAML (Finn et al. 2017): learn an initialisation that adapts in a few gradient steps."

    def __init__(self, config: MamlAlgorithm, model: nn.Module, kind: str):
        super().__init__(config, model, kind)
        self.first_order = config.first_order
        self.learn_inner_lr = config.learn_inner_lr

    def init_parameters(self) -> Params:
        """theta, plus one learned rate per adapted layer group and inner step when ``learn_inner_lr``."""
        params = super().init_parameters()
        if self.learn_inner_lr:
            steps, reference = self.config.inner_steps, next(iter(params.values()))
            for group in dict.fromkeys(layer_group(name) for name in self.fast_names):
                rates = torch.full((steps,), self.config.inner_lr, dtype=reference.dtype, device=reference.device)
                params[LSLR_PREFIX + group] = rates.requires_grad_(True)
        return params

    def inner_lr(self, params: Params, name: str, step: int) -> torch.Tensor | float:
        """alpha, or the learned alpha_{l,k} (steps past those trained reuse the last step's rate)."""
        if not self.learn_inner_lr:
            return self.config.inner_lr
        rates = params[LSLR_PREFIX + layer_group(name)]
        return rates[min(step, rates.shape[0] - 1)]
