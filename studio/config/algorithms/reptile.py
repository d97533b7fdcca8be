"""Reptile (Nichol, Achiam and Schulman 2018)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.algorithms.maml import InnerLoopConfig, inner_lr_param, inner_steps_param
from studio.config.fields import param
from studio.config.registry import ALGORITHMS

INNER_OPTIMIZERS = ("sgd", "adam")


@ALGORITHMS.register("reptile")
@dataclass(frozen=True)
class ReptileAlgorithm(InnerLoopConfig):
    name: str = "reptile"
    label: ClassVar[str] = "Reptile"
    paper_batch_norm = "support"  # Nichol et al.'s code evaluates non-transductively unless asked
    inner_lr: float = inner_lr_param(0.01, help="Step size of the inner optimizer on each task's support set.")
    inner_steps: int = inner_steps_param(8, help="Optimizer steps on the support set per task (k).")
    inner_optimizer: str = param(
        "sgd", "Inner optimizer", "SGD, or Adam with beta1 = 0 as in the paper.", choices=INNER_OPTIMIZERS
    )
    outer_step: float = param(
        1.0,
        "Outer step size",
        "epsilon in theta <- theta + epsilon (mean adapted - theta); replaces the training meta learning rate.",
        minimum=0.0,
        exclusive_minimum=True,
        maximum=10.0,
        step=0.01,
    )
    anneal: bool = param(True, "Anneal outer step", "Decrease epsilon linearly to 0 over the training iterations.")
