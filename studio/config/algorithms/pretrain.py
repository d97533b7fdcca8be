"""The conventional baselines' settings: fine-tuning on each task's support set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.algorithms.maml import InnerLoopConfig, inner_lr_param, inner_steps_param
from studio.config.fields import param
from studio.config.registry import ALGORITHMS
from studio.config.sections import pretrain_head_param


@dataclass(frozen=True)
class FineTuneConfig(InnerLoopConfig):
    """A baseline adapts to a task by plain SGD fine-tuning on its support set."""

    # any N at test time: the network's head never learns across tasks, so each test task gets a new head of its
    # own size (studio/engine/algorithms/finetune.py)
    any_ways: ClassVar[bool] = True

    inner_lr: float = inner_lr_param(
        0.01, "Fine-tuning rate", "SGD step size when fine-tuning on a task's support set."
    )
    inner_steps: int = inner_steps_param(
        1, "Fine-tuning steps", "SGD steps on the support set per task when evaluating."
    )


@ALGORITHMS.register("pretrain")
@dataclass(frozen=True)
class PretrainAlgorithm(FineTuneConfig):
    name: str = "pretrain"
    label: ClassVar[str] = "Pretrain, then fine-tune (baseline)"
    head: str = pretrain_head_param()
    cosine_scale: float = param(
        10.0,
        "Cosine scale",
        "Baseline++: cosine similarities are multiplied by this before the softmax (its starting value when learned).",
        minimum=0.0,
        exclusive_minimum=True,
        maximum=1000.0,
        step=0.5,
        advanced=True,
    )
    learn_scale: bool = param(
        False,
        "Learn cosine scale",
        "Baseline++: learn the scale during pretraining (else it stays fixed).",
        advanced=True,
    )
