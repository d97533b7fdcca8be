"""Second-order MAML that fits in memory: the recomputed inner loop, and the estimate that accounts for it."""

from __future__ import annotations

import dataclasses
import weakref

import pytest
import torch

from studio.config import preset_from_dict
from studio.engine.algorithms import build_learner, gradient
from studio.engine.algorithms.recompute import recomputed_step
from studio.engine.models import build_model
from studio.engine.resources import activation_values, estimate_bytes
from studio.engine.tasks import build_family
from tests.engine.algorithm_helpers import as_double

GLYPHS = {"family": "glyphs", "classes": 40, "drawings": 4, "ways": 2, "shots": 1, "queries": 1, "image_size": 16}


def conv4_maml(**algorithm):
    settings = {"name": "maml", "inner_lr": 0.1, "inner_steps": 5, **algorithm}
    training = {"meta_batch_size": 32, "device": "cpu"}
    return preset_from_dict({"task": GLYPHS, "model": {"kind": "conv4", "filters": 4}, "algorithm": settings,
                             "training": training})  # fmt: skip


def conv4_setup(checkpointed: bool):
    """Conv-4 MAML (5 inner steps), its meta-parameters and two tasks, float64, on the CPU (a loop over tasks)."""
    preset = conv4_maml(checkpoint_inner_loop=checkpointed)
    family = build_family(preset.task)
    torch.manual_seed(0)
    model = build_model(preset.model, family.input_dim, family.output_dim).double()
    learner = build_learner(preset.algorithm, model, family.kind)
    batch = as_double(family.sample(2, torch.Generator().manual_seed(1)))
    batch = dataclasses.replace(batch, y_support=batch.y_support.long(), y_query=batch.y_query.long())
    return learner, learner.init_parameters(), batch


def kept_for_backward(checkpointed: bool) -> int:
    """Bytes of the storage autograd holds for the meta-gradient once the meta-loss is computed."""
    learner, params, batch = conv4_setup(checkpointed)
    saved: list[weakref.ref] = []

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        kept = tensor.detach()  # what the graph holds (a detached view: no reference cycle through grad_fn)
        saved.append(weakref.ref(kept))
        return kept

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda kept: kept):
        loss = learner.meta_loss(params, batch)
    storages = {
        t.untyped_storage().data_ptr(): t.untyped_storage().nbytes() for t in map(_alive, saved) if t is not None
    }
    del loss
    return sum(storages.values())


def _alive(ref: weakref.ref) -> torch.Tensor | None:
    return ref()


def test_the_recomputed_inner_loop_gives_the_stored_meta_gradient(monkeypatch):
    learner, params, batch = conv4_setup(checkpointed=False)
    stored = learner.meta_gradients(params, batch)[0]
    calls = []
    monkeypatch.setattr(gradient, "recomputed_step", lambda *a: calls.append(1) or recomputed_step(*a))
    learner, params, batch = conv4_setup(checkpointed=True)
    recomputed = learner.meta_gradients(params, batch)[0]
    assert len(calls) == 5  # every inner step (of both tasks at once) was recomputed
    for name, value in stored.items():
        assert value.abs().max() > 0, name
        assert torch.allclose(recomputed[name], value, rtol=0, atol=1e-8), name


def test_the_recomputed_inner_loop_keeps_a_fraction_of_the_memory_for_the_meta_gradient():
    stored, recomputed = kept_for_backward(False), kept_for_backward(True)
    assert recomputed < stored / 4, (recomputed, stored)  # 5 inner steps: the graph of one step is kept, not 5


@pytest.mark.parametrize("steps", [1, 3, 10])
def test_the_memory_estimate_grows_with_inner_steps_and_shrinks_with_recomputing_and_processes(steps):
    def estimate(processes: int = 1, **algorithm) -> int:
        return estimate_bytes(conv4_maml(**{"inner_steps": steps, **algorithm}), 100_000, 1_000_000, processes)

    assert estimate(inner_steps=steps + 1) > estimate()
    assert estimate(checkpoint_inner_loop=True, inner_steps=steps + 1) > estimate(checkpoint_inner_loop=True)
    assert estimate(checkpoint_inner_loop=True) < estimate() or steps == 1
    assert estimate(processes=2) < estimate() and estimate(processes=4) < estimate(processes=2)
    assert estimate(first_order=True) <= estimate(checkpoint_inner_loop=True)


def test_activation_sizes_come_from_the_layers_without_running_the_network():
    preset = conv4_maml()
    with torch.device("meta"):
        model = build_model(preset.model, 16 * 16, 3)
    side = [16, 8, 4, 2, 1]
    # per block: convolution, batch norm, ReLU at the input side, then max-pooling; then flatten and the head
    blocks = sum(3 * 4 * side[i] ** 2 + 4 * side[i + 1] ** 2 for i in range(4))
    assert activation_values(model, torch.empty(5, 1, 16, 16, device="meta")) == 5 * (blocks + 4 + 3)
