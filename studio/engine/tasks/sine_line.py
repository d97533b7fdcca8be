"""Sinusoids or lines, the multimodal regression of PLATIPUS (Finn, Xu and Levine 2018).

A task is a line y = slope x + intercept with probability ``line_fraction``,
otherwise a sinusoid y = A sin(x - phase); which one is hidden from the learner.
"""

from __future__ import annotations

import torch

from studio.config.tasks.sine_line import SineLineTask
from studio.engine.registry import FAMILIES
from studio.engine.tasks.base import RegressionFamily, uniform


@FAMILIES.register("sine_line")
class SineLine(RegressionFamily):
    config: SineLineTask

    def sample_params(self, n_tasks: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
        cfg = self.config
        return {
            "is_line": (torch.rand(n_tasks, generator=generator) < cfg.line_fraction).float(),
            "amplitude": uniform(generator, cfg.amplitude, n_tasks),
            "phase": uniform(generator, cfg.phase, n_tasks),
            "slope": uniform(generator, cfg.slope, n_tasks),
            "intercept": uniform(generator, cfg.intercept, n_tasks),
        }

    def target(self, params: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        p = {k: v.view(-1, *[1] * (x.dim() - 1)) for k, v in params.items()}
        line = p["slope"] * x + p["intercept"]
        sine = p["amplitude"] * torch.sin(x - p["phase"])
        return torch.where(p["is_line"] > 0.5, line, sine)
