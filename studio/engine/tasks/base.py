"""What every task family provides: batches of support and query sets."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from studio.config import TaskConfig


@dataclass(frozen=True)
class TaskBatch:
    """``T`` tasks stacked on the first axis.

    ``x_support`` is (T, shots, input_dim) and ``x_query`` (T, queries,
    input_dim); targets follow the same layout.  ``params`` holds each task's
    hidden parameters (for the sinusoid, amplitude and phase) so that the true
    function can be drawn.
    """

    x_support: torch.Tensor
    y_support: torch.Tensor
    x_query: torch.Tensor
    y_query: torch.Tensor
    params: dict[str, torch.Tensor] = field(default_factory=dict)

    def __len__(self) -> int:
        return self.x_support.shape[0]

    def to(self, device: torch.device) -> TaskBatch:
        move = {k: v.to(device) for k, v in self.params.items()}
        tensors = (t.to(device) for t in (self.x_support, self.y_support, self.x_query, self.y_query))
        return TaskBatch(*tensors, params=move)

    def select(self, index: slice | torch.Tensor) -> TaskBatch:
        """The tasks at ``index`` (a slice or index tensor), as a batch."""
        parts = (t[index] for t in (self.x_support, self.y_support, self.x_query, self.y_query))
        return TaskBatch(*parts, params={k: v[index] for k, v in self.params.items()})


class TaskFamily:
    """Base class: subclasses set the dimensions and implement :meth:`sample`."""

    kind = "regression"  # or "classification"
    input_dim = 1
    output_dim = 1

    def __init__(self, config: TaskConfig):
        self.config = config

    def sample(self, n_tasks: int, generator: torch.Generator, queries: int | None = None) -> TaskBatch:
        """Draw ``n_tasks`` tasks on the CPU; ``queries`` overrides the preset's query count."""
        raise NotImplementedError

    def target(self, params: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        """Noise-free targets of tasks with hidden ``params`` at inputs ``x`` (regression only)."""
        raise NotImplementedError

    def input_grid(self, points: int = 200) -> torch.Tensor:
        """Inputs spanning the family's domain, for drawing a task's function."""
        raise NotImplementedError


def uniform(generator: torch.Generator, low_high: tuple[float, float], *shape: int) -> torch.Tensor:
    """Samples from U[low, high] (float32, CPU) drawn from ``generator``."""
    low, high = low_high
    return low + (high - low) * torch.rand(*shape, generator=generator)
