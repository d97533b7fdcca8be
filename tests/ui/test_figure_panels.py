"""The window's panels as figure panels: decision regions in the figure palette, histograms of the drawn tasks;
Qt draws an exported SVG as matplotlib does."""

from __future__ import annotations

import numpy as np

from studio.engine.events import DecisionMap, TasksDrawn
from studio.export.figure_style import colour_for
from studio.ui.figure_panels import decision_figure, tasks_drawn_figure
from studio.ui.panels.decision_map import STRONG
from studio.views.run_data import RunData


def test_decision_regions_use_the_figure_palette_and_keep_every_point():
    grid = np.linspace(-1.0, 1.0, 5)
    sure = np.zeros((5, 5, 3))
    sure[..., 1] = 1.0  # every grid point certain of class 1
    points, labels = np.array([[0.0, 0.0], [0.5, 0.5], [-0.5, 0.5]]), np.array([0, 1, 2])
    fit = DecisionMap(7, grid, grid, np.full((5, 5, 3), 1 / 3), sure, points, labels, points * 0.9, labels, 2)
    before, after = decision_figure(fit)
    assert (before.title, after.title) == ("Before adapting", "After 2 steps")
    assert after.raster.extent == (-1.0, 1.0, -1.0, 1.0) and after.raster.pixels.shape == (5, 5, 3)
    colour = np.array([int(colour_for(1)[i : i + 2], 16) for i in (1, 3, 5)])
    np.testing.assert_allclose(after.raster.pixels[2, 2], 255 * (1 - STRONG) + colour * STRONG, atol=1)
    filled = [c for c in after.curves if not c.hollow]
    assert [len(c.x) for c in filled] == [1, 1, 1] and [c.colour for c in filled] == [colour_for(k) for k in range(3)]


def test_tasks_drawn_become_one_histogram_per_parameter():
    data = RunData()
    values = {"amplitude": np.array([0.5, 1.0, 1.5, 4.0]), "phase": np.array([0.1, np.nan, 3.0])}
    data.add(TasksDrawn(40, "uniform", values))
    amplitude, phase = tasks_drawn_figure(data)
    (bars,) = amplitude.curves
    assert bars.draw == "steps" and int(np.sum(bars.y)) == 4 and len(bars.x) == len(bars.y) + 1
    assert phase.y_label == "tasks (of 2)"  # the NaN is not a task drawn


def test_qt_draws_an_exported_svg_as_matplotlib_does(qapp, qtlog):
    from PySide6.QtCore import QBuffer, QByteArray
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    from studio.export.figures import figure_bytes
    from tests.test_figures import DPI, MAX_MEAN_DIFFERENCE, PANELS, SIZE, blurred, png_size

    png, svg = figure_bytes(PANELS, "png", SIZE, DPI), figure_bytes(PANELS, "svg", SIZE, DPI)
    width, height = png_size(png)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    QSvgRenderer(QByteArray(svg)).render(painter)
    painter.end()
    assert [record.message for record in qtlog.records] == []  # no path or link it could not read
    buffer = QByteArray()
    device = QBuffer(buffer)
    device.open(QBuffer.OpenModeFlag.WriteOnly)
    image.save(device, "PNG")
    assert float(np.abs(blurred(bytes(buffer.data())) - blurred(png)).mean()) < MAX_MEAN_DIFFERENCE
