"""ANIL, Almost No Inner Loop (Raghu, Raghu, Bengio and Vinyals, ICLR 2020; arXiv 2019).

Raghu et al. found that MAML's rapid learning is mostly feature reuse, and
that adapting only the network's head loses nothing.  With theta = (body,
head), ANIL's inner loop adapts the head alone on each task's support set,

    head_i' = head - alpha * grad_head L_support_i(body, head)          (`adapt`)

and the outer loop meta-learns both, differentiating through the inner loop:

    (body, head) <- (body, head) - beta * grad sum_i L_query_i(body, head_i')   (`meta_step`)

so the body is learned by the outer loop only.  The inner loop backpropagates
through the head alone, which makes it much cheaper than MAML's.  It is MAML
with ``adapt_layers = ["head"]``; learned per-step rates (``learn_inner_lr``)
and first-order updates work as for MAML.
"""

from __future__ import annotations

from studio.engine.algorithms.maml import Maml
from studio.engine.registry import LEARNERS


@LEARNERS.register("anil")
class Anil(Maml):
    description = "ANIL (Raghu et al. 2019): MAML that adapts only the head; the body is meta-learned."
