"""A closed-form ridge-regression head on learned features (R2-D2, Bertinetto et al. 2019)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.fields import param
from studio.config.registry import ALGORITHMS
from studio.config.sections import AlgorithmConfig


@ALGORITHMS.register("ridge_head")
@dataclass(frozen=True)
class RidgeHeadAlgorithm(AlgorithmConfig):
    name: str = "ridge_head"
    label: ClassVar[str] = "Ridge head (R2-D2)"
    any_ways = True
    paper_batch_norm = "support"  # MetaOptNet evaluates its network in eval mode (running statistics)
    init_lambda: float = param(
        1.0,
        "Initial regularisation",
        "Ridge penalty lambda at the start; it is meta-learned (as log lambda).",
        minimum=0.0,
        exclusive_minimum=True,
        maximum=1e6,
        step=0.1,
    )
    init_scale: float = param(
        1.0,
        "Initial output scale",
        "Scale applied to the head's outputs at the start; meta-learned with an output offset.",
        minimum=0.0,
        exclusive_minimum=True,
        maximum=1e6,
        step=0.1,
    )
