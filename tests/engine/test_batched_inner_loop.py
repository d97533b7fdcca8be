"""The batched inner loop (every task's weights stacked, one autograd.grad per step outside vmap) gives the
second-order meta-gradients of a plain loop over tasks, for every kind of inner step the learners take."""

import pytest
import torch

from tests.engine.algorithm_helpers import float64_setup

CASES = {
    "maml": ("maml", {}),
    "maml-lslr-layerwise": ("maml", {"learn_inner_lr": True, "adapt_layers": ["0", "4"]}),
    "anil": ("anil", {}),
    "metasgd": ("metasgd", {}),
    "metasgd-head": ("metasgd", {"adapt_layers": ["head"]}),
}


def loop_meta_gradients(learner, params: dict, batch, steps: int) -> dict:
    """One task at a time, by ``torch.autograd.grad(create_graph=True)``: the reference written as one would."""
    total = 0.0
    for i in range(len(batch)):
        weights = learner.model_state(params)
        for step in range(steps):
            loss = learner.task_loss(weights, batch.x_support[i], batch.y_support[i])
            grads = torch.autograd.grad(loss, [weights[k] for k in learner.fast_names], create_graph=True)
            moved = {k: weights[k] - learner.inner_lr(params, k, step) * g for k, g in zip(learner.fast_names, grads)}
            weights = {**weights, **moved}
        total = total + learner.task_loss(weights, batch.x_query[i], batch.y_query[i])
    grads = torch.autograd.grad(total / len(batch), list(params.values()))
    return dict(zip(params, grads))


def randomised_rates(params: dict) -> dict:
    """Learned rates drawn at random, so that each rate's own value shows in the meta-gradient."""
    generator = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for name, value in params.items():
            if name.startswith(("alpha.", "lslr.")):
                value.copy_(0.02 + 0.1 * torch.rand(value.shape, generator=generator, dtype=value.dtype))
    return params


@pytest.mark.parametrize("looped", [False, True], ids=["vmap", "loop"])
@pytest.mark.parametrize("case", list(CASES))
def test_batched_second_order_meta_gradients_match_a_loop_over_tasks(case, looped):
    name, settings = CASES[case]
    learner, params, batch = float64_setup(name, tasks=3, inner_steps=2, **settings)
    learner.model.loop_over_tasks_on = ("cpu",) if looped else ()
    params = randomised_rates(params)
    batched = learner.meta_gradients(params, batch)[0]
    expected = loop_meta_gradients(learner, params, batch, 2)
    assert set(batched) == set(expected)
    for key, value in expected.items():
        assert float(value.abs().max()) > 0, key  # every meta-parameter, learned rates included, gets a gradient
        assert torch.allclose(batched[key], value, rtol=1e-10, atol=1e-12), (key, (batched[key] - value).abs().max())
