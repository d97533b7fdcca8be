"""The selected runs' settings side by side: one row per run, one column per setting, differing ones marked."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QCheckBox, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from studio.export.hyperparameters import format_value, hyperparameter_table
from studio.export.library import RunRecord

DIFFERS = "#fff3c4"  # the report's colour for a setting that differs


class HyperparameterTable(QWidget):
    """``show(records)``; the table's columns are dotted setting paths, those that differ highlighted."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.records: list[RunRecord] = []
        self.differing: set[str] = set()
        self.only_differing = QCheckBox("only settings that differ")
        self.only_differing.setObjectName("onlyDifferingCheck")
        self.only_differing.setChecked(True)
        self.only_differing.toggled.connect(lambda: self.show_records(self.records))
        self.note = QLabel("Select runs to compare their settings.")
        self.note.setWordWrap(True)
        self.table = QTableWidget()
        self.table.setObjectName("hyperparameterTable")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.only_differing, self.note, self.table):
            layout.addWidget(widget)

    def show_records(self, records: Sequence[RunRecord]) -> None:
        self.records = list(records)
        presets = [r.preset for r in self.records]
        columns, rows, self.differing = hyperparameter_table(presets, self.only_differing.isChecked())
        self.table.clear()
        self.table.setRowCount(len(rows))
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setVerticalHeaderLabels([r.name for r in self.records])
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                self.table.setItem(row, column, self._cell(value, columns[column] in self.differing))
        for column, key in enumerate(columns):
            self._mark_header(column, key in self.differing)
        self.note.setText(self._note(len(records), len(self.differing)))

    @staticmethod
    def _cell(value: object, differs: bool) -> QTableWidgetItem:
        item = QTableWidgetItem(format_value(value))
        if differs:
            item.setBackground(QBrush(QColor(DIFFERS)))
        return item

    def _mark_header(self, column: int, differs: bool) -> None:
        header = self.table.horizontalHeaderItem(column)
        font = QFont(header.font())
        font.setBold(differs)
        header.setFont(font)
        header.setToolTip("differs among the selected runs" if differs else "the same in every selected run")

    @staticmethod
    def _note(runs: int, differing: int) -> str:
        if runs < 2:
            return "Select two or more runs to see which settings differ." if runs else "Select runs to compare."
        return f"{differing} setting(s) differ among {runs} runs (highlighted)."

    def highlighted_columns(self) -> set[str]:
        """The columns drawn as differing (what the tests check against the library)."""
        found = set()
        for column in range(self.table.columnCount()):
            if self.table.horizontalHeaderItem(column).font().bold():
                found.add(self.table.horizontalHeaderItem(column).text())
        return found
