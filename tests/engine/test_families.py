"""Task families: shapes, seeded determinism, parameters within their ranges, and learnability."""

import pytest
import torch

from studio.config import preset_from_dict
from studio.engine import Evaluation, Training
from studio.engine.tasks import build_family

PARAMETRIC = ["sinusoid", "harmonic", "sine_line", "polynomial", "blobs2d"]


def family_of(name: str, **settings):
    return build_family(preset_from_dict({"task": {"family": name, **settings}}).task)


@pytest.mark.parametrize("name", PARAMETRIC)
def test_batches_have_the_documented_shapes(name):
    family = family_of(name)
    cfg = family.config
    batch = family.sample(6, torch.Generator().manual_seed(0))
    per_class = getattr(cfg, "ways", 1)
    assert batch.x_support.shape == (6, cfg.shots * per_class, family.input_dim)
    assert batch.x_query.shape == (6, cfg.queries * per_class, family.input_dim)
    if family.kind == "regression":
        assert batch.y_support.shape == (6, cfg.shots, 1) and batch.y_support.dtype == torch.float32
    else:
        assert batch.y_support.shape == (6, cfg.shots * per_class) and batch.y_support.dtype == torch.int64
    assert torch.isfinite(batch.x_query).all()


@pytest.mark.parametrize("name", PARAMETRIC)
def test_same_generator_seed_gives_the_same_tasks(name):
    family = family_of(name)
    first = family.sample(4, torch.Generator().manual_seed(5))
    again = family.sample(4, torch.Generator().manual_seed(5))
    other = family.sample(4, torch.Generator().manual_seed(6))
    assert torch.equal(first.y_query, again.y_query) and torch.equal(first.x_support, again.x_support)
    assert not torch.equal(first.x_support, other.x_support)


def test_sinusoid_parameters_and_inputs_stay_in_their_ranges():
    family = family_of("sinusoid", amplitude=[1.0, 2.0], phase=[0.5, 0.6], x_range=[-1.0, 3.0])
    batch = family.sample(500, torch.Generator().manual_seed(0))
    assert batch.params["amplitude"].min() >= 1.0 and batch.params["amplitude"].max() <= 2.0
    assert batch.params["phase"].min() >= 0.5 and batch.params["phase"].max() <= 0.6
    assert batch.x_support.min() >= -1.0 and batch.x_query.max() <= 3.0
    torch.testing.assert_close(batch.y_support, family.target(batch.params, batch.x_support))


def test_harmonic_follows_its_formula_with_two_frequencies():
    family = family_of("harmonic", frequency=[5.0, 7.0])
    batch = family.sample(200, torch.Generator().manual_seed(1))
    p = batch.params
    assert p["frequency"].min() >= 5.0 and p["frequency"].max() <= 7.0
    x = batch.x_support[0]
    expected = p["a1"][0] * torch.sin(p["frequency"][0] * x + p["b1"][0]) + p["a2"][0] * torch.sin(
        2 * p["frequency"][0] * x + p["b2"][0]
    )
    torch.testing.assert_close(batch.y_support[0], expected)
    centres = batch.x_support.mean(dim=(1, 2))
    assert (centres - p["x_center"]).abs().mean() < 0.6  # inputs gather around each task's centre


def test_sine_line_mixes_in_the_configured_fraction():
    batch = family_of("sine_line", line_fraction=0.25).sample(4000, torch.Generator().manual_seed(2))
    assert batch.params["is_line"].mean().item() == pytest.approx(0.25, abs=0.03)
    line = int(torch.nonzero(batch.params["is_line"])[0])
    x, y = batch.x_support[line], batch.y_support[line]
    torch.testing.assert_close(y, batch.params["slope"][line] * x + batch.params["intercept"][line])


def test_polynomial_degrees_stay_in_range_and_higher_coefficients_are_zero():
    batch = family_of("polynomial", degree=[1, 2], coefficient=[-1.0, 1.0]).sample(
        300, torch.Generator().manual_seed(3)
    )
    degree = batch.params["degree"].long()
    assert set(degree.tolist()) == {1, 2}
    coefficients = batch.params["coefficients"]
    assert coefficients.shape == (300, 3)
    assert torch.all(coefficients[degree == 1, 2] == 0)


def test_blobs_put_each_class_around_its_centre():
    family = family_of("blobs2d", ways=4, shots=30, spread=0.1)
    batch = family.sample(3, torch.Generator().manual_seed(4))
    centers = batch.params["centers"]
    for task in range(3):
        for label in range(4):
            points = batch.x_support[task][batch.y_support[task] == label]
            assert len(points) == 30
            assert torch.linalg.norm(points.mean(0) - centers[task, label]) < 0.1


@pytest.mark.parametrize("name", ["harmonic", "sine_line", "polynomial", "blobs2d"])
def test_a_short_maml_run_lowers_the_adapted_held_out_loss(name):
    preset = preset_from_dict(
        {
            "task": {"family": name},
            "model": {"hidden": [40, 40]},
            "training": {
                "iterations": 150,
                "eval_every": 150,
                "eval_tasks": 40,
                "meta_batch_size": 10,
                "meta_lr": 0.003,
                "device": "cpu",
            },
        }
    )
    training = Training(preset)
    before = training.evaluate().loss_mean[-1]
    final = [e for e in training.events() if isinstance(e, Evaluation)][-1]
    assert final.loss_mean[-1] < 0.95 * before
