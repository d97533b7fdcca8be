"""The live panels on their own, fed with records as the window feeds them: what is left after a clear,
axis ranges, log axes, legends."""

from __future__ import annotations

import numpy as np

from studio.engine.events import Evaluation, StepMetrics, TasksDrawn
from studio.ui.panels.adaptation import AdaptationPanel
from studio.ui.panels.loss import LossPanel
from studio.ui.panels.tasks_drawn import TasksDrawnPanel
from studio.ui.plot_controls import PlotControls
from studio.ui.run_data import RunData


def shown(qtbot, panel):
    qtbot.addWidget(panel)
    panel.resize(500, 400)
    panel.show()
    return panel


def data_of(*events) -> RunData:
    data = RunData()
    for event in events:
        data.add(event)
    return data


def y_range(panel) -> tuple[float, float]:
    panel.plot.getViewBox().updateAutoRange()
    return tuple(panel.plot.getViewBox().viewRange()[1])


def test_a_cleared_adaptation_panel_keeps_no_band_of_the_last_run(qtbot):
    panel = shown(qtbot, AdaptationPanel())
    panel.refresh(data_of(Evaluation(10, (0, 1, 2), (5.0, 3.0, 1.0), (0.5, 0.4, 0.3), 10)))
    assert not panel.band.path().isEmpty()
    panel.clear()
    assert panel.band.path().isEmpty()
    panel.refresh(data_of(Evaluation(10, (0, 1, 2), (0.3, 0.2, 0.1), (0.01, 0.01, 0.01), 10)))
    low, high = y_range(panel)
    assert high < 1.0  # the range is the new run's, not the old band's (up to 5.5)
    panel.clear()
    panel.refresh(data_of(Evaluation(10, (0,), (0.4,), (0.02,), 10)))  # a one-point learner: bars, no band
    assert panel.band.path().isEmpty() and y_range(panel)[1] < 1.0


def test_a_cleared_tasks_drawn_panel_keeps_no_empty_histograms(qtbot):
    panel = shown(qtbot, TasksDrawnPanel())
    values = {"amplitude": np.linspace(0.1, 5, 20), "phase": np.linspace(0, 3, 20)}
    panel.refresh(data_of(TasksDrawn(20, "uniform", values)))
    assert set(panel.histograms) == {"amplitude", "phase"} and len(panel.figure.ci.items) == 3
    panel.clear()
    assert panel.histograms == {} and len(panel.figure.ci.items) == 1  # the title only
    panel.refresh(data_of(TasksDrawn(20, "uniform", {"slope": np.linspace(-1, 1, 20)})))
    assert set(panel.histograms) == {"slope"} and panel.histograms["slope"].counts.sum() == 20


def loss_with_controls(qtbot) -> tuple[LossPanel, PlotControls]:
    panel = shown(qtbot, LossPanel())
    controls = PlotControls(panel, "loss")
    panel.layout().insertWidget(0, controls)
    return panel, controls


def train(panel: LossPanel, data: RunData, until: int) -> None:
    """Iterations up to ``until`` with a falling loss and an evaluation every 50, redrawn every 20."""
    for i in range(data.iteration + 1, until + 1):
        data.add(StepMetrics(i, 3.0 / i**0.5, 100.0, i * 0.01))
        if i % 50 == 0:
            data.add(Evaluation(i, (0, 1), (5.0, 3.0 / i), (0.5, 0.4), 10))
        if i % 20 == 0:
            panel.refresh(data)
    panel.refresh(data)


def test_log_x_during_a_live_run_follows_the_run_in_decades(qtbot):
    panel, controls = loss_with_controls(qtbot)
    data = data_of(Evaluation(0, (0, 1), (5.0, 3.0), (0.5, 0.4), 10))  # a stopped run's first evaluation at 0
    train(panel, data, 100)
    controls.log_x.setChecked(True)  # switched on mid-run
    train(panel, data, 400)
    low, high = panel.plot.getViewBox().viewRange()[0]
    assert -0.2 < low < 0.2 and np.log10(400) <= high < np.log10(1000) + 0.1  # 1 to at most 1000, as 10^x
    controls.log_x.setChecked(False)
    train(panel, data, 450)
    assert 450 <= panel.plot.getViewBox().viewRange()[0][1] < 500 + 20


def test_reset_zoom_shows_every_curve_whole(qtbot):
    panel, controls = loss_with_controls(qtbot)
    x = np.arange(1, 1001.0)
    panel.curve("compared run", "#ff0000").setData(x, 1 / np.sqrt(x))
    panel.plot.setXRange(100, 200)  # zoomed in: the curves are clipped to the view
    controls.reset_zoom()
    low, high = panel.plot.getViewBox().viewRange()[0]
    assert low <= 1 and high >= 1000


def test_following_the_run_on_screen_keeps_longer_compared_runs_in_view(qtbot):
    panel, _ = loss_with_controls(qtbot)
    data = RunData()
    panel.cover_x(5000.0)  # a compared run that went on to iteration 5000
    train(panel, data, 60)
    assert panel.plot.getViewBox().viewRange()[0][1] >= 5000
    panel.cover_x(0.0)
    train(panel, data, 120)
    assert panel.plot.getViewBox().viewRange()[0][1] < 500
