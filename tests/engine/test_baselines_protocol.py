"""The baselines go through the meta-learner's evaluation protocol: its batch-norm statistics, test-time ways and
shots (with a new head of the tasks' size), and a baseline run's own final scores at its tuned fine-tuning."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch

from studio.cli import main
from studio.engine import Training
from studio.engine.baselines import evaluate_baselines
from studio.engine.events import RunFinished
from studio.engine.tasks import TaskBatch
from tests.engine.image_fixtures import one_thread_fixture  # noqa: F401
from tests.engine.test_eval_protocol import glyphs

CPU = torch.device("cpu")
# 40 classes: 28 meta-train, 4 validation, 8 test; 2-way training tasks with 4 queries per class
TASK = {"classes": 40, "drawings": 6, "ways": 2, "queries": 4}
BASELINES = {"baselines": ["pretrain", "scratch"], "pretrain_iterations": 3, "tuning_tasks": 2}
ONE_CHOICE = {**BASELINES, "baseline_lrs": [0.1], "baseline_steps": [3]}  # nothing left to tune


def query_half(tasks: TaskBatch, half: int) -> TaskBatch:
    """``tasks`` with only the first or second half of each task's queries."""
    n = tasks.x_query.shape[1] // 2
    part = slice(0, n) if half == 0 else slice(n, 2 * n)
    return dataclasses.replace(tasks, x_query=tasks.x_query[:, part], y_query=tasks.y_query[:, part])


def baseline_scores(training: Training, tasks: TaskBatch) -> dict[str, torch.Tensor]:
    """Each baseline's mean query loss and accuracy after 0..3 fine-tuning steps on ``tasks``."""
    scored = evaluate_baselines(training.preset, tasks, 3, CPU, training.eval_family)
    return {b.baseline: torch.tensor([b.evaluation.loss_mean, b.evaluation.accuracy_mean]) for b in scored}


@pytest.mark.parametrize("batch_norm", ["support", "transductive"])
def test_baselines_score_each_query_on_its_own_only_with_support_statistics(batch_norm, one_thread):
    """With the support set's statistics a task's score is the mean of its queries' own, so scoring half the
    queries at a time averages to scoring all of them; with the query batch's statistics it does not."""
    preset = glyphs("protonet", task=TASK, evaluation={**ONE_CHOICE, "batch_norm": batch_norm})
    training = Training(preset)
    whole = baseline_scores(training, training.eval_tasks)
    halves = [baseline_scores(training, query_half(training.eval_tasks, h)) for h in (0, 1)]
    for name in ("pretrain", "scratch"):  # pretrain with its body frozen: features of the body alone
        averaged = (halves[0][name] + halves[1][name]) / 2
        assert torch.allclose(whole[name], averaged, atol=1e-5) == (batch_norm == "support"), name


def test_baselines_evaluate_another_number_of_ways_with_a_new_head(one_thread):
    evaluation = {**ONE_CHOICE, "ways": 4, "baseline_steps": [10]}
    preset = glyphs("protonet", task=TASK, evaluation=evaluation, model={"filters": 8})
    training = Training(preset)
    assert training.eval_tasks.y_query.max() == 3  # four-way tasks, two-way training
    scored = list(training.baseline_events())
    assert [b.baseline for b in scored] == ["pretrain", "scratch"]
    for baseline in scored:
        assert baseline.evaluation.tasks == len(training.eval_tasks)
        assert baseline.evaluation.accuracy_mean[-1] > 1 / 4  # after fine-tuning a four-way head: above chance


def test_a_pretrain_run_scores_four_way_tasks_with_a_four_way_head(one_thread):
    evaluation = {**BASELINES, "baselines": [], "ways": 4, "baseline_lrs": [0.1], "baseline_steps": [10]}
    preset = glyphs("pretrain", task=TASK, evaluation=evaluation, model={"filters": 8})
    training = Training(preset)
    assert training.evaluator.model[-1].out_features == 4 and training.model[-1].out_features == 2
    (finished,) = [e for e in training.events() if isinstance(e, RunFinished)]
    assert finished.final.accuracy_mean[-1] > 1 / 4


def test_a_baseline_runs_summary_is_scored_at_the_fine_tuning_chosen_for_it(tmp_path):
    out = tmp_path / "run"
    sets = ["evaluation.baseline_lrs=[0.001, 0.02]", "evaluation.baseline_steps=[2, 5]", "evaluation.tuning_tasks=4"]
    sets += ["model.hidden=[8]", "training.eval_tasks=4", "training.eval_every=3", "algorithm.inner_steps=1"]
    args = [arg for setting in sets for arg in ("--set", setting)]
    assert main(["run", "pretrain-sine", "--out", str(out), "--iterations", "3", *args, "--device", "cpu"]) == 0
    final = json.loads((out / "summary.json").read_text())["final_evaluation"]
    chosen = final["finetuning"]
    assert chosen["lr"] in (0.001, 0.02) and chosen["steps"] in (2, 5) and chosen["tasks"] == 4
    assert final["steps"] == sorted({0, 1, chosen["steps"]})  # the run's own inner step, and the chosen count


def test_the_pretrain_baselines_body_is_chosen_on_the_tuning_tasks(one_thread):
    """``pretrain_body = "chosen"`` fine-tunes whichever body (frozen, fine-tuned) has the lower validation loss."""
    grid = {**BASELINES, "baselines": ["pretrain"], "baseline_lrs": [0.01, 0.1], "baseline_steps": [2, 5]}
    chosen = {}
    for body in ("chosen", "frozen", "fine-tuned"):
        preset = glyphs("protonet", task=TASK, evaluation={**grid, "pretrain_body": body}, model={"filters": 8})
        (chosen[body],) = [b.finetuning for b in Training(preset).baseline_events()]
    lower = min(("frozen", "fine-tuned"), key=lambda body: chosen[body].validation_loss)
    assert chosen["chosen"].body == lower and chosen["frozen"].body == chosen["fine-tuned"].body == ""
    assert chosen["chosen"].validation_loss == chosen[lower].validation_loss
    assert chosen["frozen"].validation_loss != chosen["fine-tuned"].validation_loss  # a real choice
