"""Sinusoid regression (Finn et al. 2017): y = A sin(x - phase)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.registry import TASKS
from studio.config.sections import TaskConfig
from studio.config.tasks._common import amplitude, noise, phase, x_range


@TASKS.register("sinusoid")
@dataclass(frozen=True)
class SinusoidTask(TaskConfig):
    family: str = "sinusoid"
    label: ClassVar[str] = "Sinusoids"
    amplitude: tuple[float, float] = amplitude()
    phase: tuple[float, float] = phase()
    x_range: tuple[float, float] = x_range()
    noise_std: float = noise()
