"""Builders shared by the algorithm-suite tests (tests/engine/test_algorithms_*.py)."""

from __future__ import annotations

import torch

from studio.config import ALGORITHMS, MODELS, Preset, preset_from_dict
from studio.engine.algorithms import build_learner
from studio.engine.models import build_model
from studio.engine.tasks import TaskBatch, TaskFamily, build_family


def small_preset(algorithm: str, family: str = "sinusoid", **settings) -> Preset:
    """A preset that trains in a blink: 16-16 tanh MLP, 5 shots, 4 tasks per meta-batch, 6 iterations."""
    data = {
        "seed": 0,
        "task": {"family": family, "shots": 5, "queries": 5},
        "model": {"kind": "mlp", "hidden": [16, 16], "activation": "tanh"},
        "algorithm": {"name": algorithm, **settings},
        "training": {"meta_batch_size": 4, "iterations": 6, "eval_every": 3, "eval_tasks": 6, "device": "cpu"},
    }
    return preset_from_dict(data)


def float64_setup(algorithm: str, tasks: int = 3, hidden=(8, 8), **settings):
    """Learner, meta-parameters and sinusoid tasks, all in float64 (for finite differences)."""
    preset = small_preset(algorithm, **settings)
    family = build_family(preset.task)
    torch.manual_seed(0)
    model = build_model(MODELS.get("mlp")(hidden=hidden, activation="tanh"), family.input_dim, family.output_dim)
    learner = build_learner(preset.algorithm, model.double(), family.kind)
    return learner, learner.init_parameters(), as_double(family.sample(tasks, torch.Generator().manual_seed(1)))


def as_double(batch: TaskBatch) -> TaskBatch:
    return TaskBatch(*(t.double() for t in (batch.x_support, batch.y_support, batch.x_query, batch.y_query)))


def directional_fd(loss_of, params: dict, direction: dict, eps: float = 1e-6) -> float:
    """(L(p + eps d) - L(p - eps d)) / 2 eps: the derivative of ``loss_of`` along ``direction``."""
    with torch.no_grad():
        plus = {k: v + eps * direction.get(k, 0) for k, v in params.items()}
        minus = {k: v - eps * direction.get(k, 0) for k, v in params.items()}
    return float((loss_of(plus) - loss_of(minus)).detach() / (2 * eps))  # loss_of may build a graph (ANIL)


def directional_analytic(grads: dict, direction: dict) -> float:
    return sum(float((grads[k] * d).sum()) for k, d in direction.items())


def random_direction(params: dict, names, seed: int = 2) -> dict:
    generator = torch.Generator().manual_seed(seed)
    return {k: torch.randn(params[k].shape, generator=generator, dtype=params[k].dtype) for k in names}


class GaussianBlobs(TaskFamily):
    """A 3-way 2-D classification family for tests: each class a Gaussian blob at a random centre."""

    kind = "classification"
    input_dim = 2
    output_dim = 3

    def __init__(self, shots: int = 4, queries: int = 4):
        self.shots, self.queries = shots, queries

    def sample(self, n_tasks: int, generator: torch.Generator, queries: int | None = None) -> TaskBatch:
        per_class = self.shots + (queries or self.queries)
        centres = 3 * torch.randn(n_tasks, self.output_dim, 1, 2, generator=generator)
        x = centres + 0.5 * torch.randn(n_tasks, self.output_dim, per_class, 2, generator=generator)
        y = torch.arange(self.output_dim).view(1, -1, 1).expand(n_tasks, -1, per_class)
        split = (slice(None), slice(None))
        xs, xq = x[(*split, slice(0, self.shots))], x[(*split, slice(self.shots, None))]
        ys, yq = y[(*split, slice(0, self.shots))], y[(*split, slice(self.shots, None))]
        return TaskBatch(xs.flatten(1, 2), ys.flatten(1, 2), xq.flatten(1, 2), yq.flatten(1, 2))


def algorithm_config(name: str, **settings):
    return ALGORITHMS.get(name)(**settings)
