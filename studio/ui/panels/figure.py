"""A panel of several plots side by side (decision regions before/after, one histogram per task parameter)."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from studio.ui.panels import svg_export
from studio.ui.panels.axes import readable_axes
from studio.ui.panels.base import export_item, plot_or_note, style_plot


class FigurePanel(QWidget):
    """Plots in a grid (one pyqtgraph layout), a note in their place when there is nothing to draw, PNG/SVG export."""

    def __init__(self, object_name: str, title: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        svg_export.install()
        self.figure = pg.GraphicsLayoutWidget()
        self.figure.setBackground("w")
        self.figure.setObjectName(object_name)
        self.figure.setMinimumSize(240, 180)
        self.title = self.figure.addLabel(title, row=0, col=0, colspan=2, color="#333333", size="10pt")
        self.note, self.stack = plot_or_note(self, self.figure)

    def add_plot(self, row: int, col: int, title: str, x_label: str, y_label: str) -> pg.PlotItem:
        """A plot styled as every panel's, at ``row`` (from 1: row 0 is the title), ``col``."""
        plot = self.figure.addPlot(row=row, col=col, axisItems=readable_axes("left", "bottom"))
        grid = self.figure.ci.layout
        grid.setRowStretchFactor(0, 0)  # the title row as tall as its text; the plots share the rest
        grid.setRowStretchFactor(row, 1)
        style_plot(plot, title, x_label, y_label)
        return plot

    def set_title(self, text: str) -> None:
        self.title.setText(text, color="#333333", size="10pt")

    def show_note(self, text: str | None) -> None:
        """Show ``text`` in place of the plots (``None`` shows the plots again)."""
        self.note.setText(text or "")
        self.stack.setCurrentWidget(self.note if text else self.figure)

    def export_image(self, path: str | Path) -> Path:
        """Every plot of the panel as one PNG or SVG."""
        return export_item(self.figure.ci, path)
