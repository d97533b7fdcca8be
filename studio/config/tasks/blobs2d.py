"""2-D classification tasks: ``ways`` Gaussian blobs at random centres."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.fields import param
from studio.config.registry import TASKS
from studio.config.sections import TaskConfig


@TASKS.register("blobs2d")
@dataclass(frozen=True)
class Blobs2dTask(TaskConfig):
    family: str = "blobs2d"
    label: ClassVar[str] = "2-D blobs"
    tasks_are: ClassVar[str | None] = "classification"
    shots: int = param(5, "Shots", "Support points per class.", minimum=1, maximum=10_000)
    queries: int = param(15, "Queries", "Query points per class.", minimum=1, maximum=10_000)
    ways: int = param(3, "Ways", "Classes per task.", minimum=2, maximum=100)
    center_range: tuple[float, float] = param(
        (-3.0, 3.0),
        "Centre range",
        "Range each coordinate of a class centre is drawn from.",
        is_range=True,
        minimum=-1000.0,
        maximum=1000.0,
        step=0.5,
    )
    spread: float = param(
        0.7, "Spread", "Standard deviation of each blob.", minimum=0.0, exclusive_minimum=True, maximum=100.0, step=0.05
    )
