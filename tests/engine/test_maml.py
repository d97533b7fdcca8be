"""MAML's meta-gradient against finite differences, and what first order drops."""

import pytest
import torch

from tests.engine.algorithm_helpers import directional_fd
from tests.engine.helpers import float64_setup, tiny_preset


@pytest.mark.parametrize("inner_steps", [1, 3])
def test_second_order_meta_gradient_matches_finite_differences(inner_steps):
    learner, params, batch = float64_setup(tiny_preset(algorithm={"inner_steps": inner_steps}))
    grads, _ = learner.meta_gradients(params, batch)
    generator = torch.Generator().manual_seed(2)
    for _ in range(3):
        direction = {k: torch.randn(v.shape, generator=generator, dtype=v.dtype) for k, v in params.items()}
        analytic = sum(float((grads[k] * direction[k]).sum()) for k in params)
        assert analytic == pytest.approx(
            directional_fd(lambda p: learner.meta_loss(p, batch), params, direction), rel=1e-6, abs=1e-9
        )


def test_first_order_gradient_is_query_gradient_at_adapted_weights():
    preset = tiny_preset(algorithm={"first_order": True, "inner_steps": 2})
    learner, params, batch = float64_setup(preset)
    grads, _ = learner.meta_gradients(params, batch)
    expected = {k: torch.zeros_like(v) for k, v in params.items()}
    for i in range(len(batch)):
        adapted = learner.adapt(params, batch.x_support[i], batch.y_support[i], 2)
        leaves = {k: v.detach().requires_grad_(True) for k, v in adapted.items()}
        loss = learner.task_loss(leaves, batch.x_query[i], batch.y_query[i]) / len(batch)
        for k, g in zip(leaves, torch.autograd.grad(loss, list(leaves.values()))):
            expected[k] += g
    for k in params:
        torch.testing.assert_close(grads[k], expected[k], rtol=1e-10, atol=1e-12)


def test_first_order_drops_a_nonzero_second_order_term():
    second, params, batch = float64_setup(tiny_preset())
    first, _, _ = float64_setup(tiny_preset(algorithm={"first_order": True}))
    exact, _ = second.meta_gradients(params, batch)
    approx, _ = first.meta_gradients(params, batch)
    gap = max(float((exact[k] - approx[k]).abs().max()) for k in params)
    assert gap > 1e-4


def test_adaptation_lowers_support_loss_on_each_task():
    learner, params, batch = float64_setup(tiny_preset(algorithm={"inner_lr": 0.01}))
    for i in range(len(batch)):
        before = learner.task_loss(learner.model_state(params), batch.x_support[i], batch.y_support[i])
        after = learner.task_loss(
            learner.adapt(params, batch.x_support[i], batch.y_support[i], 3), batch.x_support[i], batch.y_support[i]
        )
        assert float(after.detach()) < float(before.detach())


def test_adaptation_curve_starts_at_unadapted_query_loss():
    learner, params, batch = float64_setup(tiny_preset())
    curve = learner.adaptation_curve(params, batch, steps=4)
    assert curve.shape == (len(batch), 5)
    for i in range(len(batch)):
        unadapted = learner.task_loss(learner.model_state(params), batch.x_query[i], batch.y_query[i])
        assert float(curve[i, 0]) == pytest.approx(float(unadapted.detach()))
