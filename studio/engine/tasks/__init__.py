"""Task families: each module samples batches of tasks for one ``task.family``."""

from __future__ import annotations

from studio.config import TaskConfig
from studio.engine.registry import FAMILIES
from studio.engine.tasks.base import SPLITS, TaskBatch, TaskFamily


def build_family(config: TaskConfig, splits: tuple[str, ...] = SPLITS) -> TaskFamily:
    """The sampler for a preset's ``[task]`` section, checked to give tasks of ``splits``.

    Only the splits that will be drawn are checked: evaluating 20-way on the test classes must not
    fail because the validation split has fewer than 20 classes.
    """
    family = FAMILIES.get(config.family)(config)
    family.check_splits(splits)
    return family


__all__ = ["TaskBatch", "TaskFamily", "build_family"]
