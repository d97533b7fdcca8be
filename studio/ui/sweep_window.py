"""The Sweep window: vary fields of the experiment, run ``studio sweep`` in a child process, watch it.

The window writes the experiment and its ``[sweep]`` table to the sweep's
folder and starts ``python -m studio sweep`` on it, so a sweep from the window
is the same as one from the command line (and outlives nothing: closing the
window stops it).  Once a second it reads the study back from Optuna's journal
file: the trial table, the parallel coordinates, the objective by trial and
Optuna's parameter importances.  "Use these settings" puts a trial's values
into the experiment form.
"""

from __future__ import annotations

import copy
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QProcess, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.config import ConfigError, atomic_write_text, preset_from_dict, preset_to_toml
from studio.ui.sweep_plots import ObjectivePlot, ParallelCoordinates
from studio.ui.sweep_setup import SweepSettings, SweptFields

POLL_MS = 1000
REQUEST_FILE = "sweep-request.toml"


class SweepWindow(QWidget):
    """``SweepWindow(data, apply, runs_dir)``: ``data`` is the experiment (TOML-like), ``apply(path, value)``
    sets one of its fields.  ``finished`` fires when the sweep's process has ended."""

    finished = Signal(int)

    def __init__(self, data: Mapping[str, Any], apply: Callable[[str, Any], None], runs_dir: Path, parent=None):
        super().__init__(parent)
        self.setObjectName("sweepWindow")
        self.setWindowTitle("Sweep — Meta-Learning Studio")
        self.data, self.apply, self.runs_dir = copy.deepcopy(dict(data)), apply, Path(runs_dir)
        self.process: QProcess | None = None
        self.sweep_study = None
        self.out: Path | None = None
        self.rows: list = []
        self.found_axes: list = []
        self.fields, self.settings = SweptFields(self.data), SweepSettings()
        self.table, self.coordinates, self.objective = QTableWidget(), ParallelCoordinates(), ObjectivePlot()
        self.status, self.importances = QLabel("Tick the settings to vary, then Start."), QLabel(wordWrap=True)
        self.start_button, self.stop_button = QPushButton("Start sweep"), QPushButton("Stop")
        self.use_button = QPushButton("Use these settings")
        self._lay_out()
        self._connect()
        self.timer = QTimer(self, interval=POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.resize(1300, 820)

    def _lay_out(self) -> None:
        setup = QWidget()
        column = QVBoxLayout(setup)
        column.addWidget(QLabel("<b>Vary</b> (ranges bounded by each field's own)"))
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(self.fields)
        column.addWidget(scroll, 1)
        column.addWidget(QLabel("<b>Search</b>"))
        column.addWidget(self.settings)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.stop_button):
            buttons.addWidget(button)
        column.addLayout(buttons)
        column.addWidget(self.status)
        results = QSplitter()
        results.setOrientation(results.orientation().Vertical)
        results.addWidget(self.coordinates)
        results.addWidget(self._table_column())
        results.addWidget(self.objective)
        splitter = QSplitter()
        splitter.addWidget(setup)
        splitter.addWidget(results)
        splitter.setSizes([420, 880])
        QVBoxLayout(self).addWidget(splitter)

    def _table_column(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.table.setObjectName("trialTable")
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        column.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self.importances, 1)
        row.addWidget(self.use_button)
        column.addLayout(row)
        return box

    def _connect(self) -> None:
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.setEnabled(False)
        self.use_button.clicked.connect(self.use_selected)
        self.use_button.setEnabled(False)
        self.table.itemSelectionChanged.connect(lambda: self.use_button.setEnabled(self._selected() is not None))
        self.coordinates.brushed.connect(lambda _brushes: self._filter())

    # ---- starting and stopping -------------------------------------------------

    def start(self) -> bool:
        """Check the sweep like the CLI does, write it to its folder and start ``studio sweep`` on it."""
        from studio.config.sweep import sweep_request, sweep_toml

        try:
            base, sweep = sweep_request(self.data, self.settings.table(), self.fields.vary())
        except ConfigError as error:
            self._show_errors(error)
            return False
        self.fields.show_errors({})
        self.out = self.runs_dir / f"sweep-{time.strftime('%Y%m%d-%H%M%S')}"
        self.out.mkdir(parents=True, exist_ok=True)
        request = self.out / REQUEST_FILE
        atomic_write_text(request, preset_to_toml(preset_from_dict(base)) + "\n" + sweep_toml(sweep))
        self._launch(request)
        self.sweep = sweep
        return True

    def _show_errors(self, error: ConfigError) -> None:
        at_rows: dict[str, str] = {}
        for e in error.errors:
            if e.path.startswith("sweep.vary."):
                at_rows[e.path.removeprefix("sweep.vary.")] = str(e)
        self.fields.show_errors(at_rows)
        self.status.setText("Not started: " + "; ".join(str(e) for e in error.errors))

    def _launch(self, request: Path) -> None:
        self.process = QProcess(self)
        self.process.setProgram(sys.executable)
        self.process.setArguments(["-m", "studio", "sweep", str(request), "--out", str(self.out), "--quiet"])
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.ForwardedOutputChannel)
        self.process.finished.connect(self._ended)
        self.process.start()
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.status.setText(f"Sweeping into {self.out} …")
        self.timer.start()

    def stop(self) -> None:
        """Interrupt the sweep as Ctrl-C would: the trial in progress is marked failed, the rest are kept."""
        if self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning:
            os.kill(self.process.processId(), signal.SIGINT)
            self.status.setText("Stopping …")

    def _ended(self, code: int, _status: object) -> None:
        self.timer.stop()
        self.poll()
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        done = sum(r.state == "complete" for r in self.rows)
        self.status.setText(f"Sweep ended (exit {code}): {done} of {len(self.rows)} trials complete. {self.out}")
        self.finished.emit(code)

    def is_running(self) -> bool:
        return self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.is_running():
            self.stop()
            self.process.waitForFinished(10_000)
        super().closeEvent(event)

    # ---- following the study ---------------------------------------------------

    def poll(self) -> None:
        """Read the study back from its journal and redraw (quietly skipped while it is not written yet)."""
        from studio.sweeps.progress import axes, trial_rows

        study = self._study()
        if study is None:
            return
        self.rows = trial_rows(study.get_trials(deepcopy=False), self.sweep.trials)
        self.found_axes = axes(self.sweep, self.rows)
        self.coordinates.show_trials(self.found_axes, self.rows, self.sweep.maximize)
        self.objective.show_trials(self.rows, self.sweep.maximize, self.sweep.objective)
        self._fill_table()
        self._show_importances(study)

    def _study(self):
        import optuna

        from studio.sweeps.study import open_storage

        journal = self.out / "study.journal" if self.out else None
        if journal is None or not journal.exists():
            return None
        try:
            return optuna.load_study(study_name=self.out.name, storage=open_storage(str(journal)))
        except (KeyError, ValueError, OSError):  # not created yet, or a line half written
            return None

    def _fill_table(self) -> None:
        keys = [d.key for d in self.sweep.ordered_dimensions()]
        header = ["trial", "state", self.sweep.objective, "seconds", *keys]
        self.table.setColumnCount(len(header))
        self.table.setHorizontalHeaderLabels([key.rsplit(".", 1)[-1] for key in header])
        for j, key in enumerate(header):
            self.table.horizontalHeaderItem(j).setToolTip(key)
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            cells = [row.number, row.state, row.value, row.seconds, *(row.params.get(k) for k in keys)]
            for j, cell in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(_cell(cell)))
        self._filter()

    def _filter(self) -> None:
        """Hide the trials outside the brushed ranges of the parallel coordinates."""
        from studio.sweeps.progress import passes

        brushes = self.coordinates.brushes()
        for i, row in enumerate(self.rows):
            self.table.setRowHidden(i, not passes(row, self.found_axes, brushes))

    def _show_importances(self, study) -> None:
        from studio.sweeps.results import importances
        from studio.sweeps.study import SweepStudy

        found = importances(SweepStudy(study, self.sweep, {}, ""))
        text = ", ".join(f"{key.rsplit('.', 1)[-1]} {value:.2f}" for key, value in found.items())
        self.importances.setText(f"Importance (Optuna, fANOVA): {text}" if text else "")

    def visible_trials(self) -> list[int]:
        return [r.number for i, r in enumerate(self.rows) if not self.table.isRowHidden(i)]

    # ---- using a trial -----------------------------------------------------------

    def _selected(self):
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return self.rows[min(rows)] if rows and min(rows) < len(self.rows) else None

    def use_selected(self) -> None:
        """Put the selected trial's values into the experiment form (the algorithm before its settings)."""
        row = self._selected()
        if row is None:
            return
        ordered = [d.key for d in self.sweep.ordered_dimensions() if d.key in row.params]
        for key in ordered:
            self.apply(key, row.params[key])
        self.status.setText(f"Trial {row.number}'s settings are in the experiment form.")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
