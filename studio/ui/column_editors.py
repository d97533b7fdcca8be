"""Controls for fields that name columns of the user's CSV file: the file's header is offered by name.

A column is picked from an editable combo box (a name the file lacks stays
typed, and validation marks it); several columns are a check box each.  The
names arrive with :meth:`set_columns` once the file is known, and again when
it changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QWidget

Emit = Callable[[Any], None]


class ColumnCombo(QComboBox):
    """One column: the file's columns to pick from, or any name typed."""

    def __init__(self, value: str, emit: Emit, parent: QWidget | None = None):
        super().__init__(parent)
        self.setEditable(True)
        self.columns: list[str] = []
        self.setCurrentText(value)
        self.lineEdit().setPlaceholderText("choose the CSV file first, or type a column name")
        self.currentTextChanged.connect(emit)

    def set_columns(self, columns: Sequence[str]) -> None:
        if list(columns) == self.columns:
            return
        self.columns, text = list(columns), self.currentText()
        self.blockSignals(True)
        self.clear()
        self.addItems(self.columns)
        self.setCurrentText(text)
        self.blockSignals(False)


class ColumnChecks(QWidget):
    """Several columns: a check box per column of the file; none checked means every other column.
    Until the file's columns are known, a line edit of comma-separated names."""

    def __init__(self, value: Any, emit: Emit, parent: QWidget | None = None):
        super().__init__(parent)
        self.chosen = [str(v) for v in value] if isinstance(value, (list, tuple)) else []
        self.emit = emit
        self.columns: list[str] = []
        self.boxes: dict[str, QCheckBox] = {}
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.typed = QLineEdit(", ".join(self.chosen))
        self.typed.setPlaceholderText("every other column")
        self.typed.textChanged.connect(lambda text: self._send([w.strip() for w in text.split(",") if w.strip()]))
        self.row.addWidget(self.typed)

    def set_columns(self, columns: Sequence[str]) -> None:
        if list(columns) == self.columns:
            return
        self.columns = list(columns)
        while self.row.count():
            widget = self.row.takeAt(0).widget()
            if widget is not None and widget is not self.typed:
                widget.deleteLater()
        self.boxes = {}
        shown = self.columns + [c for c in self.chosen if c not in self.columns]  # an unknown one stays, marked
        for column in shown:
            box = QCheckBox(column)
            box.setObjectName(f"choice:{column}")
            box.setChecked(column in self.chosen)
            box.toggled.connect(lambda _: self._send([c for c, b in self.boxes.items() if b.isChecked()]))
            self.boxes[column] = box
            self.row.addWidget(box)
        self.typed.setVisible(not shown)
        if not shown:
            self.row.addWidget(self.typed)
        self.row.addStretch(1)

    def _send(self, chosen: list[str]) -> None:
        self.chosen = chosen
        self.emit(chosen)
