"""The window's run library: the Runs dock, the overlay of selected runs on the plots, the plot controls,
seed series, opening and continuing run folders, and the offer to resume an unfinished run at start."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, SignalInstance
from PySide6.QtWidgets import QFileDialog, QMainWindow

from studio.config import ConfigError, Preset, load_preset
from studio.export.library import RunRecord
from studio.runs.attached import why_not_followable
from studio.ui.first_paint import after_first_paint
from studio.ui.layout import dock
from studio.ui.panels import AdaptationPanel, LossPanel
from studio.ui.plot_controls import PlotControls
from studio.ui.resume import ResumeOffer
from studio.ui.run_exports import RunSelection
from studio.ui.run_overlay import RunOverlay, run_key
from studio.ui.runs_panel import RunsPanel
from studio.ui.seed_runs import SeedRuns
from studio.ui.window_parts import Messages, OnScreen

DOCK_HEIGHT = 170


@dataclass(frozen=True)
class LibraryParts:
    """What the library works with besides the run on screen: the plots it overlays runs on, the runs folder
    (read when used: tests set it after the window is built), the form, the run signals, seeds and resuming."""

    loss_panel: LossPanel
    adaptation_panel: AdaptationPanel
    runs_dir: Callable[[], Path]
    load_settings: Callable[[Preset], None]  # put a preset in the form
    run_started: SignalInstance
    run_finished: SignalInstance  # with the reason as text
    seeds: SeedRuns
    resume_offer: ResumeOffer
    continue_run: Callable[[Path], object]  # resume a run folder in the window
    follow: Callable[[Path], bool]  # show a run left running by an earlier window live again; whether it is


class RunLibrary(QObject):
    """Built once by the window, docked in ``area``; ``refresh()`` re-reads the runs folder."""

    def __init__(self, area: QMainWindow, parts: LibraryParts, screen: OnScreen, messages: Messages):
        super().__init__(area)
        self.parts, self.screen, self.messages = parts, screen, messages
        self.panel = RunsPanel()
        self.dock = dock(area, "Runs", self.panel)
        area.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        area.resizeDocks([self.dock], [DOCK_HEIGHT], Qt.Orientation.Vertical)
        self.overlay = RunOverlay(
            parts.loss_panel, parts.adaptation_panel, screen.data, lambda: screen.session() is not None
        )
        self.loss_controls = self._controls(parts.loss_panel, "loss", smoothing=True)
        self.adaptation_controls = self._controls(parts.adaptation_panel, "adaptation", smoothing=False)
        self.seeds, self.resume_offer = parts.seeds, parts.resume_offer
        self.offer_resume_at_start = True
        self.follow_at_start = True  # a run an earlier window left running is shown again
        self._connect()
        after_first_paint(area, self._first_look)  # a long list would delay the window's first frame

    def _controls(self, panel, prefix: str, smoothing: bool) -> PlotControls:
        controls = PlotControls(panel, prefix, smoothing=smoothing, x_axis=smoothing)
        panel.layout().insertWidget(0, controls)
        return controls

    def _connect(self) -> None:
        panel, overlay = self.panel, self.overlay
        panel.selectionChanged.connect(self._compare)
        panel.checkToggled.connect(lambda key, shown: overlay.set_hidden(key, not shown))
        panel.groupingChanged.connect(self._grouping_changed)
        panel.useSettings.connect(lambda record: self.use_settings(record.path))
        panel.continueRun.connect(lambda record: self.parts.continue_run(record.path))
        panel.followRun.connect(lambda record: self.parts.follow(record.path))
        panel.problem.connect(lambda text: self.messages.error("Runs", text))
        overlay.visibilityToggled.connect(panel.set_shown)
        overlay.drawn.connect(self._overlay_drawn)
        self.loss_controls.changed.connect(self._view_changed)
        self.adaptation_controls.changed.connect(self.adaptation_controls.apply_same_y)
        self.parts.run_finished.connect(lambda _: self.refresh())
        self.parts.run_started.connect(self._run_started)
        self.seeds.finished.connect(self._seeds_finished)

    def _first_look(self) -> None:
        self.refresh()
        if self.follow_at_start and self.follow_newest():
            return
        if self.offer_resume_at_start:
            self.resume_offer.check(self.panel.records)

    def follow_newest(self) -> bool:
        """Follow the newest run that an earlier window left running, if any; whether one is followed now."""
        left = [r for r in self.panel.records if r.status == "running" and why_not_followable(r.path) is None]
        newest = max(left, key=lambda r: r.started, default=None)
        return newest is not None and self.parts.follow(newest.path)

    # ---- the list and the overlay --------------------------------------------------------

    def refresh(self) -> None:
        live = self.screen.live_dir()
        self.panel.refresh(self.parts.runs_dir(), active=[live] if live is not None else [])

    def _run_started(self) -> None:
        self.refresh()
        if self.loss_controls.x_axis != "iteration":
            self.loss_controls.stop_following()

    def _compare(self, records: list[RunRecord]) -> None:
        live = self.screen.live_dir()
        shown = [r for r in records if live is None or run_key(r.path) != run_key(live)]
        self.overlay.show(shown, hidden=set(self.panel.unchecked))

    def _grouping_changed(self) -> None:
        self.overlay.set_group_seeds(self.panel.group_seeds.isChecked(), self.panel.band_kind)

    def _view_changed(self) -> None:
        controls = self.loss_controls
        self.overlay.set_view(smoothing=controls.smoothing, x=controls.x_axis, log_y=controls.log_y.isChecked())

    def _overlay_drawn(self) -> None:
        self.panel.table.set_colours(self.overlay.colours)
        self.loss_controls.apply_same_y()
        self.adaptation_controls.apply_same_y()
        if self.overlay.problems:
            self.messages.status("; ".join(self.overlay.problems), 10_000)

    def _seeds_finished(self, folders: list[Path]) -> None:
        self.refresh()
        if len(folders) > 1:
            self.panel.group_seeds.setChecked(True)
            self.panel.select(folders)

    # ---- opening run folders ------------------------------------------------------------------

    def ask_open_run_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.messages.parent, "Open run folder", str(self.parts.runs_dir()))
        if folder:
            self.open_run_folder(Path(folder))

    def open_run_folder(self, path: str | Path) -> RunRecord | None:
        """Show a run folder's curves and put its settings in the form; Continue (in the list) resumes it."""
        try:
            record = self.panel.add_folder(path)
        except ConfigError as error:
            self.messages.error("Cannot open run folder", str(error))
            return None
        self.use_settings(record.path)
        hint = "; Continue in the Runs list resumes it" if record.status in ("resumable", "stopped") else ""
        self.messages.status(f"Opened {record.path} ({record.status}){hint}", 10_000)
        return record

    def use_settings(self, run_dir: str | Path) -> bool:
        """Load the run's preset into the form ("run again with these settings")."""
        try:
            self.parts.load_settings(load_preset(Path(run_dir) / "preset.toml"))
        except ConfigError as error:
            self.messages.error("Cannot restore the run's settings", str(error))
            return False
        return True

    def selected_dirs(self) -> list[Path]:
        return [record.path for record in self.panel.selected()]

    def selection(self) -> RunSelection:
        """The selected runs and the loss plot's smoothing and band, as the exports of selected runs read them."""
        return RunSelection(self.selected_dirs, lambda: self.loss_controls.smoothing, lambda: self.panel.band_kind)
