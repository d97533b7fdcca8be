"""MAML and first-order MAML (Finn et al. 2017)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.fields import param
from studio.config.registry import ALGORITHMS
from studio.config.sections import AlgorithmConfig


def inner_lr_param(
    default: float = 0.01, label: str = "Inner learning rate", help: str = "SGD step size of the inner loop (alpha)."
) -> float:
    """The inner step size field; algorithms that read it differently change its default and wording."""
    return param(default, label, help, minimum=0.0, exclusive_minimum=True, maximum=100.0, step=0.001)


def inner_steps_param(
    default: int = 1, label: str = "Inner steps", help: str = "Gradient steps on the support set per task."
) -> int:
    return param(default, label, help, minimum=1, maximum=1000)


def checkpoint_inner_loop_param() -> bool:
    """Recomputing the inner loop in the backward pass: second-order memory that does not grow with inner steps."""
    return param(
        False,
        "Recompute inner loop",
        "Keep only each inner step's weights and recompute its graph in the backward pass (activation "
        "checkpointing): second-order memory no longer grows with inner steps, for about one more forward and "
        "backward pass per step; tasks then run one at a time. Exact: the same meta-gradient.",
        advanced=True,
    )


@dataclass(frozen=True)
class InnerLoopConfig(AlgorithmConfig):
    """Settings shared by algorithms that adapt by gradient steps."""

    inner_lr: float = inner_lr_param()
    inner_steps: int = inner_steps_param()
    adapt_layers: tuple[str, ...] = param(
        (),
        "Adapted layers",
        "Layer groups the inner loop adapts (e.g. 0, 2, 4 for the MLP; head; body; -1); empty adapts every layer.",
        advanced=True,
    )


@ALGORITHMS.register("maml")
@dataclass(frozen=True)
class MamlAlgorithm(InnerLoopConfig):
    name: str = "maml"
    label: ClassVar[str] = "MAML"
    first_order: bool = param(False, "First order", "Drop second derivatives (FOMAML): cheaper, usually close.")
    learn_inner_lr: bool = param(
        False,
        "Learn inner rates",
        "Meta-learn one inner learning rate per adapted layer and step, starting at the inner learning rate "
        "(MAML++ LSLR, Antoniou et al. 2019).",
        advanced=True,
    )
    checkpoint_inner_loop: bool = checkpoint_inner_loop_param()
