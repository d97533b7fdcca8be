"""Harmonic regression (Lacoste et al. 2018, "Uncertainty in multitask transfer learning").

y = a1 sin(w x + b1) + a2 sin(2 w x + b2), with w ~ U[frequency], a ~ N(0, s^2),
b ~ U[phase] and inputs x ~ N(mu_x, x_std^2), mu_x ~ U[x_center] per task.
"""

from __future__ import annotations

import torch

from studio.config.tasks.harmonic import HarmonicTask
from studio.engine.registry import FAMILIES
from studio.engine.tasks.base import RegressionFamily, uniform


@FAMILIES.register("harmonic")
class Harmonic(RegressionFamily):
    config: HarmonicTask

    def sample_params(self, n_tasks: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
        cfg = self.config
        return {
            "frequency": uniform(generator, cfg.frequency, n_tasks),
            "a1": cfg.amplitude_std * torch.randn(n_tasks, generator=generator),
            "a2": cfg.amplitude_std * torch.randn(n_tasks, generator=generator),
            "b1": uniform(generator, cfg.phase, n_tasks),
            "b2": uniform(generator, cfg.phase, n_tasks),
            "x_center": uniform(generator, cfg.x_center, n_tasks),
        }

    def sample_inputs(self, params: dict[str, torch.Tensor], points: int, generator: torch.Generator) -> torch.Tensor:
        center = params["x_center"].view(-1, 1, 1)
        return center + self.config.x_std * torch.randn(len(center), points, 1, generator=generator)

    def target(self, params: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        p = {k: v.view(-1, *[1] * (x.dim() - 1)) for k, v in params.items()}
        w = p["frequency"]
        return p["a1"] * torch.sin(w * x + p["b1"]) + p["a2"] * torch.sin(2 * w * x + p["b2"])

    def input_grid(self, points: int = 200) -> torch.Tensor:
        low, high = self.config.x_center
        margin = 3 * self.config.x_std
        return torch.linspace(low - margin, high + margin, points).unsqueeze(-1)
