"""Conv-4, MAML and Prototypical Networks on image tasks: gradients, logits, evaluation, task records."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.func import functional_call

from studio.config import ConfigError, preset_from_dict
from studio.engine.algorithms import build_learner
from studio.engine.algorithms.protonet import prototype_logits
from studio.engine.events import ClassificationFit
from studio.engine.models import build_model
from studio.engine.models.conv4 import image_layout
from studio.engine.tasks import build_family
from studio.engine.training import Training
from tests.engine.image_fixtures import one_thread_fixture  # noqa: F401

GLYPHS = {"family": "glyphs", "classes": 60, "drawings": 8, "ways": 3, "shots": 1, "queries": 2, "image_size": 16}


def image_preset(algorithm: dict, filters: int = 4, **training):
    return preset_from_dict(
        {
            "task": GLYPHS,
            "model": {"kind": "conv4", "filters": filters},
            "algorithm": algorithm,
            "training": {"meta_batch_size": 3, "iterations": 2, "eval_every": 2, "eval_tasks": 6, "device": "cpu"}
            | training,
        }
    )


def float64_learner(preset, loop_over_tasks_on: tuple[str, ...]):
    family = build_family(preset.task)
    torch.manual_seed(0)
    model = build_model(preset.model, family.input_dim, family.output_dim).double()
    model.loop_over_tasks_on = loop_over_tasks_on
    learner = build_learner(preset.algorithm, model, family.kind)
    batch = family.sample(3, torch.Generator().manual_seed(1))
    batch = type(batch)(batch.x_support.double(), batch.y_support, batch.x_query.double(), batch.y_query)
    return learner, learner.init_parameters(), batch


def test_conv4_layout_and_shapes():
    assert image_layout(28 * 28) == (1, 28) and image_layout(3 * 84 * 84) == (3, 84)
    model = build_model(preset_from_dict({"model": {"kind": "conv4", "filters": 8}}).model, 3 * 84 * 84, 5)
    assert model(torch.randn(4, 3, 84, 84)).shape == (4, 5)
    assert model[-1].in_features == 8 * 5 * 5  # 84 -> 42 -> 21 -> 10 -> 5
    with pytest.raises(ConfigError, match="needs >= 16"):
        build_model(preset_from_dict({"model": {"kind": "conv4"}}).model, 12 * 12, 5)


def test_batch_norm_uses_the_batch_statistics_in_any_mode():
    model = build_model(preset_from_dict({"model": {"kind": "conv4", "filters": 4}}).model, 16 * 16, 3).eval()
    x = torch.randn(6, 1, 16, 16)
    normalised = model[0][1](model[0][0](x))
    assert torch.allclose(normalised.mean(dim=(0, 2, 3)), torch.zeros(4), atol=1e-5)
    assert not torch.allclose(model(x)[:2], model(x[:2]))  # the batch changes the statistics
    assert not list(model.buffers())  # no running averages


def reference_maml_gradients(learner, params, batch, alpha: float) -> list[torch.Tensor]:
    """Second-order MAML written as a plain loop with autograd.grad(create_graph=True)."""
    total = 0.0
    for xs, ys, xq, yq in zip(batch.x_support, batch.y_support, batch.x_query, batch.y_query):
        support = F.cross_entropy(functional_call(learner.model, params, (xs,)), ys)
        grads = torch.autograd.grad(support, list(params.values()), create_graph=True)
        adapted = {k: w - alpha * g for (k, w), g in zip(params.items(), grads)}
        total = total + F.cross_entropy(functional_call(learner.model, adapted, (xq,)), yq)
    return list(torch.autograd.grad(total / len(batch), list(params.values())))


@pytest.mark.parametrize("loop_on", [(), ("cpu",)], ids=["vmap", "loop"])
def test_conv4_maml_gradients_match_a_loop_reference(loop_on):
    preset = image_preset({"name": "maml", "inner_lr": 0.4, "inner_steps": 1})
    learner, params, batch = float64_learner(preset, loop_on)
    assert learner.vectorize_tasks(torch.device("cpu")) == (loop_on == ())
    grads, _ = learner.meta_gradients(params, batch)
    expected = reference_maml_gradients(learner, params, batch, 0.4)
    for name, reference in zip(params, expected):
        assert torch.allclose(grads[name], reference, atol=1e-10, rtol=1e-7), name


@pytest.mark.parametrize("first_order", [False, True])
def test_loop_and_vmap_give_the_same_meta_gradients_and_curves(first_order):
    preset = image_preset({"name": "maml", "inner_lr": 0.3, "inner_steps": 2, "first_order": first_order})
    (vmapped, params, batch), (looped, _, _) = (float64_learner(preset, on) for on in [(), ("cpu",)])
    grads_v, grads_l = vmapped.meta_gradients(params, batch)[0], looped.meta_gradients(params, batch)[0]
    assert all(torch.allclose(grads_v[k], grads_l[k], atol=1e-10) for k in params)
    scores_v, scores_l = vmapped.query_scores(params, batch, 3), looped.query_scores(params, batch, 3)
    assert scores_l["loss"].shape == (3, 4) and torch.allclose(scores_v["loss"], scores_l["loss"])
    assert torch.equal(scores_v["accuracy"], scores_l["accuracy"])


def test_protonet_logits_are_negative_squared_distances_to_class_means():
    generator = torch.Generator().manual_seed(0)
    support, query = torch.randn(6, 5, generator=generator), torch.randn(4, 5, generator=generator)
    labels = torch.tensor([2, 0, 1, 0, 2, 1])
    prototypes = torch.stack([support[labels == k].mean(0) for k in range(3)])
    expected = -(torch.cdist(query.double(), prototypes.double()) ** 2)
    assert torch.allclose(prototype_logits(support, labels, query, 3).double(), expected, atol=1e-5)


def test_protonet_embeds_with_the_body_and_gives_one_point():
    preset = image_preset({"name": "protonet"})
    learner, params, batch = float64_learner(preset, ("cpu",))
    embed = learner.model[:-1]
    xs, ys, xq = batch.x_support[0], batch.y_support[0], batch.x_query[0]
    z = embed(torch.cat([xs, xq]))
    expected = prototype_logits(z[: len(xs)], ys, z[len(xs) :], 3)
    logits = learner.query_predictions(params, batch, steps=0)
    assert torch.allclose(logits[0], expected)
    scores = learner.query_scores(params, batch, steps=5)
    assert scores["loss"].shape == (3, 1) and scores["accuracy"].shape == (3, 1)
    grads, _ = learner.meta_gradients(params, batch)
    assert float(grads["5.weight"].abs().max()) == 0.0 and float(grads["0.0.weight"].abs().max()) > 0


def test_protonet_vmap_and_loop_agree():
    preset = image_preset({"name": "protonet"})
    results = []
    for loop_on in [(), ("cpu",)]:
        learner, params, batch = float64_learner(preset, loop_on)
        results.append(learner.meta_gradients(params, batch)[0])
    for name in results[0]:
        assert torch.allclose(results[0][name], results[1][name], atol=1e-10), name


def test_short_protonet_run_on_glyphs_beats_chance_by_far():
    preset = preset_from_dict(
        {
            "task": {"family": "glyphs", "classes": 200, "drawings": 10, "ways": 5, "shots": 1, "queries": 3},
            "model": {"kind": "conv4", "filters": 16},
            "algorithm": {"name": "protonet"},
            "training": {"meta_batch_size": 8, "meta_lr": 0.003, "eval_tasks": 100, "device": "cpu"},
        }
    )
    training = Training(preset)
    before = training.evaluate().accuracy_mean[0]
    for _ in range(40):
        training.step()
    after = training.evaluate()
    assert after.steps == (0,)
    print(f"5-way 1-shot accuracy: {before:.3f} untrained, {after.accuracy_mean[0]:.3f} after 40 updates")
    assert after.accuracy_mean[0] > 0.65  # chance is 0.2
    assert after.accuracy_mean[0] > before + 0.1


def accuracies_by_hand(training: Training, steps: int) -> np.ndarray:
    """Query accuracy of each held-out task (rows) after 0..steps inner steps (columns), one task at a time."""
    tasks = training.eval_tasks
    table = np.zeros((len(tasks), steps + 1))
    for i, k in itertools.product(range(len(tasks)), range(steps + 1)):
        task = tasks.select(slice(i, i + 1))
        logits = training.learner.adapted_prediction(training.params, task, task.x_query[0], k)[0]
        table[i, k] = (logits.argmax(-1) == task.y_query[0]).double().mean().item()
    return table


def test_maml_evaluation_reports_accuracy_and_a_classification_fit():
    training = Training(image_preset({"name": "maml", "inner_lr": 0.4, "inner_steps": 2}))
    training.step()
    evaluation = training.evaluate()
    assert evaluation.steps == (0, 1, 2) and len(evaluation.accuracy_mean) == 3
    table = accuracies_by_hand(training, steps=2)
    assert evaluation.accuracy_mean == pytest.approx(table.mean(0), abs=1e-6)
    assert evaluation.accuracy_ci95 == pytest.approx(1.96 * table.std(0, ddof=1) / np.sqrt(6), abs=1e-6)
    assert evaluation.accuracy_ci95[2] > 0  # the tasks do not all score alike: the interval is not degenerate
    fit = training.task_fit()
    assert isinstance(fit, ClassificationFit) and fit.steps == 2
    assert fit.query_images.shape == (6, 1, 16, 16) and fit.support_images.shape == (3, 1, 16, 16)
    assert fit.query_images.min() >= 0 and fit.query_images.max() <= 1
    assert fit.before.shape == (6, 3) and torch.allclose(
        torch.tensor(fit.after.sum(1)), torch.ones(6, dtype=torch.float64)
    )
    assert not (fit.before == fit.after).all() and len(fit.class_names) == 3
    assert sorted(fit.query_labels.tolist()) == [0, 0, 1, 1, 2, 2]


def test_protonet_fit_is_the_same_before_and_after():
    training = Training(image_preset({"name": "protonet"}))
    fit = training.task_fit()
    assert fit.steps == 0 and (fit.before == fit.after).all()
    assert fit.predicted_after.shape == (6,)
