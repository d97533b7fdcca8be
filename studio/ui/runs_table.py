"""The runs folder as a table: one row per run, sortable by any column, the name editable, a check box per
run to show or hide its curves, and the run's plot colour beside its name while it is compared."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from studio.export.annotations import annotation_text
from studio.export.hyperparameters import format_value
from studio.export.library import RunRecord
from studio.export.report import duration_text
from studio.views.labels import choice_label

COLUMNS = ("Name", "Algorithm", "Task family", "Key settings", "Status", "Final loss ± 95% CI", "Duration", "Started",
           "Notes")  # fmt: skip
NAME, SETTINGS, STATUS, DURATION, STARTED = 0, 3, 4, 6, 7
MAX_COLUMN, MAX_SETTINGS = 300, 230  # pixels
KEY = Qt.ItemDataRole.UserRole
SORT = Qt.ItemDataRole.UserRole + 1
STATUS_COLOURS = {"running": "#1565c0", "finished": "#2e7d32", "stopped": "#b26a00", "failed": "#c62828",
                  "resumable": "#6a1b9a"}  # fmt: skip
SHORT_KEYS = {"algorithm.inner_lr": "α", "training.meta_lr": "β", "algorithm.inner_steps": "K",
              "training.meta_batch_size": "batch", "training.iterations": "iters"}  # fmt: skip


class SortItem(QTableWidgetItem):
    """Sorts by the value kept under :data:`SORT` (numbers as numbers, empty last), not by the text."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT), other.data(SORT)
        if mine is None or theirs is None:
            return theirs is None and mine is not None
        try:
            return mine < theirs
        except TypeError:
            return str(mine) < str(theirs)


def key_settings_text(record: RunRecord) -> str:
    """``shots=5 α=0.01 K=1 seed=0``: the run's key hyperparameters, short."""
    parts = []
    for key, value in record.hyperparameters.items():
        name = SHORT_KEYS.get(key, key.rpartition(".")[2])
        parts.append(f"{name}={format_value(value)}")
    return " ".join(parts)


def cells(record: RunRecord) -> list[tuple[str, object]]:
    """Each column's text and sort key."""
    final = record.final_loss if record.final_loss is not None else None
    return [
        (record.name, record.name.lower()),
        (choice_label("algorithm", record.algorithm), record.algorithm),
        (choice_label("task", record.family), record.family),
        (key_settings_text(record), key_settings_text(record)),
        (record.status, record.status),
        (record.final_text, final),
        (duration_text(record.duration_seconds), record.duration_seconds),
        (record.date, record.started),
        (annotation_text(record.note, record.tags), annotation_text(record.note, record.tags)),
    ]


def swatch(colour: str | None) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(colour) if colour else Qt.GlobalColor.transparent)
    return QIcon(pixmap)


class RunsTable(QTableWidget):
    """``fill(records)``; ``renamed(key, name)`` after editing a name, ``checkToggled(key, shown)``."""

    renamed = Signal(str, str)
    checkToggled = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("runsTable")
        self.setHorizontalHeaderLabels(COLUMNS)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.verticalHeader().hide()
        self.setWordWrap(False)
        self.setIconSize(QSize(12, 12))
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.records: dict[str, RunRecord] = {}
        self._filling = False
        self.itemChanged.connect(self._item_changed)
        self.setSortingEnabled(True)
        self.sortByColumn(STARTED, Qt.SortOrder.DescendingOrder)  # newest first

    def fill(self, records: Sequence[tuple[str, RunRecord]], shown: set[str], selected: set[str]) -> None:
        """Rows for ``(key, record)`` pairs; ``shown`` are checked, ``selected`` selected again."""
        self._filling = True
        self.setSortingEnabled(False)
        self.records = dict(records)
        self.setRowCount(len(records))
        for row, (key, record) in enumerate(records):
            self._fill_row(row, key, record, key in shown)
        self.setSortingEnabled(True)
        self._filling = False
        self.fit_columns()
        self.select_keys(selected)

    def fit_columns(self) -> None:
        """Each column as wide as its contents, up to :data:`MAX_COLUMN` (the full text is in the tool tip)."""
        self.resizeColumnsToContents()
        for column in range(self.columnCount() - 1):
            widest = MAX_SETTINGS if column == SETTINGS else MAX_COLUMN
            self.setColumnWidth(column, min(self.columnWidth(column) + 8, widest))

    def _fill_row(self, row: int, key: str, record: RunRecord, shown: bool) -> None:
        for column, (text, sort) in enumerate(cells(record)):
            item = SortItem(text)
            item.setData(SORT, sort)
            item.setData(KEY, key)
            flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
            if column == NAME:
                flags |= Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable
                item.setCheckState(Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked)
                item.setToolTip(f"{record.path}\nDouble-click to rename; the check box shows or hides its curves")
            if column == SETTINGS:
                item.setToolTip(text)  # the column may be too narrow for all of it
            if column == STATUS:
                item.setForeground(QColor(STATUS_COLOURS.get(record.status, "#333333")))
                item.setToolTip(record.message or record.status)
            item.setFlags(flags)
            self.setItem(row, column, item)

    def update_record(self, key: str, record: RunRecord) -> None:
        """One row's cells from ``record`` in place (a training run's progress): its check box, its selection and
        the rows' order stay as they are."""
        name = self.name_item(key)
        if name is None:
            return
        self._filling, sorting = True, self.isSortingEnabled()
        self.setSortingEnabled(False)
        for column, (text, sort) in enumerate(cells(record)):
            cell = self.item(name.row(), column)
            if column != NAME and cell is not None:
                cell.setText(text)
                cell.setData(SORT, sort)
        self.records[key] = record
        self.setSortingEnabled(sorting)
        self._filling = False

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != NAME:
            return
        key = item.data(KEY)
        record = self.records.get(key)
        if record is not None and item.text() != record.name:
            self.renamed.emit(key, item.text())
        else:
            self.checkToggled.emit(key, item.checkState() == Qt.CheckState.Checked)

    # ---- rows by key ----------------------------------------------------------------------

    def name_item(self, key: str) -> QTableWidgetItem | None:
        for row in range(self.rowCount()):
            item = self.item(row, NAME)
            if item is not None and item.data(KEY) == key:
                return item
        return None

    def selected_keys(self) -> list[str]:
        """Selected runs in table order (top to bottom)."""
        rows = sorted({index.row() for index in self.selectedIndexes()})
        return [self.item(row, NAME).data(KEY) for row in rows if not self.isRowHidden(row)]

    def select_keys(self, keys: set[str] | Sequence[str]) -> None:
        """Select exactly these runs (one selection change, not one per row)."""
        selection, last = QItemSelection(), self.columnCount() - 1
        for row in range(self.rowCount()):
            if self.item(row, NAME).data(KEY) in keys:
                selection.select(self.model().index(row, 0), self.model().index(row, last))
        self.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def set_checked(self, key: str, shown: bool) -> None:
        item = self.name_item(key)
        if item is not None:
            self._filling = True
            item.setCheckState(Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked)
            self._filling = False

    def set_colours(self, colours: dict[str, str]) -> None:
        """A swatch of each compared run's plot colour beside its name."""
        self._filling = True
        for row in range(self.rowCount()):
            item = self.item(row, NAME)
            item.setIcon(swatch(colours.get(item.data(KEY))))
        self._filling = False
        self.resizeColumnToContents(NAME)

    def show_only(self, keys: set[str]) -> None:
        """The filter: hide the rows of other runs."""
        for row in range(self.rowCount()):
            self.setRowHidden(row, self.item(row, NAME).data(KEY) not in keys)
