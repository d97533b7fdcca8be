"""A plot panel: a pyqtgraph plot set up once for every panel (labelled axes, legend, fast curves, export)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from pyqtgraph import exporters
from PySide6.QtCore import Qt, QTimer
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from studio.ui.panels import svg_export
from studio.ui.panels.axes import readable_axes
from studio.ui.panels.legend_place import LegendPlacer, add_legend
from studio.ui.panels.svg_export import QtSvgExporter

BLUE, ORANGE, GREEN, RED, GREY = "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#7f7f7f"
TASK_COLORS = (BLUE, ORANGE, GREEN, RED, "#9467bd", "#8c564b", "#e377c2", "#17becf")
INK = "#333333"
EMPTY = np.empty(0)
LEGEND_MS = 700  # how often a legend looks for the corner that hides the least data
# for a curve of one value per iteration: one min/max pair per pixel column draws the same envelope as every
# point, where pyqtgraph's default (5 samples a pixel, two points each) kept ~9,000 of a 10,000-point curve:
# 100 overlaid runs drew in 88 ms, then 44. Not for curves of a function (the task preview), which it would bend
LONG_SERIES = {"autoDownsampleFactor": 1.0}


def pen(color: str, style: Qt.PenStyle = Qt.PenStyle.SolidLine, width: int = 1) -> pg.QtGui.QPen:
    """Width-1 cosmetic pens: fast to draw at any zoom."""
    return pg.mkPen(color=color, width=width, style=style)


def class_color(label: int) -> str:
    """The colour of class ``label`` wherever classes are drawn (points, decision regions, image rows)."""
    return TASK_COLORS[int(label) % len(TASK_COLORS)]


def style_plot(plot: pg.PlotItem, title: str, x_label: str, y_label: str, grid: bool = True) -> None:
    """Title, axis labels and ticks as every panel draws them."""
    plot.setTitle(title or None, color=INK, size="10pt")  # None, not "": an empty title still takes a row
    for side, text in (("bottom", x_label), ("left", y_label)):
        axis = plot.getAxis(side)
        axis.setPen(pen(GREY))
        axis.setTextPen(pen(INK))
        axis.setStyle(tickLength=5)  # outward: an axis that reaches into the plot is repainted with every curve
        axis.enableAutoSIPrefix(False)  # unitless values below 1 would otherwise read "800 (x0.001)"
        if text:
            plot.setLabel(side, text, color=INK, **{"font-size": "9pt"})
        else:  # an empty label would still take its row or column
            axis.showLabel(False)
    if grid:  # grid lines belong to the axes: a plot redrawn 30 times a second is cheaper without
        plot.showGrid(x=True, y=True, alpha=0.15)
    plot.setDownsampling(auto=True, mode="peak")
    plot.setClipToView(True)


def export_item(item: pg.GraphicsObject, path: str | Path) -> Path:
    """Write a plot item (or a layout of plots) as PNG or SVG, by the suffix of ``path``."""
    path = Path(path)
    if path.suffix.lower() == ".svg":
        QtSvgExporter(item).export(str(path))
        return path
    exporter = exporters.ImageExporter(item)
    exporter.parameters()["width"] = max(int(item.sceneBoundingRect().width()), 640)
    exporter.export(str(path))
    return path


def export_widget(widget: QWidget, path: str | Path) -> Path:
    """Any widget (a table, a page of plots) as PNG, or as SVG through Qt's SVG generator."""
    path = Path(path)
    if path.suffix.lower() != ".svg":
        widget.grab().save(str(path))
        return path
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(widget.size())
    generator.setViewBox(widget.rect())
    widget.render(generator)
    return path


def plot_or_note(panel: QWidget, plots: QWidget) -> tuple[QLabel, QStackedWidget]:
    """Lay out ``panel`` as ``plots`` or, in their place, a note saying why there is nothing to draw."""
    note = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
    note.setStyleSheet(f"color: {GREY}; background: white; padding: 12px;")
    stack = QStackedWidget()
    stack.addWidget(plots)
    stack.addWidget(note)
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(stack)
    return note, stack


class PlotPanel(QWidget):
    """One live plot; subclasses add their curves and a ``refresh``/``clear``."""

    def __init__(
        self,
        object_name: str,
        title: str,
        x_label: str,
        y_label: str,
        grid: bool = True,
        legend_corner: tuple[int, int] = (
            -8,
            8,
        ),  # pyqtgraph offsets: negative x from the right, negative y from the bottom
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        svg_export.install()
        self.plot_widget = pg.PlotWidget(background="w", axisItems=readable_axes("left", "bottom"))
        self.plot_widget.setObjectName(object_name)
        self.plot_widget.setMinimumSize(240, 180)
        self.plot: pg.PlotItem = self.plot_widget.getPlotItem()
        self._style(title, x_label, y_label, grid)
        self.legend = add_legend(self.plot, legend_corner, labelTextColor=INK, labelTextSize="8pt")
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 210))
        self.legend_placer = LegendPlacer(self.plot, self.legend)
        self.legend_timer = QTimer(self)
        self.legend_timer.setInterval(LEGEND_MS)
        self.legend_timer.timeout.connect(self.legend_placer.place)
        self.legend_timer.start()
        self.note, self.stack = plot_or_note(self, self.plot_widget)

    def _style(self, title: str, x_label: str, y_label: str, grid: bool) -> None:
        style_plot(self.plot, title, x_label, y_label, grid)

    def show_note(self, text: str | None) -> None:
        """Show ``text`` in place of the plot (``None`` shows the plot again)."""
        self.note.setText(text or "")
        self.stack.setCurrentWidget(self.note if text else self.plot_widget)

    def set_title(self, title: str) -> None:
        self.plot.setTitle(title, color=INK, size="10pt")

    def scale_changed(self, log_x: bool, follow: bool) -> None:
        """The plot controls switched an axis between linear and log; ``follow``: a panel whose x range
        follows a live run starts following it again (here: nothing to do)."""

    def curve(
        self, name: str | None, color: str, style: Qt.PenStyle = Qt.PenStyle.SolidLine, **extra
    ) -> pg.PlotDataItem:
        """An empty curve, later fed with ``setData``; ``extra`` adds symbols and the like."""
        options = {"pen": pen(color, style), "skipFiniteCheck": True, **extra}
        item = pg.PlotDataItem(EMPTY, EMPTY, name=name, antialias=False, **options)
        item.setDownsampling(auto=True, method="peak")
        item.setClipToView(True)
        self.plot.addItem(item)
        return item

    def points(self, name: str | None, color: str, size: int = 6, symbol: str = "o") -> pg.PlotDataItem:
        """Markers without a line (support points)."""
        return self.curve(
            name, color, pen=None, symbol=symbol, symbolSize=size, symbolBrush=color, symbolPen=pen("#ffffff")
        )

    def rename(self, item: pg.PlotDataItem, name: str) -> None:
        """Change a curve's legend entry."""
        label = self.legend.getLabel(item)
        if label is not None:
            label.setText(name)
            self.legend.updateSize()

    def export_image(self, path: str | Path) -> Path:
        """Write the plot as PNG or SVG (by the file's suffix)."""
        path = Path(path)
        if path.suffix.lower() == ".svg":
            return self._export_svg(path)
        return export_item(self.plot, path)

    def _export_svg(self, path: Path) -> Path:
        """Without the legend's backdrop: Qt's SVG writer puts that rectangle slightly off its text."""
        brush = self.legend.opts["brush"]
        self.legend.setBrush(None)
        try:
            QtSvgExporter(self.plot).export(str(path))
        finally:
            self.legend.setBrush(brush)
        return path
