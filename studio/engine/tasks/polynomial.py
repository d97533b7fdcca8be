"""Random polynomials y = sum_{k <= d} c_k x^k, the degree d drawn per task.

Coefficients above a task's degree are zero, so a batch of mixed degrees is
one tensor of coefficients.
"""

from __future__ import annotations

import torch

from studio.config.tasks.polynomial import PolynomialTask
from studio.engine.registry import FAMILIES
from studio.engine.tasks.base import RegressionFamily, uniform


@FAMILIES.register("polynomial")
class Polynomial(RegressionFamily):
    config: PolynomialTask

    def sample_params(self, n_tasks: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
        low, high = self.config.degree
        degree = torch.randint(low, high + 1, (n_tasks,), generator=generator)
        coefficients = uniform(generator, self.config.coefficient, n_tasks, high + 1)
        powers = torch.arange(high + 1)
        coefficients = coefficients * (powers[None, :] <= degree[:, None])
        return {"degree": degree.float(), "coefficients": coefficients}

    def target(self, params: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        coefficients = params["coefficients"]  # (tasks, max_degree + 1)
        powers = torch.arange(coefficients.shape[-1], dtype=x.dtype)
        terms = x.unsqueeze(-1) ** powers  # (tasks, points, 1, max_degree + 1)
        shape = (coefficients.shape[0], *[1] * (x.dim() - 1), coefficients.shape[-1])
        return (terms * coefficients.view(shape)).sum(-1)
