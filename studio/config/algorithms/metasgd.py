"""Meta-SGD (Li et al. 2017): a learned inner learning rate for every parameter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.algorithms.maml import InnerLoopConfig, checkpoint_inner_loop_param, inner_lr_param
from studio.config.fields import param
from studio.config.registry import ALGORITHMS


@ALGORITHMS.register("metasgd")
@dataclass(frozen=True)
class MetaSgdAlgorithm(InnerLoopConfig):
    name: str = "metasgd"
    label: ClassVar[str] = "Meta-SGD"
    inner_lr: float = inner_lr_param(
        0.01, "Initial inner rates", "Every parameter's learned inner learning rate (alpha) starts at this value."
    )
    first_order: bool = param(False, "First order", "Drop second derivatives through the inner step.")
    checkpoint_inner_loop: bool = checkpoint_inner_loop_param()
