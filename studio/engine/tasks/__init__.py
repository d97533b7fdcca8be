"""Task families: each module samples batches of tasks for one ``task.family``."""

from __future__ import annotations

from studio.config import TaskConfig
from studio.engine.registry import FAMILIES
from studio.engine.tasks.base import TaskBatch, TaskFamily


def build_family(config: TaskConfig) -> TaskFamily:
    """The sampler for a preset's ``[task]`` section."""
    return FAMILIES.get(config.family)(config)


__all__ = ["TaskBatch", "TaskFamily", "build_family"]
