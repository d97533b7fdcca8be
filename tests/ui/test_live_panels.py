"""The live panels on their own, fed with records as the window feeds them: what is left after a clear,
axis ranges, log axes, legends."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter

from studio.engine.events import Evaluation, StepMetrics, TasksDrawn
from studio.ui.panels.adaptation import AdaptationPanel
from studio.ui.panels.legend_place import box_at, points_under
from studio.ui.panels.loss import LossPanel
from studio.ui.panels.tasks_drawn import TasksDrawnPanel
from studio.ui.plot_controls import PlotControls
from studio.views.run_data import RunData


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


def drawn_labels(axis) -> list[tuple[QRectF, str]]:
    """The tick labels the axis paints, with their rectangles (pyqtgraph's own layout of them)."""
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(QRectF(rect), text) for rect, _, text in specs[2] if text]


def overlapping(labels: list[tuple[QRectF, str]]) -> list[tuple[str, str]]:
    return [(a, b) for i, (ra, a) in enumerate(labels) for rb, b in labels[i + 1 :] if ra.intersects(rb)]


def test_log_axes_label_without_overlap(qtbot):
    panel, controls = loss_with_controls(qtbot)
    panel.resize(640, 300)
    data = RunData()
    for i in range(1, 301):
        data.add(StepMetrics(i, 0.07 * 100 ** (i / 300), 100.0, i * 0.01))  # 0.07 to 7: two decades
    panel.refresh(data)
    controls.log_x.setChecked(True)
    qtbot.wait(50)
    for side in ("bottom", "left"):
        labels = drawn_labels(panel.plot.getAxis(side))
        assert len(labels) >= 3 and overlapping(labels) == [], (side, [text for _, text in labels])


def test_switched_to_log_x_the_loss_curve_is_shown_from_its_first_iteration(qtbot):
    panel, controls = loss_with_controls(qtbot)
    panel.resize(640, 300)
    data = RunData()
    for i in range(1, 301):
        data.add(StepMetrics(i, 0.07 * 100 ** (i / 300), 100.0, i * 0.01))
    panel.refresh(data)
    controls.log_x.setChecked(True)
    qtbot.wait(50)
    left, right = panel.plot.getViewBox().viewRange()[0]
    assert left <= 0.0 < np.log10(300) <= right  # iteration 1 (log10 1 = 0) to 300 in view
    assert panel.meta.curve.xData[0] == 0.0  # and drawn: no downsampling for the range before the switch


def test_short_histograms_label_without_overlap(qtbot):
    panel = shown(qtbot, TasksDrawnPanel())
    panel.resize(280, 260)
    values = {name: np.random.default_rng(0).uniform(0, 5, 500) for name in ("amplitude", "phase", "slope")}
    panel.refresh(data_of(TasksDrawn(20, "uniform", values)))
    qtbot.wait(50)
    for histogram in panel.histograms.values():
        labels = drawn_labels(histogram.plot.getAxis("left"))
        assert [text for _, text in labels] == [str(histogram.counts.max())]


def test_the_legend_moves_off_the_data(qtbot):
    panel = shown(qtbot, LossPanel())  # legend top right
    data = RunData()
    for i in range(1, 301):
        data.add(StepMetrics(i, 0.1 * 100 ** (i / 300), 100.0, i * 0.01))  # rising: the top right is full
    panel.refresh(data)
    qtbot.wait(50)
    view, size = panel.plot.getViewBox().sceneBoundingRect(), panel.legend.boundingRect()
    covered = points_under(panel.plot, box_at(view, size.width(), size.height(), tuple(panel.legend.opts["offset"])))
    assert covered > 0  # as drawn until the legend looks for a better corner
    corner = panel.legend_placer.place()
    assert points_under(panel.plot, box_at(view, size.width(), size.height(), corner)) == 0
    assert tuple(panel.legend.opts["offset"]) == corner


class Drag:
    """The parts of a pyqtgraph mouse drag a legend reads."""

    def __init__(self, by: tuple[float, float]):
        self.by = by

    def button(self):
        return Qt.MouseButton.LeftButton

    def accept(self) -> None:
        pass

    def pos(self):
        return pg.Point(*self.by)

    def lastPos(self):  # noqa: N802 (pyqtgraph's name)
        return pg.Point(0, 0)


def test_a_legend_the_user_dragged_stays_where_it_was_put(qtbot):
    panel = shown(qtbot, LossPanel())
    data = RunData()
    for i in range(1, 301):
        data.add(StepMetrics(i, 0.1 * 100 ** (i / 300), 100.0, i * 0.01))
    panel.refresh(data)
    panel.legend.mouseDragEvent(Drag((-40, 30)))
    put = panel.legend.pos()
    panel.legend_placer.place()
    assert panel.legend.pos() == put


def test_the_accuracy_axis_stays_linear_and_follows_log_x(qtbot):
    panel, controls = loss_with_controls(qtbot)
    data = RunData()
    train(panel, data, 40)
    data.add(Evaluation(40, (0, 1), (1.0, 0.5), (0.1, 0.1), 10, (0.4, 0.7), (0.05, 0.05)))
    panel.refresh(data)
    controls.log_x.setChecked(True)
    assert not panel.plot.getAxis("right").logMode and panel.plot.getAxis("bottom").logMode
    x, y = panel.accuracy.getData()
    assert x == pytest.approx([np.log10(40)]) and y == pytest.approx([0.7])  # in the loss's log x, linear y


def test_a_long_loss_curve_is_drawn_as_one_min_max_pair_per_pixel_column(qtbot):
    """The same envelope as every point, at a fraction of the drawing: pyqtgraph's default of five samples a pixel
    kept ~9,000 of a 10,000-point curve, and 100 overlaid runs took twice as long to draw."""
    panel = shown(qtbot, LossPanel())
    rng = np.random.default_rng(0)
    panel.refresh(data_of(*(StepMetrics(i, 1.0 + rng.random(), 100.0, i * 0.01) for i in range(1, 10_001))))
    panel.grab()  # a render: the curve takes its display points for the plot's width now
    width = panel.plot.getViewBox().width()
    drawn = panel.meta.curve
    assert 0 < len(drawn.xData) <= 2 * width + 4  # two points (min, max) per pixel column
    highest = panel.meta.yData.max()
    highest = np.log10(highest) if panel.plot.getAxis("left").logMode else highest  # as the curve holds it
    assert drawn.yData.max() == pytest.approx(highest)  # the peaks are kept
    column = 10_000 / width  # iterations per pixel column
    assert drawn.xData[0] <= 1 + 2 * column and drawn.xData[-1] >= 10_000 - 2 * column  # end to end, to a pixel
