"""The Export menu: the model as a run folder, the metrics as CSV, every panel as PNG, SVG and PDF drawn by
matplotlib (one file each, or all in one paper figure), and the selected runs' exports (:mod:`studio.ui.run_exports`).

Each export is a method that takes a path (tests call them directly); the
menu actions only ask for the path first.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMenu, QMenuBar

from studio.config import ConfigError
from studio.export.figure_style import DEFAULT_DPI, PAPER_SIZE
from studio.ui.figure_export import (
    FIGURE_ORDER,
    FigureSizeDialog,
    FigureSources,
    has_figure,
    panel_figures,
    write_panel,
    write_paper_figure,
)
from studio.ui.run_exports import RunExports, RunSelection
from studio.ui.toolbar import RUNNING
from studio.ui.window_parts import Messages, OnScreen
from studio.views.labels import panel_label
from studio.views.run_export import write_metrics_csv, write_run_folder

FIGURE_FILTER = "PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"
FIGURE_SUFFIXES = ("png", "svg", "pdf")


class ExportActions:
    """The Export menu on ``menu_bar``; ``model_stem()`` is the runs folder and name an exported model is offered as."""

    def __init__(
        self,
        menu_bar: QMenuBar,
        screen: OnScreen,
        figures: FigureSources,
        selection: RunSelection,
        messages: Messages,
        model_stem: Callable[[], Path],
    ):
        self.screen, self.figures, self.messages, self.model_stem = screen, figures, messages, model_stem
        menu = menu_bar.addMenu("&Export")
        self.model_action = menu.addAction("Trained &model as run folder…", self._ask_model)
        self.metrics_action = menu.addAction("&Metrics as CSV (every iteration)…", self._ask_metrics)
        menu.addSeparator()
        for key in figures.panels:
            self._panel_menu(menu.addMenu(panel_label(key)), key)
        menu.addAction("All panels as PNG, SVG and PDF…", self._ask_all_panels)
        menu.addAction("All panels as one paper &figure (PNG, SVG or PDF)…", self._ask_figure)
        menu.addSeparator()
        self.runs = RunExports(menu, selection, screen, messages, self.attempt)
        self.figure_size: tuple[float, float] | None = None  # inches; None: by the number of panels
        self.figure_dpi = DEFAULT_DPI
        menu.aboutToShow.connect(self._update_enabled)

    def _panel_menu(self, menu: QMenu, key: str) -> None:
        for suffix in FIGURE_SUFFIXES if key in FIGURE_ORDER else ("png", "svg"):  # the preview is a picture
            menu.addAction(f"{suffix.upper()}…", lambda s=suffix: self._ask_panel(key, s))

    def _update_enabled(self) -> None:
        running = self.screen.state() == RUNNING
        self.model_action.setEnabled(self.screen.session() is not None and not running)
        self.model_action.setToolTip("Pause or stop the run first" if running else "")
        self.metrics_action.setEnabled(self.screen.data().started is not None)

    # ---- the exports ---------------------------------------------------------

    def model(self, path: str | Path) -> Path:
        """A run folder like ``studio run`` writes, for the run on screen (paused, stopped, failed, died or done)."""
        session = self.screen.session()
        if session is None or self.screen.data().started is None:
            raise ConfigError("nothing to export yet: start a run first")
        if session.active:
            if not session.paused:
                raise ConfigError("pause or stop the run before exporting the model")
            if not session.checkpoint():
                raise ConfigError("the paused run wrote no checkpoint to export (is it recorded in a run folder?)")
            self.screen.catch_up()  # every record up to the pause, as the checkpoint has them
        return write_run_folder(self.screen.data(), path, session.run_dir, ended=not session.active)

    def metrics(self, path: str | Path) -> Path:
        """``metrics.csv`` with one row per meta-iteration run so far."""
        write_metrics_csv(self.screen.data(), path)
        return Path(path)

    def panel(self, key: str, path: str | Path) -> Path:
        """One panel as PNG, SVG or PDF, by the suffix of ``path``: drawn by matplotlib from the panel's data."""
        return write_panel(self.figures, key, path, self.figure_dpi)

    def all_panels(self, folder: str | Path) -> list[Path]:
        """Every panel with something to draw, one file per format (pictures that are not plots: PNG and SVG)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for key in self.figures.panels:
            plotted = panel_figures(self.figures, key) is not None
            if plotted and not has_figure(self.figures, key):
                continue  # nothing to draw yet: no file, rather than an empty frame
            suffixes = FIGURE_SUFFIXES if plotted else ("png", "svg")
            written += [self.panel(key, folder / f"{key}.{suffix}") for suffix in suffixes]
        return written

    def figure(self, path: str | Path, size: tuple[float, float] | None = None, dpi: float | None = None) -> Path:
        """Every plot with data in one paper figure, ``size`` inches (PNG at ``dpi``), by the suffix of ``path``."""
        return write_paper_figure(self.figures, path, size or self.figure_size, dpi or self.figure_dpi)

    # ---- asking for a path ------------------------------------------------------

    def _ask_model(self) -> None:
        stem = self.model_stem()
        suggested = stem.with_name(f"{stem.name}-export-{time.strftime('%Y%m%d-%H%M%S')}")
        path, _ = QFileDialog.getSaveFileName(self.messages.parent, "Export run folder (a new folder)", str(suggested))
        self.attempt(path, self.model)

    def _ask_metrics(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.messages.parent, "Export metrics", "metrics.csv", "CSV (*.csv)")
        self.attempt(path, self.metrics)

    def _ask_panel(self, key: str, suffix: str) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.messages.parent, "Export plot", f"{key}.{suffix}", f"{suffix.upper()} (*.{suffix})"
        )
        self.attempt(path, lambda p: self.panel(key, p))

    def _ask_all_panels(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.messages.parent, "Export every panel into a folder")
        self.attempt(folder, self.all_panels)

    def _ask_figure(self) -> None:
        dialog = FigureSizeDialog(self.messages.parent, self.figure_size or PAPER_SIZE, self.figure_dpi)
        if dialog.exec() != FigureSizeDialog.DialogCode.Accepted:
            return
        self.figure_size, self.figure_dpi = dialog.chosen
        path, chosen = QFileDialog.getSaveFileName(self.messages.parent, "Export all panels as one figure", "figure.pdf",
                                                   FIGURE_FILTER)  # fmt: skip
        if path and not Path(path).suffix:
            path += "." + next((s for s in FIGURE_SUFFIXES if s in chosen.lower()), "png")
        self.attempt(path, self.figure)

    def attempt(self, path: str, export) -> None:
        """Run ``export(path)`` (nothing when no path was chosen); errors in a dialog, success in the status bar."""
        if not path:
            return
        try:
            written = export(Path(path))
        except (ConfigError, OSError) as error:
            self.messages.error("Export failed", str(error))
            return
        if isinstance(written, list):
            shown = f"{len(written)} file(s) to {written[0].parent}" if written else "nothing"
        else:
            shown = str(written if isinstance(written, Path) else path)
        self.messages.status(f"Exported {shown}", 8000)
