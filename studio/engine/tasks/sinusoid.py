"""Sinusoid regression, the toy problem of Finn et al. 2017 (MAML), Section 5.1.

Each task is y = A sin(x - phase) with A, phase and the inputs x drawn
uniformly from the configured ranges; optional Gaussian noise is added to the
observed targets only.
"""

from __future__ import annotations

import torch

from studio.config.tasks.sinusoid import SinusoidTask
from studio.engine.registry import FAMILIES
from studio.engine.tasks.base import RegressionFamily, uniform


@FAMILIES.register("sinusoid")
class Sinusoid(RegressionFamily):
    config: SinusoidTask

    def sample_params(self, n_tasks: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
        return {
            "amplitude": uniform(generator, self.config.amplitude, n_tasks),
            "phase": uniform(generator, self.config.phase, n_tasks),
        }

    def target(self, params: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        amplitude = params["amplitude"].view(-1, *[1] * (x.dim() - 1))
        phase = params["phase"].view(-1, *[1] * (x.dim() - 1))
        return amplitude * torch.sin(x - phase)
