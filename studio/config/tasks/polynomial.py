"""Random polynomials: y = sum_k c_k x^k up to a degree drawn per task."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.fields import range_param
from studio.config.registry import TASKS
from studio.config.sections import TaskConfig
from studio.config.tasks._common import noise, x_range


@TASKS.register("polynomial")
@dataclass(frozen=True)
class PolynomialTask(TaskConfig):
    family: str = "polynomial"
    label: ClassVar[str] = "Polynomials"
    degree: tuple[int, int] = range_param(
        (1, 3), "Degree", "Range of each task's degree (inclusive).", minimum=0, maximum=20, step=1
    )
    coefficient: tuple[float, float] = range_param(
        (-1.0, 1.0), "Coefficients", "Range every coefficient is drawn from."
    )
    x_range: tuple[float, float] = x_range((-2.0, 2.0))
    noise_std: float = noise()
