"""The training loop as a generator of records: order, reproducibility, learning, stopping."""

import numpy as np

from studio.engine import Evaluation, RunFinished, RunStarted, StepMetrics, TaskFit, Training, run
from tests.engine.helpers import tiny_preset


def losses(events) -> list[float]:
    return [e.meta_loss for e in events if isinstance(e, StepMetrics)]


def test_records_come_in_order_with_evaluations_at_the_cadence():
    events = list(run(tiny_preset()))
    assert isinstance(events[0], RunStarted) and isinstance(events[-1], RunFinished)
    steps = [e.iteration for e in events if isinstance(e, StepMetrics)]
    assert steps == list(range(1, 31))
    assert [e.iteration for e in events if isinstance(e, Evaluation)] == [10, 20, 30]
    assert [e.iteration for e in events if isinstance(e, TaskFit)] == [10, 20, 30]
    finished = events[-1]
    assert finished.reason == "completed" and finished.iteration == 30
    assert finished.final == [e for e in events if isinstance(e, Evaluation)][-1]


def test_same_seed_same_metrics_and_different_seed_differs():
    first, second = list(run(tiny_preset())), list(run(tiny_preset()))
    assert losses(first) == losses(second)
    evals = [e.loss_mean for e in first if isinstance(e, Evaluation)]
    assert evals == [e.loss_mean for e in second if isinstance(e, Evaluation)]
    other = list(run(tiny_preset().replace(seed=1)))
    assert losses(other) != losses(first)


def test_meta_training_lowers_the_held_out_loss_after_adaptation():
    preset = tiny_preset(
        training={"iterations": 300, "eval_every": 300, "eval_tasks": 50, "meta_batch_size": 10, "meta_lr": 0.005}
    )
    training = Training(preset)
    before = training.evaluate().loss_mean[-1]
    for _ in training.events():
        pass
    after = training.evaluate().loss_mean[-1]
    assert after < 0.7 * before


def test_should_stop_ends_the_run_early_and_keeps_a_final_evaluation():
    calls = []

    def stop_after_five() -> bool:
        calls.append(1)
        return len(calls) > 5

    events = list(run(tiny_preset(), should_stop=stop_after_five))
    finished = events[-1]
    assert finished.reason == "stopped" and finished.iteration == 5
    assert finished.final is not None and finished.final.iteration == 5


def test_task_fit_shows_truth_support_and_predictions_that_adaptation_improves():
    preset = tiny_preset(training={"iterations": 200, "eval_every": 200, "meta_batch_size": 10})
    training = Training(preset)
    *_, fit = [e for e in training.events() if isinstance(e, TaskFit)]
    assert fit.x.shape == fit.y_true.shape == fit.before.shape == fit.after.shape
    assert fit.x_support.shape == (5,) and fit.steps == 2
    err_before = np.mean((fit.before - fit.y_true) ** 2)
    err_after = np.mean((fit.after - fit.y_true) ** 2)
    assert err_after < err_before


def test_training_leaves_the_callers_random_state_alone():
    import torch

    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    Training(tiny_preset())
    assert torch.equal(torch.rand(3), expected)
