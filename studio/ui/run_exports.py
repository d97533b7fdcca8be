"""Exports of the runs selected in the Runs panel: metrics as CSV or JSON (every iteration), an HTML report,
TensorBoard event files, and "Adapt and export…" of one run's model.

Each export is a method taking a path (tests call them directly); the menu
actions ask for the path first.  With nothing selected, the run on screen is used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMenu

from studio.config import ConfigError
from studio.export.library import read_run
from studio.export.report import write_report
from studio.export.run_metrics import RunMetrics, read_metrics
from studio.export.tables import write_csv, write_json
from studio.export.tensorboard import write_tensorboard
from studio.ui.deploy_dialog import AdaptExportDialog
from studio.ui.window_parts import Messages, OnScreen

Attempt = Callable[[str, Callable[[Path], object]], None]  # export to a chosen path, errors shown to the user


@dataclass(frozen=True)
class RunSelection:
    """The Runs panel as the exports read it: the selected folders, and how the plots smooth and band them."""

    dirs: Callable[[], list[Path]]
    smoothing: Callable[[], float]
    band: Callable[[], str]


class RunExports:
    def __init__(self, menu: QMenu, selection: RunSelection, screen: OnScreen, messages: Messages, attempt: Attempt):
        self.selection, self.screen, self.messages, self.attempt = selection, screen, messages, attempt
        self.dialog: AdaptExportDialog | None = None
        runs = menu.addMenu("Selected &runs")
        runs.setToolTip("The runs selected in the Runs panel (or the run on screen)")
        runs.addAction("Metrics as CSV, one file per run…", self._ask_folder)
        runs.addAction("Metrics as one long CSV…", lambda: self._ask_file("Long CSV", "runs-long.csv", self.long_csv))
        runs.addAction("Metrics as &JSON…", lambda: self._ask_file("JSON", "runs.json", self.json))
        runs.addAction("HTML &report…", lambda: self._ask_file("HTML report", "report.html", self.report))
        runs.addAction("&TensorBoard event files", self._tensorboard)
        menu.addAction("&Adapt and export…", self.open_adapt_dialog)

    # ---- which runs -----------------------------------------------------------------

    def run_dirs(self) -> list[Path]:
        """The selected runs' folders, else the run on screen's; none raises a :class:`ConfigError`."""
        selected = self.selection.dirs()
        on_screen = self.screen.run_dir()
        if not selected and on_screen is not None:
            selected = [on_screen]
        if not selected:
            raise ConfigError("select runs in the Runs panel first (or train one)")
        return selected

    def _metrics(self) -> list[RunMetrics]:
        return [read_metrics(path, read_run(path).name) for path in self.run_dirs()]

    # ---- the exports -------------------------------------------------------------------

    def csv_files(self, folder: str | Path) -> list[Path]:
        """One ``NAME.csv`` per selected run in ``folder``, every iteration."""
        Path(folder).mkdir(parents=True, exist_ok=True)
        return write_csv(self._metrics(), Path(folder), layout="per-run")

    def long_csv(self, path: str | Path) -> Path:
        """One CSV of every selected run: ``run, iteration, elapsed_s, metric, value``."""
        return write_csv(self._metrics(), path, layout="long")[0]

    def json(self, path: str | Path) -> Path:
        return write_json(self._metrics(), path)

    def report(self, path: str | Path) -> Path:
        """The HTML report, smoothed and banded as the plots are."""
        selection = self.selection
        return write_report(self.run_dirs(), path, smoothing=selection.smoothing(), band=selection.band())

    def tensorboard(self, _: object = None) -> list[Path]:
        """Event files in each selected run's ``tensorboard/`` folder (needs the tensorboard package)."""
        return [write_tensorboard(path) for path in self.run_dirs()]

    def open_adapt_dialog(self) -> AdaptExportDialog | None:
        """The "Adapt and export" dialog for the (first) selected run; it stays open for several exports."""
        try:
            run_dir = self.run_dirs()[0]
            self.dialog = AdaptExportDialog(run_dir, self.messages.parent)
        except (ConfigError, OSError) as error:
            self.messages.error("Adapt and export", str(error))
            return None
        self.dialog.show()
        return self.dialog

    # ---- asking for a path ----------------------------------------------------------------

    def _ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.messages.parent, "Write one CSV per run into")
        self.attempt(folder, self.csv_files)

    def _tensorboard(self) -> None:
        self.attempt("tensorboard/", self.tensorboard)

    def _ask_file(self, what: str, suggested: str, export) -> None:
        suffix = Path(suggested).suffix
        path, _ = QFileDialog.getSaveFileName(self.messages.parent, f"Export {what}", suggested, f"{what} (*{suffix})")
        self.attempt(path, export)
