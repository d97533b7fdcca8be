"""Dynamic task sampling: which tasks a meta-batch is drawn from, as training goes.

- ``uniform``: the family's own distribution.
- ``curriculum``: chosen ranges of the task settings start at a fraction of
  their width (from the low end: small amplitudes first) and widen, linearly
  or in stages, to the full range by a given iteration.
- ``prioritized``: a pool of tasks, redrawn every ``pool_refresh`` iterations;
  task i is drawn with probability (1 - floor) * l_i^T / sum_j l_j^T + floor / N,
  where l_i is its most recent query loss (adaptive task sampling).  Tasks not
  yet seen count as the worst seen so far, so every task is drawn early on.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import torch

from studio.config import ConfigError, TaskConfig, public_fields, spec_of
from studio.config.sampling import SamplingConfig
from studio.engine.tasks import TaskBatch, TaskFamily, build_family

DRAWN_LIMIT = 50_000  # values kept per task parameter for the "tasks drawn" histograms


class TaskSampler:
    """Uniform sampling; the base of the others.  Keeps a record of what was drawn."""

    def __init__(self, family: TaskFamily, config: SamplingConfig, generator: torch.Generator):
        self.family = family
        self.config = config
        self.generator = generator
        self.drawn: dict[str, np.ndarray] = {}

    def sample(self, n_tasks: int, iteration: int) -> TaskBatch:
        batch = self.family.sample(n_tasks, self.generator)
        self._remember(batch)
        return batch

    def observe(self, batch: TaskBatch, task_losses: torch.Tensor) -> None:
        """The query losses of the tasks just trained on (used by prioritized sampling)."""

    def _remember(self, batch: TaskBatch) -> None:
        """Keep the latest :data:`DRAWN_LIMIT` values of each scalar task parameter (float32 arrays)."""
        for name, values in batch.params.items():
            if values.dim() == 1:
                kept = np.concatenate(
                    [self.drawn.get(name, np.empty(0, np.float32)), values.numpy().astype(np.float32)]
                )
                self.drawn[name] = kept[-DRAWN_LIMIT:]

    def state_dict(self) -> dict:
        drawn = {k: torch.from_numpy(v.copy()) for k, v in self.drawn.items()}
        return {"generator": self.generator.get_state(), "drawn": drawn}

    def load_state_dict(self, state: dict) -> None:
        self.generator.set_state(state["generator"])
        self.drawn = {k: v.numpy().astype(np.float32) for k, v in state["drawn"].items()}


class CurriculumSampler(TaskSampler):
    """Narrow ranges first, widened on a schedule (easy tasks before hard ones)."""

    def __init__(self, family: TaskFamily, config: SamplingConfig, generator: torch.Generator):
        super().__init__(family, config, generator)
        self.full = family.config
        self.ranges = curriculum_ranges(family.config, config.curriculum_parameters)
        self._families: dict[float, TaskFamily] = {}

    def width(self, iteration: int) -> float:
        """The fraction of each range in use at ``iteration``."""
        cfg = self.config
        progress = min(iteration / cfg.curriculum_until, 1.0)
        if cfg.curriculum_schedule == "step":
            progress = math.floor(progress * cfg.curriculum_stages) / cfg.curriculum_stages
        return cfg.curriculum_start + (1.0 - cfg.curriculum_start) * progress

    def task_config(self, iteration: int) -> TaskConfig:
        """The task settings in force at ``iteration``."""
        fraction = self.width(iteration)
        narrowed = {name: (low, low + fraction * (high - low)) for name, (low, high) in self.ranges.items()}
        return dataclasses.replace(self.full, **narrowed)

    def sample(self, n_tasks: int, iteration: int) -> TaskBatch:
        fraction = round(self.width(iteration), 6)
        if fraction not in self._families:
            self._families = {fraction: build_family(self.task_config(iteration))}
        batch = self._families[fraction].sample(n_tasks, self.generator)
        self._remember(batch)
        return batch


def curriculum_ranges(task: TaskConfig, names: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    """The [low, high] settings a curriculum may narrow; errors name what is available."""
    ranges = {f.name: getattr(task, f.name) for f in public_fields(type(task)) if spec_of(f).is_range}
    if not names:
        raise ConfigError.at("sampling.curriculum_parameters", f"is empty; name some of: {', '.join(ranges) or 'none'}")
    unknown = [n for n in names if n not in ranges]
    if unknown:
        available = ", ".join(ranges) or f"none (the {task.family} family has no ranges)"
        raise ConfigError.at(
            "sampling.curriculum_parameters", f"names {', '.join(unknown)}; the ranges of this family are: {available}"
        )
    return {name: ranges[name] for name in names}


class PrioritizedSampler(TaskSampler):
    """Draws from a pool in proportion to each task's recent loss, with a uniform floor."""

    def __init__(self, family: TaskFamily, config: SamplingConfig, generator: torch.Generator):
        super().__init__(family, config, generator)
        self.pool: TaskBatch | None = None
        self.losses = torch.empty(0)
        self.last_indices = torch.empty(0, dtype=torch.long)
        self.draw_counts = torch.zeros(config.pool_size)

    def probabilities(self) -> torch.Tensor:
        cfg = self.config
        seen = ~torch.isnan(self.losses)
        worst = float(self.losses[seen].max()) if seen.any() else 1.0
        losses = torch.where(seen, self.losses, torch.full_like(self.losses, worst)).clamp_min(1e-12)
        weights = losses**cfg.temperature
        return (1 - cfg.uniform_floor) * weights / weights.sum() + cfg.uniform_floor / len(weights)

    def sample(self, n_tasks: int, iteration: int) -> TaskBatch:
        if self.pool is None or iteration % self.config.pool_refresh == 0:
            self.pool = self.family.sample(self.config.pool_size, self.generator)
            self.losses = torch.full((self.config.pool_size,), math.nan)
        self.last_indices = torch.multinomial(self.probabilities(), n_tasks, replacement=True, generator=self.generator)
        self.draw_counts += torch.bincount(self.last_indices, minlength=self.config.pool_size)
        batch = self.pool.select(self.last_indices)
        self._remember(batch)
        return batch

    def observe(self, batch: TaskBatch, task_losses: torch.Tensor) -> None:
        self.losses[self.last_indices] = task_losses.detach().to("cpu", torch.float32)

    def state_dict(self) -> dict:
        pool = None if self.pool is None else batch_to_dict(self.pool)
        return {**super().state_dict(), "pool": pool, "losses": self.losses, "counts": self.draw_counts}

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        self.pool = None if state["pool"] is None else TaskBatch(**state["pool"])
        self.losses, self.draw_counts = state["losses"], state["counts"]


def batch_to_dict(batch: TaskBatch) -> dict:
    """A task batch as plain data (for checkpoints)."""
    return {f.name: getattr(batch, f.name) for f in dataclasses.fields(batch)}


SAMPLERS = {"uniform": TaskSampler, "curriculum": CurriculumSampler, "prioritized": PrioritizedSampler}


def build_sampler(family: TaskFamily, config: SamplingConfig, generator: torch.Generator) -> TaskSampler:
    return SAMPLERS[config.strategy](family, config, generator)
