"""Small builders shared by engine tests."""

from __future__ import annotations

import torch

from studio.config import Preset, preset_from_dict
from studio.engine.algorithms import build_learner
from studio.engine.models import build_model
from studio.engine.tasks import build_family


def tiny_preset(**sections: dict) -> Preset:
    """A fast preset: small MLP, few tasks, few iterations; ``sections`` override tables."""
    data = {
        "seed": 0,
        "task": {"family": "sinusoid", "shots": 5, "queries": 5},
        "model": {"kind": "mlp", "hidden": [16, 16], "activation": "tanh"},
        "algorithm": {"name": "maml", "inner_lr": 0.05, "inner_steps": 2},
        "training": {"meta_batch_size": 4, "iterations": 30, "eval_every": 10, "eval_tasks": 8, "device": "cpu"},
    }
    for name, table in sections.items():
        data[name] = {**data.get(name, {}), **table}
    return preset_from_dict(data)


def float64_setup(preset: Preset, tasks: int = 3):
    """Learner, meta-parameters and a task batch, all in float64 for finite differences."""
    family = build_family(preset.task)
    torch.manual_seed(0)
    model = build_model(preset.model, family.input_dim, family.output_dim).double()
    learner = build_learner(preset.algorithm, model, family.kind)
    batch = family.sample(tasks, torch.Generator().manual_seed(1))
    batch = type(batch)(*(t.double() for t in (batch.x_support, batch.y_support, batch.x_query, batch.y_query)))
    return learner, learner.init_parameters(), batch
