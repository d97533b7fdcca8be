"""The Export menu: the model as a run folder, the metrics as CSV, every panel as PNG and SVG (one file each,
or all in one figure), and the selected runs' exports (:mod:`studio.ui.run_exports`).

Each export is a method that takes a path (tests call them directly); the
menu actions only ask for the path first.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMenu

from studio.config import ConfigError
from studio.ui.figure_export import DEFAULT_SIZE, FigureSizeDialog, write_figure
from studio.ui.panels.base import PlotPanel
from studio.ui.run_export import write_metrics_csv, write_run_folder
from studio.ui.run_exports import RunExports

if TYPE_CHECKING:
    from studio.ui.main_window import MainWindow

PANEL_TITLES = {
    "loss": "Loss plot",
    "adaptation": "Adaptation curve",
    "task_fit": "Task fit",
    "preview": "Task preview",
}
FIGURE_FILTER = "PNG image (*.png);;SVG drawing (*.svg)"


class ExportActions:
    def __init__(self, window: MainWindow):
        self.window = window
        menu = window.menuBar().addMenu("&Export")
        self.model_action = menu.addAction("Trained &model as run folder…", self._ask_model)
        self.metrics_action = menu.addAction("&Metrics as CSV (every iteration)…", self._ask_metrics)
        menu.addSeparator()
        for key in window.panels:
            self._panel_menu(menu.addMenu(PANEL_TITLES.get(key, key)), key)
        menu.addAction("All panels as PNG and SVG…", self._ask_all_panels)
        menu.addAction("All panels as one &figure (PNG or SVG)…", self._ask_figure)
        menu.addSeparator()
        self.runs = RunExports(window, menu)
        self.figure_size = DEFAULT_SIZE
        menu.aboutToShow.connect(self._update_enabled)

    def _panel_menu(self, menu: QMenu, key: str) -> None:
        for suffix in ("png", "svg"):
            menu.addAction(f"{suffix.upper()}…", lambda s=suffix: self._ask_panel(key, s))

    def _update_enabled(self) -> None:
        window = self.window
        self.model_action.setEnabled(window.session is not None and window.state != "running")
        self.model_action.setToolTip("" if window.state != "running" else "Pause or stop the run first")
        self.metrics_action.setEnabled(window.data.started is not None)

    # ---- the exports ---------------------------------------------------------

    def model(self, path: str | Path) -> Path:
        """A run folder like ``studio run`` writes, for the run on screen (paused, stopped, failed, died or done)."""
        session = self.window.session
        if session is None or self.window.data.started is None:
            raise ConfigError("nothing to export yet: start a run first")
        if session.active:
            if not session.paused:
                raise ConfigError("pause or stop the run before exporting the model")
            if not session.checkpoint():
                raise ConfigError("the paused run wrote no checkpoint to export (is it recorded in a run folder?)")
            self.window.drain_now()  # every record up to the pause, as the checkpoint has them
        return write_run_folder(self.window.data, path, session.run_dir, ended=not session.active)

    def metrics(self, path: str | Path) -> Path:
        """``metrics.csv`` with one row per meta-iteration run so far."""
        write_metrics_csv(self.window.data, path)
        return Path(path)

    def panel(self, key: str, path: str | Path) -> Path:
        """One panel as PNG or SVG, by the suffix of ``path``."""
        panel: PlotPanel = self.window.panels[key]
        return panel.export_image(path)

    def all_panels(self, folder: str | Path) -> list[Path]:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        return [self.panel(key, folder / f"{key}.{suffix}") for key in self.window.panels for suffix in ("png", "svg")]

    def figure(self, path: str | Path, size: tuple[int, int] | None = None) -> Path:
        """Every panel in one figure, ``size`` pixels (PNG) or the same size in SVG, by the suffix of ``path``."""
        panels = [
            (PANEL_TITLES.get(key, key.replace("_", " ").capitalize()), p) for key, p in self.window.panels.items()
        ]
        return write_figure(panels, path, size or self.figure_size)

    # ---- asking for a path ------------------------------------------------------

    def _ask_model(self) -> None:
        suggested = self.window.runs_dir / f"{self.window.run_stem()}-export-{time.strftime('%Y%m%d-%H%M%S')}"
        path, _ = QFileDialog.getSaveFileName(self.window, "Export run folder (a new folder)", str(suggested))
        self.attempt(path, self.model)

    def _ask_metrics(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Export metrics", "metrics.csv", "CSV (*.csv)")
        self.attempt(path, self.metrics)

    def _ask_panel(self, key: str, suffix: str) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Export plot", f"{key}.{suffix}", f"{suffix.upper()} (*.{suffix})"
        )
        self.attempt(path, lambda p: self.panel(key, p))

    def _ask_all_panels(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Export every panel into a folder")
        self.attempt(folder, self.all_panels)

    def _ask_figure(self) -> None:
        dialog = FigureSizeDialog(self.window, self.figure_size)
        if dialog.exec() != FigureSizeDialog.DialogCode.Accepted:
            return
        self.figure_size = dialog.chosen
        path, chosen = QFileDialog.getSaveFileName(self.window, "Export all panels as one figure", "panels.png",
                                                   FIGURE_FILTER)  # fmt: skip
        if path and not Path(path).suffix:
            path += ".svg" if "svg" in chosen.lower() else ".png"
        self.attempt(path, self.figure)

    def attempt(self, path: str, export) -> None:
        """Run ``export(path)`` (nothing when no path was chosen); errors in a dialog, success in the status bar."""
        if not path:
            return
        try:
            written = export(Path(path))
        except (ConfigError, OSError) as error:
            self.window.show_error("Export failed", str(error))
            return
        if isinstance(written, list):
            shown = f"{len(written)} file(s) to {written[0].parent}" if written else "nothing"
        else:
            shown = str(written if isinstance(written, Path) else path)
        self.window.statusBar().showMessage(f"Exported {shown}", 8000)
