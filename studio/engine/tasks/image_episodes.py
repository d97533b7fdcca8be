"""N-way K-shot episodes drawn from a set of labelled images (the base of ``glyphs`` and ``image_folder``).

The images of every class are stored once (:class:`ImageStore`); the classes
are split into disjoint meta-train, validation and test lists; an episode
(a task) picks ``ways`` classes of one split, ``shots + queries`` distinct
images of each, and labels the classes 0..ways-1 in a random order, so a label
means nothing across tasks; ``params["global_classes"]`` says which class of the
split each label is (its index among the split's classes, rotated copies counted
as classes of their own).  Support and query sets are shuffled too, so labels
never come sorted.  With ``rotations`` each meta-train class also appears
turned by 90, 180 and 270 degrees as three more classes (Santoro et al. 2016;
Finn et al. 2017 on Omniglot).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from studio.config import ConfigError
from studio.config.tasks.image_common import ImageTaskConfig
from studio.engine.tasks.base import SPLITS, TaskBatch, TaskFamily

SPLIT_WORDS = {"train": "meta-train", "validation": "validation", "test": "test"}


@dataclass
class ImageStore:
    """Images of all classes, class-major: class c owns rows ``starts[c] : starts[c] + counts[c]``.

    ``pixels`` is uint8 (images, channels, size, size) when cached in memory;
    otherwise ``read`` loads the given rows from disk as such a tensor.
    ``mean`` and ``std`` (per channel, on the 0..1 scale) normalise the pixels.
    """

    names: list[str]
    starts: torch.Tensor
    counts: torch.Tensor
    channels: int
    size: int
    mean: torch.Tensor
    std: torch.Tensor
    pixels: torch.Tensor | None = None
    read: Callable[[torch.Tensor], torch.Tensor] | None = None

    def take(self, rows: torch.Tensor) -> torch.Tensor:
        """Normalised float32 images at ``rows`` (any shape): shape ``rows.shape + (C, H, W)``."""
        raw = self.pixels[rows] if self.pixels is not None else self.read(rows)
        scale = raw.float() / 255
        view = (-1, 1, 1)
        return (scale - self.mean.view(view)) / self.std.view(view)

    def display(self, images: torch.Tensor) -> torch.Tensor:
        """Undo the normalisation: pixels in [0, 1], same shape."""
        view = (-1, 1, 1)
        return (images.detach().cpu().float() * self.std.view(view) + self.mean.view(view)).clamp(0, 1)


def split_by_fraction(names: list[str], seed: int, fraction: float, total: int) -> tuple[list[str], list[str]]:
    """A seeded share (``round(fraction * total)`` names) of ``names``, and the rest; both keep sorted order."""
    order = sorted(names)
    perm = torch.randperm(len(order), generator=torch.Generator().manual_seed(seed)).tolist()
    count = min(len(order), round(fraction * total))
    chosen = {order[i] for i in perm[:count]}
    return [n for n in order if n in chosen], [n for n in order if n not in chosen]


def fraction_splits(names: list[str], config: ImageTaskConfig) -> dict[str, list[str]]:
    """Seeded, disjoint train/validation/test lists of class names by ``test_fraction`` and ``validation_fraction``."""
    test, rest = split_by_fraction(names, config.split_seed, config.test_fraction, len(names))
    validation, train = split_by_fraction(rest, config.split_seed + 1, config.validation_fraction, len(names))
    return {"train": train, "validation": validation, "test": test}


class ImageEpisodes(TaskFamily):
    """Base class: a subclass builds the :class:`ImageStore` and the class splits, then calls :meth:`setup`."""

    kind = "classification"
    config: ImageTaskConfig
    source_path = "task"  # the field named in errors about too few classes
    count_path = "task"  # ... and where the classes found are too small
    unreadable = ""  # what the source said about files it could not read: part of a too-few-classes error

    def setup(self, store: ImageStore, splits: dict[str, list[str]]) -> None:
        """Keep the classes of each split that have ``shots + queries`` images (:meth:`check_splits` counts them)."""
        self.store = store
        self.image_shape = (store.channels, store.size, store.size)
        self.input_dim = store.channels * store.size * store.size  # conv4 reads (C, H, W) back from this
        self.output_dim = self.config.ways
        index = {name: i for i, name in enumerate(store.names)}
        self.classes: dict[str, torch.Tensor] = {}
        self.found = {split: len(splits[split]) for split in SPLITS}
        for split in SPLITS:
            usable = self._drop_small(split, splits[split], index)
            self.classes[split] = torch.tensor([index[n] for n in usable], dtype=torch.long)

    def check_splits(self, splits: tuple[str, ...]) -> None:
        """Each of ``splits`` must have ``ways`` usable classes."""
        for split in splits:
            self._check_enough(split, self.found[split], len(self.classes[split]))

    def _drop_small(self, split: str, names: list[str], index: dict[str, int]) -> list[str]:
        needed = self.config.shots + self.config.queries
        counts = {n: int(self.store.counts[index[n]]) for n in names}
        small = [n for n in names if counts[n] < needed]
        if small:
            shown = ", ".join(f"{n} ({counts[n]})" for n in small[:3]) + (", ..." if len(small) > 3 else "")
            self.notices.append(
                f"{len(small)} {SPLIT_WORDS[split]} class(es) with fewer than shots + queries = {needed} images "
                f"left out: {shown}"
            )
        return [n for n in names if counts[n] >= needed]

    def _check_enough(self, split: str, found: int, usable: int) -> None:
        available = usable * self.rotation_factor(split)
        if available < self.config.ways:
            needed = self.config.shots + self.config.queries
            raise ConfigError.at(
                self.count_path if usable < found else self.source_path,
                f"the {SPLIT_WORDS[split]} split has {usable} usable class(es) (of {found}, each needing at least "
                f"shots + queries = {needed} images); {self.config.ways}-way tasks need at least {self.config.ways}. "
                "Add classes, lower task.ways, task.shots or task.queries, or change the split"
                + (f"; {self.unreadable}" if self.unreadable else ""),
            )

    def rotation_factor(self, split: str) -> int:
        return 4 if self.config.rotations and split == "train" else 1

    def sample(
        self, n_tasks: int, generator: torch.Generator, queries: int | None = None, split: str = "train"
    ) -> TaskBatch:
        """``n_tasks`` episodes of ``split``: x (T, ways * k, C, H, W), y (T, ways * k) int64 labels."""
        ways, shots = self.config.ways, self.config.shots
        per_class = shots + (queries or self.config.queries)
        chosen = self._pick_classes(n_tasks, split, generator)
        classes, turns = self._store_classes(chosen, split)
        rows = self._pick_rows(classes, per_class, generator)
        images = _rotate(self.store.take(rows), turns)  # (T, ways, per_class, C, H, W)
        labels = torch.arange(ways).view(1, ways, 1).expand(n_tasks, ways, per_class)
        support = _shuffled(images[:, :, :shots], labels[:, :, :shots], generator)
        query = _shuffled(images[:, :, shots:], labels[:, :, shots:], generator)
        return TaskBatch(*support, *query, params={"classes": classes, "rotation": turns, "global_classes": chosen})

    @property
    def shared_classes(self) -> int:
        """Meta-train classes, rotated copies included: the ids of ``params["global_classes"]`` in "train"."""
        return len(self.classes["train"]) * self.rotation_factor("train")

    def _pick_classes(self, n_tasks: int, split: str, gen: torch.Generator) -> torch.Tensor:
        """(T, ways) distinct classes of the split (rotated copies counted), in random order: label k is column k."""
        virtual = len(self.classes[split]) * self.rotation_factor(split)
        return torch.rand(n_tasks, virtual, generator=gen).argsort(dim=1)[:, : self.config.ways]

    def _store_classes(self, chosen: torch.Tensor, split: str) -> tuple[torch.Tensor, torch.Tensor]:
        """The store's class index of each chosen class, and its quarter turns."""
        pool = self.classes[split]
        return pool[chosen % len(pool)], chosen // len(pool)

    def _pick_rows(self, classes: torch.Tensor, per_class: int, gen: torch.Generator) -> torch.Tensor:
        """(T, ways, per_class) distinct image rows of each chosen class."""
        counts = self.store.counts[classes]
        keys = torch.rand(*classes.shape, int(counts.max()), generator=gen)
        keys = keys.masked_fill(torch.arange(keys.shape[-1]) >= counts[..., None], 2.0)  # past the end: never first
        return self.store.starts[classes][..., None] + keys.argsort(dim=-1)[..., :per_class]

    def display_images(self, images: torch.Tensor) -> torch.Tensor:
        """Normalised images back to pixels in [0, 1] (for drawing a task)."""
        return self.store.display(images)

    def class_names(self, classes: torch.Tensor) -> list[str]:
        """The names of store class indices (as in a batch's ``params["classes"]``)."""
        return [self.store.names[i] for i in classes.reshape(-1).tolist()]


def _rotate(images: torch.Tensor, turns: torch.Tensor) -> torch.Tensor:
    """Turn the images of each (task, class) by its number of quarter turns."""
    if not bool(turns.any()):
        return images
    images = images.clone()
    for k in (1, 2, 3):
        chosen = turns == k
        if bool(chosen.any()):
            images[chosen] = torch.rot90(images[chosen], k, dims=(-2, -1))
    return images


def _shuffled(images: torch.Tensor, labels: torch.Tensor, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """(T, ways, k, ...) to (T, ways * k, ...), each task's examples in a random order."""
    n_tasks = images.shape[0]
    flat_images = images.reshape(n_tasks, -1, *images.shape[3:])
    flat_labels = labels.reshape(n_tasks, -1)
    order = torch.rand(flat_labels.shape, generator=gen).argsort(dim=1)
    picked = flat_images[torch.arange(n_tasks)[:, None], order]
    return picked.contiguous(), flat_labels.gather(1, order).contiguous()
