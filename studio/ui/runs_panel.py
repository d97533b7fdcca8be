"""The Runs panel: every run in the runs folder (and any folder opened), filterable, sortable, multi-select,
with the selected runs' settings side by side.  Selecting runs overlays them on the plots."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.config import ConfigError
from studio.export.annotations import Annotations, read_annotations, set_annotations
from studio.export.library import RunRecord, delete_run, filter_runs, read_run, rename_run, run_folders, scan_runs
from studio.export.run_lock import folders_stamp
from studio.ui.hyperparameter_table import HyperparameterTable
from studio.ui.notes_dialog import ask_notes
from studio.ui.run_overlay import run_key
from studio.ui.runs_table import RunsTable

BANDS = {"± std": "std", "± 95% CI": "ci95"}
WATCH_MS = 1000  # how often the runs folder is looked at for new, ended and killed runs
PROGRESS_LOOKS = 5  # a training run's row (duration, last evaluation) is read again every this many looks


def ask_delete(parent: QWidget, records: Sequence[RunRecord]) -> bool:
    """Ask before deleting run folders (tests replace :attr:`RunsPanel.confirm_delete`)."""
    names = "\n".join(f"  {r.path}" for r in records[:10]) + ("\n  …" if len(records) > 10 else "")
    answer = QMessageBox.question(
        parent, "Delete runs", f"Delete {len(records)} run folder(s) and everything in them?\n{names}"
    )
    return answer == QMessageBox.StandardButton.Yes


def _button(text: str, name: str, tip: str, slot: Callable[[], None]) -> QToolButton:
    button = QToolButton(text=text)
    button.setObjectName(name)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


class RunsPanel(QWidget):
    """``refresh(root, active)``; ``selectionChanged(records)``, ``checkToggled(key, shown)``,
    ``useSettings(record)``, ``continueRun(record)``, ``followRun(record)``, ``groupingChanged()``, ``problem(text)``."""

    selectionChanged = Signal(list)
    checkToggled = Signal(str, bool)
    useSettings = Signal(object)
    continueRun = Signal(object)
    followRun = Signal(object)  # a run left running by an earlier window: show it live again
    groupingChanged = Signal()
    problem = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("runsPanel")
        self.records: list[RunRecord] = []
        self.extra: list[Path] = []  # run folders opened from elsewhere
        self.active: set[str] = set()
        self.unchecked: set[str] = set()
        self.confirm_delete: Callable[[Sequence[RunRecord]], bool] = lambda records: ask_delete(self, records)
        self.ask_notes: Callable[[RunRecord, Annotations], Annotations | None] = lambda record, now: ask_notes(
            self, record.name, now
        )  # tests replace it
        self.table = RunsTable()
        self.settings = HyperparameterTable()
        self.filter = QLineEdit(placeholderText="Filter: name, algorithm, family, status, setting=value …")
        self.filter.setObjectName("runsFilter")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.apply_filter)
        self._layout()
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.renamed.connect(self.rename)
        self.table.checkToggled.connect(self._check_toggled)
        self._root: Path | None = None
        self._stamp: tuple = ()
        self._looks = 0
        self.watch = QTimer(self)
        self.watch.setInterval(WATCH_MS)
        self.watch.timeout.connect(self._look)
        self.watch.start()
        self.table.fit_columns()  # empty, as the list looks until the folder is read (after the window's first paint)
        self._selection_changed()

    def _layout(self) -> None:
        self.group_seeds = QCheckBox("seeds as mean")
        self.group_seeds.setObjectName("groupSeedsCheck")
        self.group_seeds.setToolTip("Draw runs that differ only in their seed as their mean with a band")
        self.band = QComboBox()
        self.band.setObjectName("bandChoice")
        self.band.addItems(list(BANDS))
        self.band.setCurrentText("± 95% CI")
        for signal in (self.group_seeds.toggled, self.band.currentIndexChanged):
            signal.connect(self.groupingChanged)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.group_seeds)
        top.addWidget(self.band)
        for button in self._buttons():
            top.addWidget(button)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.settings)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(2, 2, 2, 2)
        column.addLayout(top)
        column.addWidget(split, 1)

    def _buttons(self) -> list[QToolButton]:
        self.use_button = _button("Use settings", "useSettingsButton", "Load the selected run's settings into the "
                                  "form, to run it again", self._use_settings)  # fmt: skip
        self.continue_button = _button("Continue", "continueRunButton", "Resume the selected run from its "
                                       "latest checkpoint", self._continue)  # fmt: skip
        self.follow_button = _button("Follow", "followRunButton", "Show the selected run, left running by an "
                                     "earlier window, live again and control it from here", self._follow)  # fmt: skip
        self.delete_button = _button("Delete…", "deleteRunsButton", "Delete the selected run folders", self.delete)
        self.notes_button = _button("Notes…", "runNotesButton", "The selected run's tags and note (its notes.json; "
                                    "the filter finds #tags and words of notes)", self.edit_notes)  # fmt: skip
        refresh = _button("Refresh", "refreshRunsButton", "Read the runs folder again", lambda: self.refresh())
        return [
            self.use_button,
            self.continue_button,
            self.follow_button,
            self.notes_button,
            self.delete_button,
            refresh,
        ]

    # ---- contents ------------------------------------------------------------------------

    def refresh(self, root: str | Path | None = None, active: Iterable[str | Path] | None = None) -> None:
        """Read the runs folder ``root`` (the last one by default) again; ``active`` are training now."""
        self._root = Path(root) if root is not None else self._root
        if active is not None:
            self.active = {run_key(p) for p in active}
        self._stamp = self._folders_stamp()
        records = self._scan()
        keys = {run_key(r.path) for r in records}
        for path in self.extra:
            if run_key(path) not in keys and path.is_dir():
                records.append(self._read(path))
        selected = set(self.table.selected_keys())
        self.records = records
        pairs = [(run_key(r.path), r) for r in records]
        self.table.blockSignals(True)  # one selection change below, not one per row
        try:
            self.table.fill(pairs, {k for k, _ in pairs} - self.unchecked, selected)
            self.apply_filter()
        finally:
            self.table.blockSignals(False)
        self._selection_changed()

    def _look(self) -> None:
        """Read the list again when a run appeared, ended or lost its process (a run killed writes nothing)."""
        if self._folders_stamp() != self._stamp:
            self.refresh()
            return
        self._looks += 1
        if self._looks % PROGRESS_LOOKS == 0:
            self._read_training_again()

    def _read_training_again(self) -> None:
        """The rows of runs still training, with their progress (the folder stamp changes only when a run
        appears, ends or loses its process)."""
        for index, record in enumerate(self.records):
            if record.status != "running":
                continue
            try:
                fresh = self._read(record.path)
            except (ConfigError, OSError):  # gone meanwhile: the next look at the folder says so
                continue
            self.records[index] = fresh
            self.table.update_record(run_key(record.path), fresh)

    def _folders_stamp(self) -> tuple:
        try:
            found = run_folders(self._root) if self._root is not None and self._root.is_dir() else []
            return folders_stamp([*found, *self.extra])
        except OSError:  # a folder went away while being looked at: look again next time
            return ()

    def _scan(self) -> list[RunRecord]:
        if self._root is None or not self._root.is_dir():
            return []
        try:
            return scan_runs(self._root, active=self.active)
        except (ConfigError, OSError) as error:
            self.problem.emit(str(error))
            return []

    def _read(self, path: Path) -> RunRecord:
        return read_run(path, running=run_key(path) in self.active)

    def add_folder(self, path: str | Path) -> RunRecord:
        """Show a run folder from anywhere (File > Open run folder) and select it; bad folders raise."""
        record = read_run(path)
        if all(run_key(p) != run_key(path) for p in self.extra):
            self.extra.append(Path(path))
        self.refresh()
        self.select([record.path])
        return record

    def apply_filter(self) -> None:
        kept = filter_runs(self.records, self.filter.text())
        self.table.show_only({run_key(r.path) for r in kept})

    # ---- selection ------------------------------------------------------------------------

    def select(self, paths: Iterable[str | Path]) -> None:
        self.table.select_keys({run_key(p) for p in paths})

    def selected(self) -> list[RunRecord]:
        by_key = {run_key(r.path): r for r in self.records}
        return [by_key[k] for k in self.table.selected_keys() if k in by_key]

    def _selection_changed(self) -> None:
        records = self.selected()
        self.settings.show_records(records)
        one = len(records) == 1
        self.use_button.setEnabled(one)
        self.notes_button.setEnabled(one)
        self.continue_button.setEnabled(one and records[0].resumable and records[0].status in ("resumable", "stopped"))
        self.follow_button.setEnabled(
            one and records[0].status == "running" and run_key(records[0].path) not in self.active
        )
        self.delete_button.setEnabled(bool(records))
        self.selectionChanged.emit(records)

    def _check_toggled(self, key: str, shown: bool) -> None:
        self.unchecked = self.unchecked - {key} if shown else self.unchecked | {key}
        self.checkToggled.emit(key, shown)

    def set_shown(self, key: str, shown: bool) -> None:
        """A legend click hid or showed a run: tick its box to match."""
        self.unchecked = self.unchecked - {key} if shown else self.unchecked | {key}
        self.table.set_checked(key, shown)

    @property
    def band_kind(self) -> str:
        return BANDS[self.band.currentText()]

    # ---- actions ----------------------------------------------------------------------------

    def rename(self, key: str, name: str) -> None:
        record = next((r for r in self.records if run_key(r.path) == key), None)
        try:
            if record is not None:
                rename_run(record.path, name)
        except ConfigError as error:
            self.problem.emit(str(error))
        self.refresh()

    def edit_notes(self) -> None:
        """Ask for the selected run's tags and note and write them to its folder."""
        if len(self.selected()) != 1:
            return
        record = self.selected()[0]
        typed = self.ask_notes(record, read_annotations(record.path))
        if typed is None:
            return
        try:
            set_annotations(record.path, typed)
        except ConfigError as error:
            self.problem.emit(str(error))
        self.refresh()

    def delete(self) -> list[Path]:
        """Delete the selected run folders after asking; the deleted ones."""
        records = self.selected()
        if not records or not self.confirm_delete(records):
            return []
        deleted, problems = [], []
        for record in records:
            try:
                delete_run(record.path, running=run_key(record.path) in self.active)
                deleted.append(record.path)
            except (ConfigError, OSError) as error:
                problems.append(str(error))
        self.extra = [p for p in self.extra if p not in deleted]
        self.refresh()
        if problems:
            self.problem.emit("\n".join(problems))
        return deleted

    def _use_settings(self) -> None:
        if len(self.selected()) == 1:
            self.useSettings.emit(self.selected()[0])

    def _continue(self) -> None:
        if len(self.selected()) == 1:
            self.continueRun.emit(self.selected()[0])

    def _follow(self) -> None:
        if len(self.selected()) == 1:
            self.followRun.emit(self.selected()[0])
