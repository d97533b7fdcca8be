"""The task a model is adapted to before export: a held-out task, a group of the preset's CSV, or a
folder of images of new classes (one subfolder per class).  Each becomes a :class:`SupportSet` in the
form the task family gives its own tasks (encoded features, normalised images), so adapting to it is
adapting as in training."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from studio.config import ConfigError, Preset
from studio.engine.heldout import heldout_tasks
from studio.engine.tasks import TaskFamily
from studio.engine.tasks.image_files import find_classes, load_image

MAX_HELDOUT_INDEX = 10_000


@dataclass(frozen=True)
class SupportSet:
    """Support examples (``x`` shaped as the family's inputs, ``y`` its targets) and, for a held-out task,
    its query set to score the adapted model on."""

    x: torch.Tensor
    y: torch.Tensor
    description: str
    query: tuple[torch.Tensor, torch.Tensor] | None = None
    class_names: tuple[str, ...] = ()


def heldout_support(preset: Preset, family: TaskFamily, index: int = 0) -> SupportSet:
    """Task ``index`` of the preset's test stream (the tasks ``studio eval`` scores; training never drew them)."""
    if not 0 <= index < MAX_HELDOUT_INDEX:
        raise ConfigError.at("task", f"held-out task index must be in 0..{MAX_HELDOUT_INDEX - 1}, got {index}")
    batch = heldout_tasks(preset, family, index + 1).select(slice(index, index + 1))
    query = (batch.x_query[0], batch.y_query[0])
    return SupportSet(batch.x_support[0], batch.y_support[0], f"held-out task {index}", query)


def csv_group_support(family: TaskFamily, group: str) -> SupportSet:
    """Every row of one group (a user, a store) of a ``tabular_csv`` preset's table, encoded as in training."""
    tensors = getattr(family, "tensors", None)
    if tensors is None:
        raise ConfigError.at("task", "a CSV group can only be chosen for a tabular_csv task family")
    if group not in tensors:
        shown = ", ".join(sorted(tensors)[:8])
        raise ConfigError.at("task", f"the table has no usable group '{group}' (groups include {shown})")
    x, y = tensors[group]
    return SupportSet(x, y, f"CSV group '{group}'")


def image_folder_support(family: TaskFamily, folder: str | Path) -> SupportSet:
    """Every image below ``folder``, one subfolder per class (sorted names are labels 0..N-1, any N >= 2;
    whether the model takes N classes is the learner's to say), resized and normalised with the training
    images' statistics."""
    store = getattr(family, "store", None)
    if store is None:
        raise ConfigError.at("task", "an image folder can only be used with an image-classification task family")
    classes = find_classes(Path(folder), "task")
    if len(classes) < 2:
        raise ConfigError.at("task", f"{folder}: has {len(classes)} class; a classifier needs at least 2")
    color = getattr(family.config, "color", "grayscale")
    images, labels = [], []
    for label, image_class in enumerate(classes):
        for path in image_class.files:
            pixels = load_image(path, store.size, color)
            if pixels is not None:
                images.append(pixels)
                labels.append(label)
    if set(labels) != set(range(len(classes))):
        raise ConfigError.at("task", f"{folder}: every class needs at least one readable image")
    raw = torch.from_numpy(np.stack(images)).float() / 255
    x = (raw - store.mean.view(-1, 1, 1)) / store.std.view(-1, 1, 1)
    names = tuple(c.name for c in classes)
    return SupportSet(x, torch.tensor(labels), f"image folder {folder}", class_names=names)
