"""Faults during training: divergence stops with a message (or is skipped and counted); runs that
cannot fit in memory are refused before they start."""

import math

import pytest
import torch

from studio.cli import main
from studio.config import ConfigError
from studio.engine import RunFinished, StepMetrics, Training
from studio.engine.algorithms.base import MetaLearner
from tests.engine.helpers import tiny_preset


def poison_after(monkeypatch, iteration: int) -> None:
    """Make the meta-gradients non-finite from ``iteration`` on (counting from 1)."""
    real = MetaLearner.meta_gradients
    calls = {"n": 0}

    def poisoned(self, params, batch):
        calls["n"] += 1
        grads, loss = real(self, params, batch)
        if calls["n"] >= iteration:
            name = next(iter(grads))
            grads = {**grads, name: grads[name] * math.nan}
        return grads, loss

    monkeypatch.setattr(MetaLearner, "meta_gradients", poisoned)


def test_a_non_finite_gradient_stops_the_run_naming_iteration_and_cause(monkeypatch):
    poison_after(monkeypatch, 5)
    training = Training(tiny_preset())
    before = {k: v.detach().clone() for k, v in training.params.items()}
    events = list(training.events())
    finished = events[-1]
    assert isinstance(finished, RunFinished) and finished.reason == "diverged" and finished.iteration == 4
    assert "gradient of 0.weight became non-finite at iteration 5" in finished.message
    assert "training.meta_lr = 0.001" in finished.message and "algorithm.inner_lr = 0.05" in finished.message
    assert all(torch.isfinite(v).all() for v in training.params.values())
    assert any(not torch.equal(before[k], training.params[k]) for k in before)  # the 4 good steps were kept
    assert finished.final is not None and all(math.isfinite(x) for x in finished.final.loss_mean)


def test_skip_drops_bad_meta_batches_and_counts_them(monkeypatch):
    poison_after(monkeypatch, 25)
    training = Training(tiny_preset(training={"on_divergence": "skip"}))
    events = list(training.events())
    finished = events[-1]
    assert finished.reason == "completed" and finished.iteration == 30 and finished.skipped_batches == 6
    nan_steps = [e.iteration for e in events if isinstance(e, StepMetrics) and math.isnan(e.meta_loss)]
    assert nan_steps == [25, 26, 27, 28, 29, 30]  # skipped batches report no loss
    assert all(torch.isfinite(v).all() for v in training.params.values())


def test_an_exploding_learning_rate_is_reported_by_the_cli(tmp_path, capsys):
    args = ["run", "maml-sine", "--out", str(tmp_path / "run"), "--quiet", "--iterations", "200", "--device", "cpu"]
    args += ["--set", "algorithm.inner_lr=90", "--set", "algorithm.inner_steps=5", "--set", "training.eval_tasks=5"]
    code = main(args)
    err = capsys.readouterr().err
    assert code == 1
    assert "became non-finite at iteration" in err and "learning rate is the likely cause" in err
    assert (tmp_path / "run" / "model.safetensors").exists()


def test_a_run_too_big_for_memory_is_refused_with_the_estimate():
    preset = tiny_preset(model={"hidden": [30000, 30000]}, training={"meta_batch_size": 1000})
    with pytest.raises(ConfigError, match=r"training.meta_batch_size this run needs about [\d.]+ GiB on cpu"):
        Training(preset)


def test_the_cli_refuses_it_without_writing_anything(tmp_path, capsys):
    code = main(
        [
            "run",
            "maml-sine",
            "--out",
            str(tmp_path / "run"),
            "--set",
            "model.hidden=[30000, 30000]",
            "--set",
            "training.meta_batch_size=1000",
            "--device",
            "cpu",
        ]
    )
    assert code == 2 and "needs about" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()
