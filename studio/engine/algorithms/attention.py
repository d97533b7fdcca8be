"""Attention over the support set: Matching Networks (Vinyals, Blundell, Lillicrap, Kavukcuoglu and
Wierstra, "Matching Networks for One Shot Learning", NeurIPS 2016) with a learned bilinear score.

The network's body embeds every example; embeddings h are L2-normalised, as
in the paper's cosine attention.  Adapting to a task (`adapt`) needs no
optimisation: a query x_i attends over the support set,

    A_ij = softmax_j(h_i^T W_a h_j),

and its prediction is the attention-weighted support targets, y_hat_i =
sum_j A_ij y_j (for classification, y_j one-hot, so y_hat_i is a distribution
over the classes and the loss its negative log-likelihood).  The outer loop
(`meta_step`) meta-learns the body and W_a (``attention.W``, saved in
``learner.safetensors``) by the query loss.  With W_a = s I and s growing, the
attention concentrates on the most similar support example: nearest-neighbour
prediction.  The network's own last layer is not used.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from studio.config.algorithms.attention import AttentionAlgorithm
from studio.engine.algorithms.base import Params
from studio.engine.algorithms.heads import SupportHeadLearner
from studio.engine.registry import LEARNERS

WEIGHT = "attention.W"
TINY = 1e-12  # keeps log-probabilities finite when attention puts no mass on a class


@LEARNERS.register("attention")
class Attention(SupportHeadLearner):
    description = "Matching Networks (Vinyals et al. 2016): attend over the support set with a learned bilinear score."
    config: AttentionAlgorithm

    def init_parameters(self) -> Params:
        params = super().init_parameters()
        like = next(iter(params.values())).detach()
        eye = torch.eye(self.split.feature_dim, dtype=like.dtype, device=like.device)
        params[WEIGHT] = (self.config.init_scale * eye).requires_grad_(True)
        return params

    def embed(self, params: Params, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.split.features(params, x), dim=-1)

    def attention(self, params: Params, xs: torch.Tensor, xq: torch.Tensor) -> torch.Tensor:
        """A (queries x support): each row is a distribution over the support examples."""
        support, query = self.support_and_query(lambda x: self.embed(params, x), xs, xq)
        scores = query @ params[WEIGHT] @ support.T
        return torch.softmax(scores, dim=-1)

    def predict(self, params: Params, xs: torch.Tensor, ys: torch.Tensor, xq: torch.Tensor) -> torch.Tensor:
        """Attention-weighted support targets; for classification, log class probabilities."""
        weights = self.attention(params, xs, xq)
        prediction = weights @ self.targets(ys, weights)
        return prediction.clamp_min(TINY).log() if self.kind == "classification" else prediction
