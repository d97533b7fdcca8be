"""The sinusoid-or-line mixture of PLATIPUS (Finn, Xu and Levine 2018)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.fields import param, range_param
from studio.config.registry import TASKS
from studio.config.sections import TaskConfig
from studio.config.tasks._common import amplitude, noise, phase, x_range


@TASKS.register("sine_line")
@dataclass(frozen=True)
class SineLineTask(TaskConfig):
    family: str = "sine_line"
    label: ClassVar[str] = "Sinusoids or lines"
    line_fraction: float = param(
        0.5,
        "Fraction of lines",
        "Share of tasks that are lines; the rest are sinusoids.",
        minimum=0.0,
        maximum=1.0,
        step=0.05,
    )
    amplitude: tuple[float, float] = amplitude("Range of a sinusoid's amplitude.")
    phase: tuple[float, float] = phase(help="Range of a sinusoid's phase, radians.")
    slope: tuple[float, float] = range_param((-3.0, 3.0), "Slope", "Range of a line's slope.")
    intercept: tuple[float, float] = range_param((-3.0, 3.0), "Intercept", "Range of a line's intercept.")
    x_range: tuple[float, float] = x_range()
    noise_std: float = noise()
