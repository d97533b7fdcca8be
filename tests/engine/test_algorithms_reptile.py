"""Reptile: the update against the paper's formula, the Adam inner loop, the annealed outer step."""

import pytest
import torch

from studio.config import preset_from_dict
from studio.engine import Training
from studio.engine.tasks import TaskBatch
from tests.engine.algorithm_helpers import float64_setup

LINEAR = {"hidden": [], "activation": "relu"}  # y = w x + b: small enough to compute by hand


def linear_reptile(**algorithm) -> Training:
    data = {
        "task": {"family": "sinusoid", "shots": 2, "queries": 1},
        "model": {"kind": "mlp", **LINEAR},
        "algorithm": {"name": "reptile", **algorithm},
        "training": {"iterations": 4, "device": "cpu"},
    }
    training = Training(preset_from_dict(data))
    with torch.no_grad():
        training.params["0.weight"].fill_(0.5)
        training.params["0.bias"].fill_(0.1)
    return training


def two_tasks() -> TaskBatch:
    xs = torch.tensor([[[1.0], [2.0]], [[0.0], [1.0]]])
    ys = torch.tensor([[[1.0], [3.0]], [[2.0], [0.0]]])
    return TaskBatch(xs, ys, xs[:, :1], ys[:, :1])


def test_update_equals_the_formula_on_a_hand_computed_case():
    # One SGD step at alpha = 0.1 from (w, b) = (0.5, 0.1) on the squared error:
    #   task 1: residuals (-0.4, -1.9); grad = (-4.2, -2.3); W_1 = (0.92, 0.33)
    #   task 2: residuals (-1.9,  0.6); grad = ( 0.6, -1.3); W_2 = (0.44, 0.23)
    # theta + eps (mean W - theta) with eps = 0.5: (0.5 + 0.5 * 0.18, 0.1 + 0.5 * 0.18) = (0.59, 0.19)
    training = linear_reptile(inner_lr=0.1, inner_steps=1, outer_step=0.5)
    training.learner.meta_step(training.params, two_tasks(), training.optimizer)
    assert float(training.params["0.weight"].detach()) == pytest.approx(0.59, abs=1e-6)
    assert float(training.params["0.bias"].detach()) == pytest.approx(0.19, abs=1e-6)


def test_outer_step_is_annealed_linearly_to_zero():
    training = linear_reptile(inner_lr=0.1, inner_steps=1, outer_step=0.5)  # 4 iterations
    before = {k: v.detach().clone() for k, v in training.params.items()}
    grads, _ = training.learner.meta_gradients(training.params, two_tasks())
    moves = []
    for _ in range(4):
        start = float(training.params["0.bias"].detach())
        for name, tensor in training.params.items():  # the same Reptile direction each time
            tensor.grad = grads[name]
        training.optimizer.step()
        moves.append(start - float(training.params["0.bias"].detach()))
    expected = [0.5 * (1 - t / 4) * float(grads["0.bias"]) for t in range(4)]
    assert moves == pytest.approx(expected, rel=1e-5)
    assert not torch.equal(before["0.bias"], training.params["0.bias"].detach())


def test_several_sgd_steps_match_torch_optim_sgd_task_by_task():
    learner, params, batch = float64_setup("reptile", inner_steps=3, inner_lr=0.05)
    grads, _ = learner.meta_gradients(params, batch)
    adapted = [adapt_with_torch_optim(learner, params, batch, i, torch.optim.SGD, lr=0.05) for i in range(len(batch))]
    for name in learner.fast_names:
        mean = torch.stack([a[name] for a in adapted]).mean(0)
        torch.testing.assert_close(grads[name], params[name].detach() - mean, rtol=1e-9, atol=1e-12)


def test_adam_inner_loop_matches_torch_optim_adam_with_beta1_zero():
    learner, params, batch = float64_setup("reptile", inner_steps=4, inner_lr=0.01, inner_optimizer="adam")
    for i in range(len(batch)):
        ours = learner.adapt(params, batch.x_support[i], batch.y_support[i], 4)
        theirs = adapt_with_torch_optim(learner, params, batch, i, torch.optim.Adam, lr=0.01, betas=(0.0, 0.999))
        for name in theirs:
            torch.testing.assert_close(ours[name], theirs[name], rtol=1e-7, atol=1e-10)


def adapt_with_torch_optim(learner, params, batch, i, optimizer_class, **options) -> dict:
    """k steps of a torch optimizer on task i's support loss: an independent reference inner loop."""
    weights = {k: v.detach().clone().requires_grad_(True) for k, v in learner.model_state(params).items()}
    optimizer = optimizer_class(weights.values(), **options)
    for _ in range(learner.config.inner_steps):
        optimizer.zero_grad()
        learner.task_loss(weights, batch.x_support[i], batch.y_support[i]).backward()
        optimizer.step()
    return {k: v.detach() for k, v in weights.items()}


def test_meta_gradient_is_a_mean_over_tasks_so_the_meta_batch_shards():
    learner, params, batch = float64_setup("reptile", tasks=4, inner_steps=2)
    whole, _ = learner.meta_gradients(params, batch)
    halves = [learner.meta_gradients(params, batch.select(slice(a, a + 2)))[0] for a in (0, 2)]
    for name in whole:
        torch.testing.assert_close(whole[name], (halves[0][name] + halves[1][name]) / 2)
