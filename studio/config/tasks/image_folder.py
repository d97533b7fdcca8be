"""Your own images: every folder under ``root`` that directly holds images is one class."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.fields import param
from studio.config.registry import TASKS
from studio.config.tasks.image_common import ImageTaskConfig

COLORS = ("grayscale", "rgb")


@TASKS.register("image_folder")
@dataclass(frozen=True)
class ImageFolderTask(ImageTaskConfig):
    """``root/class/*.png`` or ``root/alphabet/character/*.png`` (Omniglot); PNG, JPEG, BMP, GIF, TIFF."""

    family: str = "image_folder"
    label: ClassVar[str] = "Image folder (your images)"
    root: str = param(
        "", "Image folder", "Every folder below this one that directly holds images is one class.", is_path=True
    )
    color: str = param("grayscale", "Colour", "Load images as grayscale (1 channel) or RGB (3).", choices=COLORS)
    train_folders: tuple[str, ...] = param(
        (),
        "Meta-train folders",
        "Subfolders of the root whose classes are meta-train classes (e.g. images_background); "
        "empty: the classes left after validation and test.",
    )
    validation_folders: tuple[str, ...] = param(
        (), "Validation folders", "Subfolders whose classes are validation classes; empty: a share of the rest."
    )
    test_folders: tuple[str, ...] = param(
        (),
        "Test folders",
        "Subfolders whose classes are test classes (e.g. images_evaluation); empty: a share of the classes.",
    )
    test_root: str = param(
        "",
        "Separate test folder",
        "A second root whose classes are the test classes; the root then gives meta-train and validation only.",
        is_path=True,
    )
    max_cache_mb: int = param(
        4096,
        "Memory cache limit (MB)",
        "Images are kept in memory as one tensor up to this size; larger sets are read from disk per task.",
        minimum=0,
        maximum=1_000_000,
        advanced=True,
    )
