"""The closed-form ridge head: exact in both the primal and the dual form, and differentiable."""

import pytest
import torch

from studio.engine.algorithms.ridge_head import ridge_solve
from tests.engine.algorithm_helpers import float64_setup

REGIMES = {"primal (d <= n)": (30, 6), "dual (n < d)": (6, 30)}


def random_problem(n: int, d: int, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=generator, dtype=torch.float64)
    y = torch.randn(n, 3, generator=generator, dtype=torch.float64)
    return x, y


@pytest.mark.parametrize("shape", REGIMES.values(), ids=REGIMES.keys())
def test_equals_the_closed_form_and_augmented_least_squares(shape):
    x, y = random_problem(*shape)
    lam = 0.7
    solution = ridge_solve(x, y, lam)
    eye = torch.eye(x.shape[1], dtype=x.dtype)
    torch.testing.assert_close(solution, torch.linalg.inv(x.T @ x + lam * eye) @ x.T @ y)
    augmented_x = torch.cat([x, lam**0.5 * eye])  # ridge = least squares on [X; sqrt(lam) I] W = [Y; 0]
    augmented_y = torch.cat([y, torch.zeros(x.shape[1], 3, dtype=x.dtype)])
    torch.testing.assert_close(solution, torch.linalg.lstsq(augmented_x, augmented_y).solution)


@pytest.mark.parametrize("shape", [(7, 3), (3, 7)], ids=["primal", "dual"])
def test_is_differentiable_in_features_targets_and_lambda(shape):
    x, y = random_problem(*shape, seed=1)
    lam = torch.tensor(0.5, dtype=torch.float64)
    inputs = tuple(t.clone().requires_grad_(True) for t in (x, y, lam))
    assert torch.autograd.gradcheck(ridge_solve, inputs)


def test_head_interpolates_the_support_set_when_lambda_vanishes():
    learner, params, batch = float64_setup("ridge_head", hidden=(16, 16))  # 5 shots < 17 features: dual form
    with torch.no_grad():
        params["ridge.log_lambda"].fill_(-25.0)
    xs, ys = batch.x_support[0], batch.y_support[0]
    torch.testing.assert_close(learner.predict(params, xs, ys, xs), ys, rtol=1e-5, atol=1e-5)


def test_meta_gradient_reaches_the_body_and_the_head_parameters():
    learner, params, batch = float64_setup("ridge_head")
    grads, loss = learner.meta_gradients(params, batch)
    assert torch.isfinite(loss)
    for name in ("0.weight", "2.weight", "ridge.log_lambda", "ridge.scale", "ridge.bias"):
        assert float(grads[name].abs().max()) > 0, name
    assert float(grads["4.weight"].abs().max()) == 0  # the network's own head is replaced by the ridge solve
