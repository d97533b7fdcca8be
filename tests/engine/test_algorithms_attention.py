"""Attention over the support set: a distribution over the support, nearest neighbour in the limit."""

import torch

from studio.engine.algorithms import build_learner
from studio.engine.models import build_model
from tests.engine.algorithm_helpers import GaussianBlobs, algorithm_config, float64_setup, small_preset


def nearest_support(learner, params, xs, xq) -> torch.Tensor:
    """Index of each query's nearest support example in the (normalised) embedding space."""
    distances = torch.cdist(learner.embed(params, xq), learner.embed(params, xs))
    return distances.argmin(dim=1)


def test_attention_weights_are_a_distribution_over_the_support_set():
    learner, params, batch = float64_setup("attention")
    weights = learner.attention(params, batch.x_support[0], batch.x_query[0])
    assert weights.shape == (batch.x_query.shape[1], batch.x_support.shape[1])
    assert bool((weights >= 0).all())
    torch.testing.assert_close(weights.sum(dim=1), torch.ones(weights.shape[0], dtype=weights.dtype))


def test_large_scale_reduces_to_nearest_neighbour_regression():
    learner, params, batch = float64_setup("attention", init_scale=1e5)
    xs, ys, xq = batch.x_support[0], batch.y_support[0], batch.x_query[0]
    expected = ys[nearest_support(learner, params, xs, xq)]
    torch.testing.assert_close(learner.predict(params, xs, ys, xq), expected)
    softer, _, _ = float64_setup("attention", init_scale=1.0)
    assert not torch.allclose(softer.predict(softer.init_parameters(), xs, ys, xq), expected)


def test_large_scale_reduces_to_nearest_neighbour_classification():
    family = GaussianBlobs()
    torch.manual_seed(0)
    model = build_model(small_preset("attention").model, family.input_dim, family.output_dim)
    learner = build_learner(algorithm_config("attention", init_scale=1e4), model, "classification")
    params = learner.init_parameters()
    batch = family.sample(2, torch.Generator().manual_seed(3))
    xs, ys, xq = batch.x_support[0], batch.y_support[0], batch.x_query[0]
    log_probs = learner.predict(params, xs, ys, xq)
    assert torch.equal(log_probs.argmax(dim=1), ys[nearest_support(learner, params, xs, xq)])
    torch.testing.assert_close(log_probs.exp().sum(dim=1), torch.ones(len(xq)))
