"""How the window takes in a run's records: the evaluation pictures one per redraw, all of them before an export."""

from __future__ import annotations

import numpy as np

from studio.engine.events import Evaluation, StepMetrics, TaskFit, TasksDrawn


class Records:
    """A run on screen whose records are all there at the first look (as after a first evaluation)."""

    active, run_dir, followed, paused = False, None, None, False  # what the window asks of the run on screen

    def __init__(self, records: list):
        self.records = records

    def drain(self) -> list:
        records, self.records = self.records, []
        return records


def first_evaluation() -> list:
    x = np.linspace(-5.0, 5.0, 50)
    fit = TaskFit(20, x, np.sin(x), x[:5], np.sin(x[:5]), 0 * x, np.sin(x), 1)
    drawn = TasksDrawn(20, "uniform", {"amplitude": np.linspace(0.1, 5, 100), "phase": np.linspace(0, 3, 100)})
    evaluation = Evaluation(20, (0, 1), (3.0, 0.5), (0.2, 0.1), 10)
    return [StepMetrics(20, 0.7, 100.0, 1.0), evaluation, fit, drawn]


def pictures_drawn(window) -> int:
    """How many of the panels that change at evaluations show the first one."""
    curves = (window.adaptation_panel.latest, window.task_fit_panel.truth)
    return sum(curve.getData()[0] is not None and len(curve.getData()[0]) > 0 for curve in curves) + bool(
        window.tasks_drawn_panel.histograms
    )


def test_a_first_evaluation_is_drawn_one_picture_per_redraw(window):
    window.session = Records(first_evaluation())
    window.live.timer.timeout.emit()
    assert window.data.eval_version == 1 and len(window.loss_panel.after.getData()[0]) == 1  # the loss: at once
    assert pictures_drawn(window) == 1
    window.live.timer.timeout.emit()
    assert pictures_drawn(window) == 2
    window.live.timer.timeout.emit()
    assert pictures_drawn(window) == 3


def test_before_an_export_every_picture_is_drawn(window):
    window.session = Records(first_evaluation())
    window.live.drain_now()
    assert pictures_drawn(window) == 3
