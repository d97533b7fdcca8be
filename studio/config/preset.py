"""The preset: one frozen description of an experiment."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from studio.config.fields import param
from studio.config.registry import SECTIONS
from studio.config.sampling import SamplingConfig
from studio.config.sections import AlgorithmConfig, EvaluationConfig, ModelConfig, TaskConfig, TrainingConfig

SCHEMA_VERSION = 1


def _default(section: str) -> object:
    registry = SECTIONS[section]
    base = {"task": TaskConfig, "model": ModelConfig, "algorithm": AlgorithmConfig}[section]
    name = getattr(base(), registry.key)
    return registry.get(name)()


@dataclass(frozen=True)
class Preset:
    """An experiment: the task distribution, the model, the algorithm, the training."""

    name: str = param("Untitled experiment", "Name", "A short title for the experiment.")
    description: str = param("", "Description", "What the experiment is and where it comes from.")
    seed: int = param(0, "Seed", "Seeds the model, the tasks and the evaluation.", minimum=0, maximum=2**63 - 1)
    task: TaskConfig = field(default_factory=lambda: _default("task"))
    model: ModelConfig = field(default_factory=lambda: _default("model"))
    algorithm: AlgorithmConfig = field(default_factory=lambda: _default("algorithm"))
    training: TrainingConfig = field(default_factory=TrainingConfig)
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)
    sampling: SamplingConfig = field(default_factory=SamplingConfig)
    schema_version: int = SCHEMA_VERSION

    def replace(self, **changes: object) -> Preset:
        return dataclasses.replace(self, **changes)


SECTION_NAMES = ("task", "model", "algorithm", "training", "evaluation", "sampling")
FIXED_SECTIONS = {"training": TrainingConfig, "evaluation": EvaluationConfig, "sampling": SamplingConfig}
SCALAR_NAMES = ("schema_version", "name", "description", "seed")
