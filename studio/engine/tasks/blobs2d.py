"""2-D classification: each task has ``ways`` Gaussian blobs at random centres.

Labels are the blob indices, which are arbitrary per task (as in N-way
episodes), so a learner must infer from the support set which blob is which.
"""

from __future__ import annotations

import torch

from studio.config.tasks.blobs2d import Blobs2dTask
from studio.engine.registry import FAMILIES
from studio.engine.tasks.base import TaskBatch, TaskFamily, uniform


@FAMILIES.register("blobs2d")
class Blobs2d(TaskFamily):
    config: Blobs2dTask
    kind = "classification"
    input_dim = 2

    @property
    def output_dim(self) -> int:
        return self.config.ways

    def sample(
        self, n_tasks: int, generator: torch.Generator, queries: int | None = None, split: str = "train"
    ) -> TaskBatch:
        cfg = self.config
        queries = queries or cfg.queries
        centers = uniform(generator, cfg.center_range, n_tasks, cfg.ways, 2)
        support_x, support_y = self._points(centers, cfg.shots, generator)
        query_x, query_y = self._points(centers, queries, generator)
        return TaskBatch(support_x, support_y, query_x, query_y, params={"centers": centers})

    def _points(self, centers: torch.Tensor, per_class: int, generator: torch.Generator):
        n_tasks, ways, _ = centers.shape
        labels = torch.arange(ways).repeat_interleave(per_class).expand(n_tasks, -1)
        noise = self.config.spread * torch.randn(n_tasks, ways * per_class, 2, generator=generator)
        points = centers.repeat_interleave(per_class, dim=1) + noise
        order = torch.argsort(torch.rand(n_tasks, ways * per_class, generator=generator), dim=1)
        return points.gather(1, order.unsqueeze(-1).expand(-1, -1, 2)), labels.gather(1, order)

    def input_grid(self, points: int = 60) -> torch.Tensor:
        """A square grid over the centre range with a margin, (points^2, 2), for decision maps."""
        low, high = self.config.center_range
        margin = 3 * self.config.spread
        axis = torch.linspace(low - margin, high + margin, points)
        gx, gy = torch.meshgrid(axis, axis, indexing="xy")
        return torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=-1)
