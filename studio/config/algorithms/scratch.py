"""Baseline: a freshly initialised network fine-tuned on each task's support set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.algorithms.pretrain import FineTuneConfig
from studio.config.registry import ALGORITHMS


@ALGORITHMS.register("scratch")
@dataclass(frozen=True)
class ScratchAlgorithm(FineTuneConfig):
    name: str = "scratch"
    label: ClassVar[str] = "From scratch (baseline)"
