"""MAML and first-order MAML (Finn et al. 2017)."""

from __future__ import annotations

from dataclasses import dataclass

from studio.config.fields import param
from studio.config.registry import ALGORITHMS
from studio.config.sections import AlgorithmConfig


@dataclass(frozen=True)
class InnerLoopConfig(AlgorithmConfig):
    """Settings shared by algorithms that adapt by gradient steps."""

    inner_lr: float = param(
        0.01,
        "Inner learning rate",
        "SGD step size of the inner loop (alpha).",
        minimum=0.0,
        exclusive_minimum=True,
        maximum=100.0,
        step=0.001,
    )
    inner_steps: int = param(1, "Inner steps", "Gradient steps on the support set per task.", minimum=1, maximum=1000)


@ALGORITHMS.register("maml")
@dataclass(frozen=True)
class MamlAlgorithm(InnerLoopConfig):
    name: str = "maml"
    first_order: bool = param(False, "First order", "Drop second derivatives (FOMAML): cheaper, usually close.")
