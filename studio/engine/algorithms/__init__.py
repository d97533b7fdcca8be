"""Meta-learning algorithms, one module each, named as a preset names them."""

from __future__ import annotations

from torch import nn

from studio.config import AlgorithmConfig
from studio.engine.algorithms.base import MetaLearner, Params
from studio.engine.registry import LEARNERS


def build_learner(config: AlgorithmConfig, model: nn.Module, kind: str) -> MetaLearner:
    """The learner for a preset's ``[algorithm]`` section on tasks of ``kind``."""
    return LEARNERS.get(config.name)(config, model, kind)


def algorithm_names() -> list[str]:
    return LEARNERS.names()


__all__ = ["MetaLearner", "Params", "algorithm_names", "build_learner"]
