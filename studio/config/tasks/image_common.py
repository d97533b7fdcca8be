"""Settings shared by the image-classification task families (``glyphs``, ``image_folder``).

Not a family itself (nothing is registered here): each N-way K-shot episode
draws ``ways`` classes from one split, ``shots`` support and ``queries`` query
images per class, and labels the classes 0..ways-1 in a random order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.fields import param
from studio.config.sections import TaskConfig


@dataclass(frozen=True)
class ImageTaskConfig(TaskConfig):
    """N-way K-shot classification of small images; classes split into meta-train, validation and test."""

    tasks_are: ClassVar[str | None] = "classification"
    input_kind: ClassVar[str] = "image"
    ways: int = param(5, "Ways", "Classes per task (N of N-way).", minimum=2, maximum=1000)
    shots: int = param(1, "Shots", "Support images per class (K of K-shot).", minimum=1, maximum=1000)
    queries: int = param(5, "Queries", "Query images per class used to score adaptation.", minimum=1, maximum=1000)
    image_size: int = param(
        28, "Image size", "Images are resized to this many pixels square.", minimum=8, maximum=512, step=4
    )
    rotations: bool = param(
        False,
        "Rotation classes",
        "Add each meta-train class turned by 90, 180 and 270 degrees as three new classes (the Omniglot convention).",
    )
    validation_fraction: float = param(
        0.1,
        "Validation classes",
        "Share of the classes held out for the evaluation during training.",
        minimum=0.0,
        exclusive_minimum=True,
        maximum=0.9,
        step=0.05,
    )
    test_fraction: float = param(
        0.2,
        "Test classes",
        "Share of the classes held out for 'studio eval'.",
        minimum=0.0,
        exclusive_minimum=True,
        maximum=0.9,
        step=0.05,
    )
    split_seed: int = param(
        0,
        "Split seed",
        "Seeds which classes go to meta-train, validation and test.",
        minimum=0,
        maximum=2**31 - 1,
        advanced=True,
    )
