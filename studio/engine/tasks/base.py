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
    function can be drawn.  Classification families whose classes recur across
    tasks also give ``params["global_classes"]`` (T, ways): the id, fixed for the
    whole split, of the class that label k of task t stands for (see
    :meth:`global_labels`); learners see only the per-task labels.
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

    def global_labels(self, labels: torch.Tensor) -> torch.Tensor | None:
        """Per-task labels (T, n) as split-wide class ids, or ``None`` when no class recurs across tasks."""
        classes = self.params.get("global_classes")
        return None if classes is None else classes.gather(1, labels)

    def select(self, index: slice | torch.Tensor) -> TaskBatch:
        """The tasks at ``index`` (a slice or index tensor), as a batch."""
        parts = (t[index] for t in (self.x_support, self.y_support, self.x_query, self.y_query))
        return TaskBatch(*parts, params={k: v[index] for k, v in self.params.items()})


SPLITS = ("train", "validation", "test")


class TaskFamily:
    """Base class: subclasses set the dimensions and implement :meth:`sample`."""

    kind = "regression"  # or "classification"
    input_dim = 1
    output_dim = 1
    # classes that recur across meta-train tasks under one id each (``params["global_classes"]``); 0 when a
    # task's classes are its own (blobs2d) or the tasks are regressions
    shared_classes = 0

    def __init__(self, config: TaskConfig):
        self.config = config
        # what a user should hear about the data (skipped files, left-out classes, memory used);
        # training yields each as an events.Notice, ``studio eval`` prints them
        self.notices: list[str] = []

    def sample(
        self, n_tasks: int, generator: torch.Generator, queries: int | None = None, split: str = "train"
    ) -> TaskBatch:
        """Draw ``n_tasks`` tasks on the CPU; ``queries`` overrides the preset's query count.

        ``split`` is one of :data:`SPLITS`: meta-training draws from "train",
        evaluation during training from "validation", ``studio eval`` from
        "test".  Families built on a finite data set (image classes, CSV
        groups) keep the three disjoint; parametric families draw from the
        same distribution for all three (their streams differ).
        """
        raise NotImplementedError

    def check_splits(self, splits: tuple[str, ...]) -> None:
        """Raise :class:`~studio.config.ConfigError` if tasks of ``splits`` cannot be drawn as configured."""

    def target(self, params: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        """Noise-free targets of tasks with hidden ``params`` at inputs ``x`` (regression only)."""
        raise NotImplementedError

    def input_grid(self, points: int = 200) -> torch.Tensor:
        """Inputs spanning the family's domain, for drawing a task's function."""
        raise NotImplementedError


class RegressionFamily(TaskFamily):
    """A family of functions y = f_theta(x): draw theta per task, draw inputs, add noise.

    Subclasses implement :meth:`sample_params`, :meth:`target` and
    :meth:`input_grid`; inputs are uniform over ``config.x_range`` unless
    :meth:`sample_inputs` says otherwise.  Keeping the hidden parameters
    separate lets a sampler choose tasks by their parameters (curricula,
    prioritised pools).
    """

    def sample_params(self, n_tasks: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def sample_inputs(self, params: dict[str, torch.Tensor], points: int, generator: torch.Generator) -> torch.Tensor:
        n_tasks = len(next(iter(params.values())))
        return uniform(generator, self.config.x_range, n_tasks, points, self.input_dim)

    def sample(
        self, n_tasks: int, generator: torch.Generator, queries: int | None = None, split: str = "train"
    ) -> TaskBatch:
        return self.tasks_from_params(self.sample_params(n_tasks, generator), generator, queries)

    def tasks_from_params(
        self, params: dict[str, torch.Tensor], generator: torch.Generator, queries: int | None = None
    ) -> TaskBatch:
        """Support and query sets for tasks whose hidden parameters are given."""
        shots, queries = self.config.shots, queries or self.config.queries
        x = self.sample_inputs(params, shots + queries, generator)
        y = self.target(params, x)
        noise = getattr(self.config, "noise_std", 0.0)
        if noise > 0:
            y = y + noise * torch.randn(y.shape, generator=generator)
        return TaskBatch(x[:, :shots], y[:, :shots], x[:, shots:], y[:, shots:], params=params)

    def input_grid(self, points: int = 200) -> torch.Tensor:
        low, high = self.config.x_range
        return torch.linspace(low, high, points).unsqueeze(-1)


def uniform(generator: torch.Generator, low_high: tuple[float, float], *shape: int) -> torch.Tensor:
    """Samples from U[low, high] (float32, CPU) drawn from ``generator``."""
    low, high = low_high
    return low + (high - low) * torch.rand(*shape, generator=generator)
