"""The preview of a table's tasks: groups per split, rows per group (a histogram) and one task's rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.ui.panels.base import BLUE, INK, export_widget, pen, style_plot
from studio.views.tabular_rows import QUERY, SPLIT_WORDS, TaskTable

QUERY_TINT = "#f3f6fb"  # query rows on a faint background, support rows on white


def rows_histogram(rows_per_group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct row counts, groups with that many rows)."""
    sizes, groups = np.unique(rows_per_group, return_counts=True)
    return sizes.astype(float), groups.astype(float)


class TabularPreview(QWidget):
    """``groups`` (a line of text), ``histogram`` (rows per group) and ``table`` (one task's rows)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.groups = QLabel(wordWrap=True)
        self.groups.setStyleSheet(f"color: {INK};")
        self.histogram_widget = pg.PlotWidget(background="w")
        self.histogram_widget.setObjectName("rowsPerGroupPlot")
        self.histogram_widget.setFixedHeight(120)
        plot = self.histogram_widget.getPlotItem()
        style_plot(plot, "", "rows per group", "groups")
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8, brush=pg.mkBrush(BLUE), pen=pen(BLUE))
        plot.addItem(self.bars)
        self.table = QTableWidget()
        self.table.setObjectName("taskRowsTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setDefaultSectionSize(20)
        self.table.setMinimumHeight(160)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.groups, self.histogram_widget, self.table):
            layout.addWidget(widget)
        self.counts: tuple[np.ndarray, np.ndarray] = (np.empty(0), np.empty(0))

    def show_table(self, task: TaskTable) -> None:
        splits = " · ".join(f"{SPLIT_WORDS[s]} {n}" for s, n in task.groups_per_split.items())
        self.groups.setText(f"Groups (tasks): {splits}.  One meta-train task, group '{task.group}':")
        self.counts = rows_histogram(task.rows_per_group)
        self.bars.setOpts(x=self.counts[0], height=self.counts[1], width=_bar_width(self.counts[0]))
        sizes, groups = self.counts
        plot = self.histogram_widget.getPlotItem()
        plot.setXRange(float(sizes.min()) - 1, float(sizes.max()) + 1, padding=0.05)
        plot.setYRange(0, float(groups.max()) * 1.15, padding=0)
        few = len(sizes) <= 12  # whole row counts as ticks, not 29.5
        plot.getAxis("bottom").setTicks([[(float(n), str(int(n))) for n in sizes]] if few else None)
        self._fill(task)

    def _fill(self, task: TaskTable) -> None:
        self.table.clear()
        self.table.setColumnCount(len(task.columns))
        self.table.setRowCount(len(task.rows))
        self.table.setHorizontalHeaderLabels(list(task.columns))
        self.table.setVerticalHeaderLabels(list(task.parts))
        tint = QBrush(QColor(QUERY_TINT))
        for row, (values, part) in enumerate(zip(task.rows, task.parts)):
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if part == QUERY:
                    item.setBackground(tint)
                self.table.setItem(row, column, item)

    def export_image(self, path: str | Path) -> Path:
        return export_widget(self, path)


def _bar_width(sizes: np.ndarray) -> float:
    gaps = np.diff(sizes)
    return 0.8 * float(gaps.min()) if len(gaps) else 0.8
