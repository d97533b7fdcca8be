"""The baselines' fine-tuning step size and step count, chosen on validation tasks and reported."""

from __future__ import annotations

import json
import math

import pytest
import torch

from studio.cli import main
from studio.config import ConfigError, preset_from_dict
from studio.engine.evaluation import adaptation_scores
from studio.engine.events import BaselineEvaluation
from studio.engine.finetuning import choose_finetuning, tuning_tasks, with_finetuning
from studio.engine.streams import generator
from studio.engine.tasks import build_family
from studio.engine.training import Training
from tests.engine.helpers import tiny_preset

CPU = torch.device("cpu")


def linear_regression_preset(**evaluation: object):
    """Lines y = a x + b fitted by a single linear layer: noise-free and convex, so more steps at a stable rate
    only help, a tiny rate barely moves and a huge one diverges."""
    return tiny_preset(
        task={"family": "sine_line", "line_fraction": 1.0, "shots": 10, "queries": 10},
        model={"hidden": []},
        algorithm={"name": "scratch", "inner_steps": 1},
        evaluation={"baseline_lrs": [1e-4, 0.02, 100.0], "baseline_steps": [1, 20], "tuning_tasks": 20, **evaluation},
    )


def test_the_chosen_rate_and_steps_minimise_the_validation_loss():
    preset = linear_regression_preset()
    training = Training(preset)
    tasks = tuning_tasks(preset, training.family)
    chosen = choose_finetuning(training.learner, training.params, tasks, preset.evaluation, 1, CPU)
    assert (chosen.lr, chosen.steps, chosen.tasks) == (0.02, 20, 20)
    losses = {}
    for lr in preset.evaluation.baseline_lrs:
        curve = adaptation_scores(with_finetuning(training.learner, lr), training.params, tasks, 20, CPU)["loss"]
        losses |= {(lr, steps): float(curve[:, steps].mean()) for steps in (1, 20)}
    finite = {k: v for k, v in losses.items() if math.isfinite(v)}
    assert min(finite, key=finite.get) == (0.02, 20) and chosen.validation_loss == pytest.approx(finite[(0.02, 20)])
    assert not math.isfinite(losses[(100.0, 20)])  # the diverging rate was in the grid, and passed over


def test_tuning_draws_validation_tasks_apart_from_the_scored_ones():
    preset = preset_from_dict({"task": {"family": "glyphs", "classes": 60, "image_size": 16, "ways": 3, "shots": 1}})
    family = build_family(preset.task)
    tuning = tuning_tasks(preset, family)
    scored = family.sample(len(tuning), generator(preset.seed, "eval"), split="validation")  # what training scores
    assert set(tuning.params["classes"].flatten().tolist()) <= set(family.classes["validation"].tolist())
    assert not torch.equal(tuning.x_support, scored.x_support)  # its own stream


def test_every_rate_diverging_is_an_error_naming_the_grid():
    preset = linear_regression_preset(baseline_lrs=[50.0, 100.0], baseline_steps=[20])
    training = Training(preset)
    tasks = tuning_tasks(preset, training.family)
    with pytest.raises(ConfigError, match="evaluation.baseline_lrs made every fine-tuning diverge"):
        choose_finetuning(training.learner, training.params, tasks, preset.evaluation, 1, CPU)


def test_an_empty_step_grid_keeps_the_meta_learners_steps():
    preset = linear_regression_preset(baseline_steps=[], baselines=["scratch"])
    preset = preset.replace(algorithm=preset.algorithm.__class__(inner_steps=3))
    (baseline,) = Training(preset).baseline_events()
    assert baseline.finetuning.steps == 3 and baseline.evaluation.steps == (0, 1, 2, 3)


def test_chosen_fine_tuning_is_in_summary_json_and_printed_by_eval(tmp_path, capsys):
    out = tmp_path / "run"
    grid = ['evaluation.baselines=["pretrain", "scratch"]', "evaluation.baseline_lrs=[0.001, 0.02]"]
    grid += ["evaluation.baseline_steps=[1, 6]", "evaluation.tuning_tasks=6", "evaluation.pretrain_iterations=20"]
    fast = ["--iterations", "4", "--set", "training.eval_every=4", "--set", "training.eval_tasks=5", "--quiet"]
    sets = [arg for setting in grid + ["model.hidden=[8, 8]"] for arg in ("--set", setting)]
    assert main(["run", "maml-sine", "--out", str(out), *fast, *sets, "--device", "cpu"]) == 0
    summary = json.loads((out / "summary.json").read_text())["baselines"]
    for name in ("pretrain", "scratch"):
        chosen = summary[name]["finetuning"]
        assert chosen["lr"] in (0.001, 0.02) and chosen["steps"] in (1, 6) and chosen["tasks"] == 6
        assert summary[name]["steps"] == sorted({0, 1, chosen["steps"]})  # the run's steps and the chosen count
    assert summary["pretrain"]["pretraining"].startswith("pooled examples")
    capsys.readouterr()
    assert main(["eval", str(out), "--tasks", "5", "--device", "cpu"]) == 0
    printed = capsys.readouterr()
    assert "studio: note: pretrain baseline fine-tuned at lr " in printed.err
    assert "(chosen on 6 validation tasks)" in printed.err
    rows = printed.out.splitlines()[2:]
    chosen_steps = {summary[name]["finetuning"]["steps"] for name in summary}  # eval chooses the same again
    assert [int(row.split()[0]) for row in rows] == sorted({0, 1} | chosen_steps)  # a row for each scored step


def test_a_pretrain_run_is_itself_scored_at_the_chosen_fine_tuning(tmp_path, capsys):
    out = tmp_path / "run"
    sets = ["--set", "evaluation.baseline_lrs=[0.001, 0.02]", "--set", "evaluation.baseline_steps=[2, 5]"]
    sets += ["--set", "evaluation.tuning_tasks=4", "--set", "model.hidden=[8]", "--set", "training.eval_tasks=4"]
    assert main(["run", "pretrain-sine", "--out", str(out), "--iterations", "3", *sets, "--device", "cpu"]) == 0
    capsys.readouterr()
    assert main(["eval", str(out), "--tasks", "4", "--steps", "1", "--json", "--device", "cpu"]) == 0
    printed = capsys.readouterr()
    assert "studio: note: pretrain: fine-tuned at lr " in printed.err and "chosen on 4 validation tasks" in printed.err
    steps = json.loads(printed.out)["steps"]
    assert steps[:2] == [0, 1] and steps[-1] in (2, 5)


def test_baseline_records_carry_their_choice():
    preset = linear_regression_preset(baselines=["scratch"])
    events = list(Training(preset).events())
    (baseline,) = [e for e in events if isinstance(e, BaselineEvaluation)]
    assert baseline.finetuning.lr == 0.02 and baseline.pretraining.startswith("none")
