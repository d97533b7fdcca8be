"""A differentiable closed-form ridge-regression head: R2-D2 (Bertinetto, Henriques, Torr and
Vedaldi, "Meta-learning with differentiable closed-form solvers", ICLR 2019), which is also the
ridge variant of MetaOptNet (Lee, Maji, Ravichandran and Soatto, CVPR 2019).

The network's body phi embeds a task's support set as X (n examples by d
features, plus a constant column for an intercept) with targets Y (regression
targets, or one-hot labels).  The inner loop (`adapt`) is ridge regression,
solved exactly and differentiably in whichever form is cheaper:

    W = (X^T X + lambda I)^-1 X^T Y     (primal, a d x d system: d <= n)
    W = X^T (X X^T + lambda I)^-1 Y     (dual, by the Woodbury identity, an n x n system: n < d)

and a query x is predicted as alpha * phi(x)^T W + beta.  The outer loop
(`meta_step`) meta-learns the body with lambda, alpha and beta (R2-D2's
learned regulariser and calibration) by backpropagating the query loss through
the solve.  Meta-parameters ``ridge.log_lambda``, ``ridge.scale`` and
``ridge.bias`` are saved in ``learner.safetensors``; the network's own last
layer is not used.
"""

from __future__ import annotations

import math

import torch

from studio.config.algorithms.ridge_head import RidgeHeadAlgorithm
from studio.engine.algorithms.base import Params
from studio.engine.algorithms.heads import SupportHeadLearner
from studio.engine.registry import LEARNERS


def ridge_solve(features: torch.Tensor, targets: torch.Tensor, lam: torch.Tensor | float) -> torch.Tensor:
    """argmin_W ||features W - targets||^2 + lam ||W||^2, in the primal or dual form, whichever is smaller."""
    n, d = features.shape
    if d <= n:
        gram = features.T @ features + lam * torch.eye(d, dtype=features.dtype, device=features.device)
        return torch.linalg.solve(gram, features.T @ targets)
    gram = features @ features.T + lam * torch.eye(n, dtype=features.dtype, device=features.device)
    return features.T @ torch.linalg.solve(gram, targets)


@LEARNERS.register("ridge_head")
class RidgeHead(SupportHeadLearner):
    description = "R2-D2 (Bertinetto et al. 2019): learned features with a closed-form ridge-regression head."
    config: RidgeHeadAlgorithm

    def init_parameters(self) -> Params:
        params = super().init_parameters()
        like = next(iter(params.values())).detach()
        start = {
            "ridge.log_lambda": math.log(self.config.init_lambda),
            "ridge.scale": self.config.init_scale,
            "ridge.bias": 0.0,
        }
        for name, value in start.items():
            params[name] = torch.tensor(value, dtype=like.dtype, device=like.device).requires_grad_(True)
        return params

    def design(self, params: Params, x: torch.Tensor) -> torch.Tensor:
        """phi(x) with a constant column appended, so the ridge solution has an intercept."""
        features = self.split.features(params, x)
        return torch.cat([features, torch.ones_like(features[:, :1])], dim=1)

    def predict(self, params: Params, xs: torch.Tensor, ys: torch.Tensor, xq: torch.Tensor) -> torch.Tensor:
        support, query = self.support_and_query(lambda x: self.design(params, x), xs, xq)
        weights = ridge_solve(support, self.targets(ys, support), params["ridge.log_lambda"].exp())
        return params["ridge.scale"] * (query @ weights) + params["ridge.bias"]
