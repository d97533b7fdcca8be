"""Meta-learning algorithms, one module each, named as a preset names them."""

from __future__ import annotations

from torch import nn

from studio.config import AlgorithmConfig
from studio.engine.algorithms.base import MetaLearner, Params
from studio.engine.registry import LEARNERS


def build_learner(config: AlgorithmConfig, model: nn.Module, kind: str, shared_classes: int = 0) -> MetaLearner:
    """The learner for a preset's ``[algorithm]`` section on tasks of ``kind``.

    ``shared_classes`` is the family's count of classes that recur across training tasks
    (``TaskFamily.shared_classes``), for learners that train on them (``uses_shared_classes``).
    """
    learner = LEARNERS.get(config.name)
    if learner.uses_shared_classes:
        return learner(config, model, kind, shared_classes=shared_classes)
    return learner(config, model, kind)


def algorithm_names() -> list[str]:
    return LEARNERS.names()


__all__ = ["MetaLearner", "Params", "algorithm_names", "build_learner"]
