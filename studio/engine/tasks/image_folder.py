"""Your own images as N-way K-shot tasks: each folder of images below ``task.root`` is a class.

Classes are split into disjoint meta-train, validation and test lists (see
:func:`folder_splits`): by seeded fractions, by named subfolders (Omniglot's
``images_background`` / ``images_evaluation``), or with a second root for the
test classes.  Images are decoded once with Pillow, converted to grayscale or
RGB, resized to ``task.image_size`` and kept in memory as one uint8 tensor
when they fit in ``task.max_cache_mb`` (else read from disk for each task),
normalised by the set's mean and standard deviation.  Loaded sets are kept per
process, keyed by every file's path, size and modification time.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch

from studio.config import ConfigError
from studio.config.tasks.image_folder import ImageFolderTask
from studio.engine.registry import FAMILIES
from studio.engine.tasks.image_episodes import ImageEpisodes, ImageStore, split_by_fraction
from studio.engine.tasks.image_files import (
    UNREADABLE,
    ImageClass,
    find_classes,
    fingerprint,
    load_image,
    skipped_notice,
)

CACHED_SETS = 4
_loaded: OrderedDict[tuple, tuple[ImageStore, list[str]]] = OrderedDict()
TEST_PREFIX = "test_root:"  # names of classes that come from task.test_root


@FAMILIES.register("image_folder")
class ImageFolder(ImageEpisodes):
    config: ImageFolderTask
    source_path = "task.root"
    count_path = "task.root"

    def __init__(self, config: ImageFolderTask):
        super().__init__(config)
        root = Path(config.root).expanduser()
        classes = find_classes(root, "task.root")
        test_classes = find_classes(Path(config.test_root).expanduser(), "task.test_root") if config.test_root else []
        splits = folder_splits(root, classes, test_classes, config)
        self._check_disjoint(classes, test_classes, splits)
        self._note_unused(classes, splits)
        chosen = {name for names in splits.values() for name in names}
        everything = classes + [ImageClass(TEST_PREFIX + c.name, c.folder, c.files) for c in test_classes]
        store, notices = cached_store([c for c in everything if c.name in chosen], config, root)
        self.notices += notices
        self.unreadable = next((n for n in notices if UNREADABLE in n), "")
        known = set(store.names)
        self.setup(store, {split: [n for n in names if n in known] for split, names in splits.items()})

    def _check_disjoint(self, classes: list[ImageClass], tests: list[ImageClass], splits: dict[str, list[str]]) -> None:
        folders = {c.name: c.folder.resolve() for c in classes} | {
            TEST_PREFIX + c.name: c.folder.resolve() for c in tests
        }
        owner: dict[Path, str] = {}
        for split, names in splits.items():
            for name in names:
                other = owner.setdefault(folders[name], split)
                if other != split:
                    raise ConfigError.at(
                        "task.test_root" if name.startswith(TEST_PREFIX) else "task.train_folders",
                        f"{folders[name]} is in both the {other} and the {split} classes; the splits must be disjoint",
                    )

    def _note_unused(self, classes: list[ImageClass], splits: dict[str, list[str]]) -> None:
        used = {name for names in splits.values() for name in names}
        unused = [c.name for c in classes if c.name not in used]
        if unused:
            self.notices.append(
                f"{len(unused)} class(es) under task.root are in none of the listed folders and are not used "
                f"(e.g. {unused[0]})"
            )


def folder_splits(
    root: Path, classes: list[ImageClass], test_classes: list[ImageClass], config: ImageFolderTask
) -> dict[str, list[str]]:
    """Class names of each split.

    Test: every class of ``test_root`` if given, else the classes under
    ``test_folders`` if given, else a ``test_fraction`` share.  Validation: the
    classes under ``validation_folders`` if given, else a ``validation_fraction`` share of the
    meta-train candidates.  Meta-train: the classes under ``train_folders`` if
    given, else all the rest.  Shares are of all of root's classes, seeded.
    """
    names = [c.name for c in classes]
    if config.test_root:
        test, pool = [TEST_PREFIX + c.name for c in test_classes], names
    elif config.test_folders:
        test = _under(root, names, config.test_folders, "task.test_folders")
        pool = [n for n in names if n not in set(test)]
    else:
        test, pool = split_by_fraction(names, config.split_seed, config.test_fraction, len(names))
    train = _under(root, pool, config.train_folders, "task.train_folders") if config.train_folders else pool
    if config.validation_folders:
        validation = _under(root, pool, config.validation_folders, "task.validation_folders")
        train = [n for n in train if n not in set(validation)]
    else:
        validation, train = split_by_fraction(train, config.split_seed + 1, config.validation_fraction, len(names))
    return {"train": train, "validation": validation, "test": test}


def _under(root: Path, names: list[str], folders: tuple[str, ...], field: str) -> list[str]:
    """The class names that are one of ``folders`` or lie below one (each folder must exist)."""
    prefixes = []
    for folder in folders:
        path = root / folder
        if not path.is_dir():
            raise ConfigError.at(field, f"{path}: no such folder below task.root")
        prefixes.append(Path(folder).as_posix().strip("/"))
    return [n for n in names if any(n == p or n.startswith(p + "/") for p in prefixes)]


def cached_store(classes: list[ImageClass], config: ImageFolderTask, root: Path) -> tuple[ImageStore, list[str]]:
    """The classes' images as an :class:`ImageStore` (loaded once per process) and what to tell the user."""
    key = (fingerprint(classes), tuple(c.name for c in classes), config.image_size, config.color, config.max_cache_mb)
    if key not in _loaded:
        _loaded[key] = load_store(classes, config, root)
        while len(_loaded) > CACHED_SETS:
            _loaded.popitem(last=False)
    _loaded.move_to_end(key)
    return _loaded[key]


def load_store(classes: list[ImageClass], config: ImageFolderTask, root: Path) -> tuple[ImageStore, list[str]]:
    """Decode every image; keep them in memory when they fit, else remember the files and read them per task."""
    channels = 1 if config.color == "grayscale" else 3
    files = sum(len(c.files) for c in classes)
    in_memory = files * channels * config.image_size**2 <= config.max_cache_mb * 2**20
    decoded = _Decoded(config.image_size, config.color, channels, keep_pixels=in_memory)
    for image_class in classes:
        decoded.add_class(image_class.files)
    store = decoded.store([c.name for c in classes])
    if not in_memory:
        store.read = _DiskReader(decoded.kept, config.image_size, config.color)
    notices = [skipped_notice(decoded.skipped, root)] if decoded.skipped else []
    return store, [*notices, _loaded_notice(store, len(decoded.kept), in_memory, root, config.color)]


def _loaded_notice(store: ImageStore, images: int, in_memory: bool, root: Path, color: str) -> str:
    megabytes = images * store.channels * store.size**2 / 2**20
    where = "in memory" if in_memory else "read from disk per task (over task.max_cache_mb)"
    return (
        f"{root}: {len(store.names)} classes, {images} images at {store.size}x{store.size} {color}, "
        f"{megabytes:.1f} MB {where}"
    )


class _Decoded:
    """Images decoded class by class: the readable files, per-class counts, pixel moments, maybe the pixels."""

    def __init__(self, size: int, color: str, channels: int, keep_pixels: bool):
        self.size, self.color, self.channels, self.keep_pixels = size, color, channels, keep_pixels
        self.kept: list[Path] = []
        self.skipped: list[Path] = []
        self.counts: list[int] = []
        self.pixels: list[np.ndarray] = []
        self.total, self.squares, self.values = np.zeros(channels), np.zeros(channels), 0

    def add_class(self, files: tuple[Path, ...]) -> None:
        count = 0
        for path in files:
            pixels = load_image(path, self.size, self.color)
            if pixels is None:
                self.skipped.append(path)
                continue
            self._add_moments(pixels)
            self.kept.append(path)
            count += 1
            if self.keep_pixels:
                self.pixels.append(pixels)
        self.counts.append(count)

    def _add_moments(self, pixels: np.ndarray) -> None:
        scaled = pixels.reshape(self.channels, -1) / 255.0
        self.total += scaled.sum(axis=1)
        self.squares += (scaled**2).sum(axis=1)
        self.values += scaled.shape[1]

    def store(self, names: list[str]) -> ImageStore:
        """The store (pixels in memory if kept), normalised by the per-channel mean and std of all pixels."""
        counts = torch.tensor(self.counts, dtype=torch.long)
        mean = self.total / max(self.values, 1)
        std = np.sqrt(np.maximum(self.squares / max(self.values, 1) - mean**2, 1e-6))
        store = ImageStore(
            names, torch.cumsum(counts, 0) - counts, counts, self.channels, self.size,
            torch.tensor(mean, dtype=torch.float32), torch.tensor(std, dtype=torch.float32),
        )  # fmt: skip
        if self.keep_pixels:
            shape = (0, self.channels, self.size, self.size)
            store.pixels = (
                torch.from_numpy(np.stack(self.pixels)) if self.pixels else torch.zeros(shape, dtype=torch.uint8)
            )
        return store


class _DiskReader:
    """Reads the images at given rows from disk (for sets too large to keep in memory)."""

    def __init__(self, files: list[Path], size: int, color: str):
        self.files, self.size, self.color = files, size, color

    def __call__(self, rows: torch.Tensor) -> torch.Tensor:
        flat = [self._read(self.files[row]) for row in rows.reshape(-1).tolist()]
        return torch.from_numpy(np.stack(flat)).view(*rows.shape, *flat[0].shape)

    def _read(self, path: Path) -> np.ndarray:
        pixels = load_image(path, self.size, self.color)
        if pixels is None:
            raise ConfigError.at("task.root", f"{path}: was readable when the run started but cannot be read now")
        return pixels
