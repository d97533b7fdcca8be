"""Meta-SGD: one learned rate per parameter, in the inner step and in the meta-gradient."""

import pytest
import torch

from tests.engine.algorithm_helpers import directional_analytic, directional_fd, float64_setup, random_direction


def rate_names(params: dict) -> list[str]:
    return [k for k in params if k.startswith("alpha.")]


def test_every_parameter_gets_a_rate_of_its_shape_starting_at_inner_lr():
    learner, params, _ = float64_setup("metasgd", inner_lr=0.02)
    network = learner.model_state(params)
    assert sorted(rate_names(params)) == sorted(f"alpha.{k}" for k in network)
    for name, value in network.items():
        assert params[f"alpha.{name}"].shape == value.shape and bool((params[f"alpha.{name}"] == 0.02).all())


def test_inner_step_is_theta_minus_alpha_times_the_gradient_elementwise():
    learner, params, batch = float64_setup("metasgd")
    generator = torch.Generator().manual_seed(5)
    with torch.no_grad():
        for name in rate_names(params):
            params[name].copy_(torch.rand(params[name].shape, generator=generator, dtype=torch.float64))
    xs, ys = batch.x_support[0], batch.y_support[0]
    theta = learner.model_state(params)
    gradient = {
        k: g[0] for k, g in learner.support_gradients(learner.task_weights(params, 1), xs[None], ys[None]).items()
    }
    adapted = learner.adapt(params, xs, ys, 1)
    for name in theta:
        torch.testing.assert_close(adapted[name], theta[name] - params[f"alpha.{name}"] * gradient[name])


def test_learning_rate_gradient_matches_finite_differences():
    learner, params, batch = float64_setup("metasgd", inner_lr=0.05)
    grads, _ = learner.meta_gradients(params, batch)
    for seed in (2, 3):
        direction = random_direction(params, rate_names(params), seed)
        fd = directional_fd(lambda p: learner.meta_loss(p, batch), params, direction)
        assert directional_analytic(grads, direction) == pytest.approx(fd, rel=1e-6, abs=1e-9)
    whole = random_direction(params, params, 4)
    fd = directional_fd(lambda p: learner.meta_loss(p, batch), params, whole)
    assert directional_analytic(grads, whole) == pytest.approx(fd, rel=1e-6, abs=1e-9)


def test_rates_only_for_the_layers_that_adapt():
    learner, params, _ = float64_setup("metasgd", adapt_layers=["head"])
    assert sorted(rate_names(params)) == ["alpha.4.bias", "alpha.4.weight"]
