"""Harmonic regression (Lacoste et al. 2018): y = a1 sin(w x + b1) + a2 sin(2 w x + b2)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from studio.config.fields import param, range_param
from studio.config.registry import TASKS
from studio.config.sections import TaskConfig
from studio.config.tasks._common import noise, phase


@TASKS.register("harmonic")
@dataclass(frozen=True)
class HarmonicTask(TaskConfig):
    family: str = "harmonic"
    label: ClassVar[str] = "Harmonics (two sines)"
    frequency: tuple[float, float] = range_param(
        (5.0, 7.0), "Frequency", "Range the base frequency w is drawn from.", minimum=0.0
    )
    amplitude_std: float = param(
        1.0, "Amplitude spread", "a1 and a2 are drawn from N(0, spread^2).", minimum=0.0, maximum=1000.0, step=0.1
    )
    phase: tuple[float, float] = phase((0.0, 2 * math.pi), "Range b1 and b2 are drawn from, radians.")
    x_center: tuple[float, float] = range_param(
        (-4.0, 4.0), "Input centre", "Range of each task's input mean mu_x.", step=0.5
    )
    x_std: float = param(
        1.0,
        "Input spread",
        "Inputs are drawn from N(mu_x, spread^2).",
        minimum=0.0,
        exclusive_minimum=True,
        maximum=1000.0,
        step=0.1,
    )
    noise_std: float = noise()
