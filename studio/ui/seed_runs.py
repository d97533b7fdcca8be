"""The same preset over several seeds in a row: a ``seeds`` spin box beside Start.

With N > 1, Start runs seeds SEED, SEED+1, ..., SEED+N-1 one after the other,
into ``RUNS/NAME-DATE/seed-K`` as ``studio run --seeds N`` does, so the runs
library sees them as one group.  A run that does not complete ends the series.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QSpinBox

from studio.config import ConfigError, Preset
from studio.export import prepare_run_dir
from studio.runs.folders import seed_folders

if TYPE_CHECKING:
    from studio.ui.main_window import MainWindow

MAX_SEEDS = 100


class SeedRuns(QObject):
    """``start()`` begins a series when the spin box says more than one seed; ``finished(folders)`` after it."""

    finished = Signal(list)

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.spin = QSpinBox()
        self.spin.setObjectName("seedsSpin")
        self.spin.setRange(1, MAX_SEEDS)
        self.spin.setPrefix("seeds: ")
        self.spin.setToolTip("Start runs the settings this many times, with seeds SEED, SEED+1, … one after another")
        window.toolbar.insertWidget(window.toolbar.pause, self.spin)
        self.pending: list[tuple[Preset, Path | None]] = []
        self.folders: list[Path] = []
        self.total = 0
        window.runFinished.connect(self._run_finished)

    @property
    def active(self) -> bool:
        """A series is going on."""
        return self.total > 0

    def start(self) -> bool:
        """Begin a series of ``spin`` seeds; False (nothing done) for a single seed."""
        count, preset = self.spin.value(), self.window.experiment.valid_preset
        if count <= 1 or preset is None:
            return False
        group = self.window.new_run_dir() if self.window.record_runs else None
        if group is None:
            self.pending = [(preset.replace(seed=s), None) for s in range(preset.seed, preset.seed + count)]
        else:
            self.pending = [(preset.replace(seed=s), folder) for s, folder in seed_folders(group, preset.seed, count)]
        self.folders, self.total = [], count
        self._next()
        return True

    def _next(self) -> None:
        if not self.pending:
            return
        preset, folder = self.pending.pop(0)
        try:
            run_dir = prepare_run_dir(folder) if folder is not None else None
        except ConfigError as error:
            self.window.show_error("Cannot start the next seed", str(error))
            self.pending, self.total = [], 0
            return
        number = self.total - len(self.pending)
        self.window.begin_run(preset, run_dir)
        self.window.statusBar().showMessage(f"Seed {preset.seed}: run {number} of {self.total}", 10_000)

    def _run_finished(self, reason: str) -> None:
        if self.total == 0:
            return
        session = self.window.session
        if session is not None and session.run_dir is not None:
            self.folders.append(session.run_dir)
        if self.pending and reason == "completed":
            QTimer.singleShot(0, self._next)  # after the window has finished with this run
            return
        folders, self.pending, self.total = list(self.folders), [], 0
        self.finished.emit(folders)
