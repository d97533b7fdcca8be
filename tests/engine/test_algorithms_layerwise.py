"""Layer-wise adaptation: ANIL, frozen layer groups, and MAML++'s learned per-layer, per-step rates."""

import pytest
import torch

from studio.config import ConfigError
from studio.engine.algorithms.layers import adapted_parameters, layer_groups
from studio.engine.models import build_model
from tests.engine.algorithm_helpers import (
    directional_analytic,
    directional_fd,
    float64_setup,
    random_direction,
    small_preset,
)

HEAD = ("4.weight", "4.bias")


def moved(before: dict, after: dict) -> set[str]:
    return {k for k in before if not torch.equal(before[k].detach(), after[k].detach())}


def test_layer_groups_are_parameter_name_prefixes_in_forward_order():
    model = build_model(small_preset("maml").model, 1, 1)
    assert layer_groups(model) == {"0": ["0.weight", "0.bias"], "2": ["2.weight", "2.bias"], "4": list(HEAD)}
    assert adapted_parameters(model, ()) == ("0.weight", "0.bias", "2.weight", "2.bias", *HEAD)
    assert adapted_parameters(model, ("head",)) == HEAD == adapted_parameters(model, ("-1",))
    assert adapted_parameters(model, ("body",)) == ("0.weight", "0.bias", "2.weight", "2.bias")
    with pytest.raises(ConfigError, match=r"algorithm.adapt_layers names '7'.*0, 2, 4, head, body"):
        adapted_parameters(model, ("7",))


def test_anil_inner_loop_adapts_the_head_and_leaves_the_body_untouched():
    learner, params, batch = float64_setup("anil", inner_steps=3, inner_lr=0.1)
    adapted = learner.adapt(params, batch.x_support[0], batch.y_support[0], 3)
    assert moved(learner.model_state(params), adapted) == set(HEAD)


def test_anil_meta_gradient_matches_finite_differences_and_reaches_the_body():
    learner, params, batch = float64_setup("anil", inner_steps=2, inner_lr=0.1)
    grads, _ = learner.meta_gradients(params, batch)
    for seed in (2, 3):
        direction = random_direction(params, params, seed)
        fd = directional_fd(lambda p: learner.meta_loss(p, batch), params, direction)
        assert directional_analytic(grads, direction) == pytest.approx(fd, rel=1e-6, abs=1e-9)
    assert float(grads["0.weight"].abs().max()) > 0  # the outer loop learns the body


def test_frozen_layer_groups_do_not_move_in_the_inner_loop():
    learner, params, batch = float64_setup("maml", inner_steps=2, adapt_layers=["2"])
    adapted = learner.adapt(params, batch.x_support[1], batch.y_support[1], 2)
    assert moved(learner.model_state(params), adapted) == {"2.weight", "2.bias"}


def test_learned_per_layer_per_step_rates_receive_exact_gradients():
    learner, params, batch = float64_setup("maml", inner_steps=2, learn_inner_lr=True, adapt_layers=["0", "4"])
    assert {k: tuple(v.shape) for k, v in learner.extra_state(params).items()} == {"lslr.0": (2,), "lslr.4": (2,)}
    grads, _ = learner.meta_gradients(params, batch)
    assert all(float(grads[k].abs().min()) > 0 for k in ("lslr.0", "lslr.4"))  # every layer, every step
    direction = random_direction(params, ["lslr.0", "lslr.4"])
    fd = directional_fd(lambda p: learner.meta_loss(p, batch), params, direction)
    assert directional_analytic(grads, direction) == pytest.approx(fd, rel=1e-6, abs=1e-9)


def test_learned_rates_are_the_step_sizes_the_inner_loop_uses():
    learner, params, batch = float64_setup("maml", inner_steps=2, learn_inner_lr=True)
    with torch.no_grad():
        params["lslr.2"].copy_(torch.tensor([0.0, 0.3]))
    steps = list(learner.trajectories(params, batch.x_support[:1], batch.y_support[:1], 3))
    assert torch.equal(steps[1]["2.weight"], steps[0]["2.weight"])  # rate 0 at step 0: layer 2 stays
    assert not torch.equal(steps[2]["2.weight"], steps[1]["2.weight"])
    gradient = learner.support_gradients(steps[2], batch.x_support[:1], batch.y_support[:1])["2.weight"]
    torch.testing.assert_close(steps[3]["2.weight"], steps[2]["2.weight"] - 0.3 * gradient)  # past the end: last
