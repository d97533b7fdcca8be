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

The meta-batch is computed at once with ``torch.func.vmap`` over a per-task
function built from ``grad`` and ``functional_call``.
"""

from __future__ import annotations

from torch import nn

from studio.config.algorithms.maml import MamlAlgorithm
from studio.engine.algorithms.base import GradientLearner
from studio.engine.registry import LEARNERS


@LEARNERS.register("maml")
class Maml(GradientLearner):
    description = "MAML (Finn et al. 2017): learn an initialisation that adapts in a few gradient steps."

    def __init__(self, config: MamlAlgorithm, model: nn.Module, kind: str):
        super().__init__(config, model, kind)
        self.first_order = config.first_order
