"""Attention over the support set with a learned bilinear score (Matching Networks, Vinyals et al. 2016)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.fields import param
from studio.config.registry import ALGORITHMS
from studio.config.sections import AlgorithmConfig


@ALGORITHMS.register("attention")
@dataclass(frozen=True)
class AttentionAlgorithm(AlgorithmConfig):
    name: str = "attention"
    label: ClassVar[str] = "Attention (Matching Networks)"
    any_ways = True
    paper_batch_norm = "support"  # each query is matched against the support set alone
    init_scale: float = param(
        10.0,
        "Initial sharpness",
        "W_a starts as this multiple of the identity: larger attends to fewer, nearer support examples.",
        minimum=0.0,
        exclusive_minimum=True,
        maximum=1e6,
        step=1.0,
    )
