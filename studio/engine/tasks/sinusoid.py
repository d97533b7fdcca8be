"""Sinusoid regression, the toy problem of Finn et al. 2017 (MAML), Section 5.1.

Each task is y = A sin(x - phase) with A, phase and the inputs x drawn
uniformly from the configured ranges; optional Gaussian noise is added to the
observed targets only.
"""

from __future__ import annotations

import torch

from studio.config.tasks.sinusoid import SinusoidTask
from studio.engine.registry import FAMILIES
from studio.engine.tasks.base import TaskBatch, TaskFamily, uniform


@FAMILIES.register("sinusoid")
class Sinusoid(TaskFamily):
    config: SinusoidTask

    def sample(self, n_tasks: int, generator: torch.Generator, queries: int | None = None) -> TaskBatch:
        cfg = self.config
        shots, queries = cfg.shots, queries or cfg.queries
        params = {
            "amplitude": uniform(generator, cfg.amplitude, n_tasks),
            "phase": uniform(generator, cfg.phase, n_tasks),
        }
        x = uniform(generator, cfg.x_range, n_tasks, shots + queries, 1)
        y = self.target(params, x)
        if cfg.noise_std > 0:
            y = y + cfg.noise_std * torch.randn(y.shape, generator=generator)
        return TaskBatch(x[:, :shots], y[:, :shots], x[:, shots:], y[:, shots:], params=params)

    def target(self, params: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        amplitude = params["amplitude"].view(-1, *[1] * (x.dim() - 1))
        phase = params["phase"].view(-1, *[1] * (x.dim() - 1))
        return amplitude * torch.sin(x - phase)

    def input_grid(self, points: int = 200) -> torch.Tensor:
        low, high = self.config.x_range
        return torch.linspace(low, high, points).unsqueeze(-1)
