"""Sinusoid regression (Finn et al. 2017): y = A sin(x - phase)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from studio.config.fields import param
from studio.config.registry import TASKS
from studio.config.sections import TaskConfig


@TASKS.register("sinusoid")
@dataclass(frozen=True)
class SinusoidTask(TaskConfig):
    family: str = "sinusoid"
    amplitude: tuple[float, float] = param(
        (0.1, 5.0),
        "Amplitude",
        "Range A is drawn from, uniformly.",
        is_range=True,
        minimum=0.0,
        maximum=1000.0,
        step=0.1,
    )
    phase: tuple[float, float] = param(
        (0.0, math.pi), "Phase", "Range of the phase, radians.", is_range=True, minimum=-100.0, maximum=100.0, step=0.05
    )
    x_range: tuple[float, float] = param(
        (-5.0, 5.0),
        "Input range",
        "Range x is drawn from, uniformly.",
        is_range=True,
        minimum=-1000.0,
        maximum=1000.0,
        step=0.5,
    )
    noise_std: float = param(
        0.0, "Noise", "Standard deviation of Gaussian noise added to y.", minimum=0.0, maximum=100.0, step=0.05
    )
