"""Settings several regression families share, declared once."""

from __future__ import annotations

import math
from typing import Any

from studio.config.fields import param, range_param


def x_range(default: tuple[float, float] = (-5.0, 5.0)) -> Any:
    return range_param(default, "Input range", "Range x is drawn from, uniformly.", step=0.5)


def noise() -> Any:
    return param(
        0.0, "Noise", "Standard deviation of Gaussian noise added to y.", minimum=0.0, maximum=100.0, step=0.05
    )


def amplitude(help: str = "Range A is drawn from, uniformly.") -> Any:
    return range_param((0.1, 5.0), "Amplitude", help, minimum=0.0)


def phase(default: tuple[float, float] = (0.0, math.pi), help: str = "Range of the phase, radians.") -> Any:
    return range_param(default, "Phase", help, minimum=-100.0, maximum=100.0, step=0.05, angle=True)
