"""``studio eval`` of a seed series (``studio run --seeds N``): each seed's scores, then the mean ± 95% CI
across seeds and across all tasks, as MAML++ reports results."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from studio.cli import main
from studio.engine.evaluation import mean_ci95
from studio.engine.events import Evaluation
from studio.export.aggregate import mean_std_ci
from studio.export.seed_series import over_seeds, over_tasks, seed_folders

FAST = ["--iterations", "2", "--set", "training.eval_every=2", "--set", "training.eval_tasks=4"]
FAST += ["--set", "training.meta_batch_size=2", "--device", "cpu", "--quiet"]


def summary_of(scores: torch.Tensor) -> Evaluation:
    """An evaluation of per-task scores (tasks, steps) as the engine summarises them."""
    mean, half = mean_ci95(scores.double())
    return Evaluation(0, tuple(range(scores.shape[1])), tuple(mean.tolist()), tuple(half.tolist()), len(scores))


def test_the_pooled_interval_is_the_one_over_every_task_of_every_seed():
    generator = torch.Generator().manual_seed(0)
    scores = [torch.rand(n, 3, generator=generator) + shift for n, shift in ((50, 0.0), (80, 0.3), (20, -0.1))]
    evaluations = [summary_of(s) for s in scores]
    mean, half = over_tasks(evaluations)
    everything = torch.cat(scores).double()
    np.testing.assert_allclose(mean, everything.mean(0).numpy(), rtol=1e-10)
    np.testing.assert_allclose(half, (1.96 * everything.std(0) / len(everything) ** 0.5).numpy(), rtol=1e-8)
    seed_mean, seed_half = over_seeds(evaluations)
    expected = [mean_std_ci([float(s[:, step].double().mean()) for s in scores]) for step in range(3)]
    np.testing.assert_allclose(seed_mean, [e[0] for e in expected])
    np.testing.assert_allclose(seed_half, [e[2] for e in expected])  # Student's t over three seeds
    assert seed_half[0] > half[0]  # three seeds say less than 150 tasks do


def test_eval_of_a_seed_series_reports_each_seed_and_both_summaries(tmp_path, capsys):
    out = tmp_path / "series"
    assert main(["run", "maml-sine", "--seeds", "2", "--seed", "4", "--out", str(out), *FAST]) == 0
    assert seed_folders(out) == [out / "seed-4", out / "seed-5"] and seed_folders(out / "seed-4") == []
    capsys.readouterr()
    assert main(["eval", str(out), "--tasks", "20", "--steps", "2", "--json"]) == 0
    series = json.loads(capsys.readouterr().out)
    assert main(["eval", str(out / "seed-5"), "--tasks", "20", "--steps", "2", "--json"]) == 0
    alone = json.loads(capsys.readouterr().out)
    assert series["seeds"] == [4, 5] and series["steps"] == [0, 1, 2] and series["tasks_per_seed"] == 20
    assert series["per_seed"][1]["loss_mean"] == alone["loss_mean"]  # the same held-out tasks as eval of one run
    means = np.array([seed["loss_mean"] for seed in series["per_seed"]])
    np.testing.assert_allclose(series["over_seeds"]["loss_mean"], means.mean(0))
    np.testing.assert_allclose(series["over_tasks"]["loss_mean"], means.mean(0))  # equal task counts
    assert series["over_seeds"]["loss_ci95"][0] > 0 and series["protocol"]["batch_norm"] == "transductive"

    assert main(["eval", str(out), "--tasks", "20", "--steps", "2"]) == 0
    printed = capsys.readouterr().out
    assert "2 seeds, 20 held-out tasks each" in printed and "after 2 step(s)" in printed
    rows = {line.split("  ")[0]: line for line in printed.splitlines()}
    assert {"4", "5", "over seeds (t)", "over all tasks"} <= rows.keys()
    assert f"{series['over_seeds']['loss_mean'][-1]:.4f} ± {series['over_seeds']['loss_ci95'][-1]:.4f}" in printed


def test_a_folder_that_is_neither_a_run_nor_a_series_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "seed-1").mkdir()  # no run inside
    assert main(["eval", str(tmp_path)]) == 2
    assert "preset.toml" in capsys.readouterr().err


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
