"""The studio window: the experiment on the left, live plots on the right, run controls above.

Training runs in a child process (:mod:`studio.ui.worker`); this window only
drains its records into numpy buffers and redraws from a ~30 Hz timer
(:mod:`studio.ui.live_view`), so sliders, zooming and Pause answer at once
while a run goes on, and a run that crashes leaves the window standing.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from studio.config import ConfigError, Preset, load_preset
from studio.engine.events import FinishReason
from studio.export.library import default_runs_dir
from studio.presets import DEFAULT_PRESET, bundled_presets
from studio.runs.attached import why_not_followable
from studio.runs.folders import new_run_dir
from studio.ui.close_choice import CloseChoice, ask_close
from studio.ui.collector import COLLECTOR
from studio.ui.experiment import ExperimentPanel
from studio.ui.export_actions import ExportActions
from studio.ui.figure_export import FigureSources
from studio.ui.layout import plot_area, side_by_side
from studio.ui.live_view import LiveView, PlotPanels
from studio.ui.menus import build_file_menu
from studio.ui.panels import AdaptationPanel, LossPanel, TaskFitPanel
from studio.ui.panels.tasks_drawn import TasksDrawnPanel
from studio.ui.preset_files import PresetFiles
from studio.ui.resume import ContinueHooks, ResumeOffer, continue_run
from studio.ui.run_feedback import RunFeedback, RunLog
from studio.ui.run_library import LibraryParts, RunLibrary
from studio.ui.run_slots import RunSlots
from studio.ui.seed_runs import SeedHost, SeedRuns
from studio.ui.side_docks import add_tabs_beside
from studio.ui.status import RunStatus
from studio.ui.sweep_menu import add_sweep_menu
from studio.ui.toolbar import FINISHED, IDLE, PAUSED, RUNNING, STOPPING, RunState, RunToolBar
from studio.ui.window_parts import Messages, OnScreen
from studio.ui.worker import RunSession
from studio.views.run_data import RunData

STATE_TEXT = {IDLE: "Ready", RUNNING: "Training", PAUSED: "Paused", STOPPING: "Stopping…"}


def default_preset() -> Preset:
    return load_preset(bundled_presets()[DEFAULT_PRESET])


class MainWindow(QMainWindow):
    """``MainWindow(preset)``; ``runFinished(reason)`` fires when a run's process has ended."""

    runFinished = Signal(str)
    runStarted = Signal()

    def __init__(self, preset: Preset | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("studioMainWindow")
        self.runs_dir = default_runs_dir()  # every run is recorded in a folder here, like ``studio run``
        self.record_runs = True
        self.session: RunSession | None = None
        self.child_command: list[str] | None = None  # how runs' processes start (tests start faulty ones)
        self.state = IDLE
        self.run_number = 0
        self._reset_when_ended = False
        COLLECTOR.hold_while_alive(self)  # preview and record reader are Python threads: collect here only
        self._build(preset or default_preset())
        self._connect()
        self._apply_state(IDLE)
        self.presets.update_title()

    def _build(self, preset: Preset) -> None:
        self.experiment = ExperimentPanel(preset)
        self._build_plots()
        self.toolbar = RunToolBar(self)
        self.addToolBar(self.toolbar)
        self.slots = RunSlots(self)  # the runs training at once: the one on screen and those behind it
        self.seeds = SeedRuns(self._seed_host(), self.slots, self)
        self.toolbar.insertWidget(self.toolbar.pause, self.seeds.spin)
        self._build_layout()
        self._build_menus()

    def _build_plots(self) -> None:
        self.loss_panel, self.adaptation_panel, self.task_fit_panel = LossPanel(), AdaptationPanel(), TaskFitPanel()
        self.tasks_drawn_panel, self.run_log = TasksDrawnPanel(), RunLog()
        self.feedback = RunFeedback(self, self.run_log)
        self.status = RunStatus(self.statusBar())
        plots = PlotPanels(self.loss_panel, self.adaptation_panel, self.task_fit_panel, self.tasks_drawn_panel)
        self.panels = {**plots.by_name(), "preview": self.experiment.preview}  # for the Export menu
        self.live = LiveView(
            lambda: self.session, plots, self.feedback, self.status, lambda: self._state_text, self._follow_pause, self
        )

    def _build_menus(self) -> None:
        messages = Messages(self, self.show_error, self.statusBar().showMessage)
        self.presets = presets = PresetFiles(self.experiment, messages, self.setWindowTitle)  # file, recent, title
        build_file_menu(
            self, presets.open, presets.save_as, lambda: presets.recent, lambda: self.library.ask_open_run_folder()
        )
        screen = OnScreen(lambda: self.live.data, lambda: self.session, lambda: self.state, self.live.drain_now)
        self.library = RunLibrary(self, self._library_parts(), screen, messages)  # Runs dock, compared runs, seeds
        figures = FigureSources(lambda: self.live.data, self.library.overlay, self.adaptation_panel, self.panels)
        stem = self._model_stem
        self.exports = ExportActions(self.menuBar(), screen, figures, self.library.selection(), messages, stem)
        add_tabs_beside(self, self.library.dock, ("Tasks drawn", self.tasks_drawn_panel), ("Log", self.run_log))
        self.sweep_windows = add_sweep_menu(
            self.menuBar(), lambda: self.experiment.data, self.experiment.set_value, lambda: self.runs_dir
        )

    def _model_stem(self) -> Path:
        """The runs folder and name an exported model is offered as."""
        return self.runs_dir / self.presets.run_stem()

    def _library_parts(self) -> LibraryParts:
        hooks = ContinueHooks(lambda: self.state in (IDLE, FINISHED), self.show_error, self._resume_run)
        return LibraryParts(
            self.loss_panel, self.adaptation_panel, lambda: self.runs_dir, self.experiment.load,
            self.runStarted, self.runFinished, self.seeds, ResumeOffer(self, hooks),
            lambda path: continue_run(hooks, path), self.follow,
        )  # fmt: skip

    def _seed_host(self) -> SeedHost:
        return SeedHost(
            lambda: self.experiment.valid_preset, self.new_run_dir,
            lambda preset, folder, threads: RunSession(preset, folder, command=self.child_command, torch_threads=threads),
            lambda: self.session, self.show_session, self.show_error, self.statusBar().showMessage,
        )  # fmt: skip

    def _resume_run(self, preset: Preset, run_dir: Path) -> bool:
        self.experiment.load(preset)
        self.begin_run(preset, run_dir, resume=True)
        return self.session is not None

    def _build_layout(self) -> None:
        plots = plot_area(
            ("Loss", self.loss_panel), ("Adaptation", self.adaptation_panel), ("Task fit", self.task_fit_panel)
        )
        self.setCentralWidget(side_by_side(self.experiment, plots))
        self.resize(1400, 900)

    def _connect(self) -> None:
        bar = self.toolbar
        bar.start.triggered.connect(self.start)
        bar.pause.triggered.connect(self.toggle_pause)
        bar.step.triggered.connect(self.step)
        bar.stop.triggered.connect(self.stop)
        bar.reset.triggered.connect(self.reset)
        self.experiment.edited.connect(lambda: self._apply_state(self.state))
        self.slots.changed.connect(lambda: self._apply_state(self.state))
        self.seeds.finished.connect(lambda _: self._apply_state(self.state))
        self.experiment.preview.described.connect(self.live.label_for_settings)

    @property
    def data(self) -> RunData:
        """The records of the run on screen so far."""
        return self.live.data

    # ---- run control -------------------------------------------------------------

    def start(self) -> None:
        """Begin a new run with the current settings (the plots are cleared first); a run on screen that
        trains goes on behind the plots if the slots allow (:mod:`studio.ui.run_slots`)."""
        if (self.state in (IDLE, FINISHED) or self._room_beside()) and not self.seeds.start():  # seeds: a series
            self._begin(paused=False)

    def _room_beside(self) -> bool:
        return self.state in (RUNNING, PAUSED, STOPPING) and self.slots.room > 0

    def toggle_pause(self) -> None:
        """Pause between meta-iterations, or resume."""
        if self.state == RUNNING:
            self.session.pause()
            self._apply_state(PAUSED)
        elif self.state == PAUSED:
            self.session.resume_training()
            self._apply_state(RUNNING)

    def step(self) -> None:
        """Exactly one meta-iteration: of the paused run, or of a new one that then waits."""
        if self.state == PAUSED:
            self.session.step()
        elif self.state in (IDLE, FINISHED):
            self._begin(paused=True, steps=1)

    def stop(self) -> None:
        """End the run (every seed of a series) after one last evaluation; plots, metrics and model stay."""
        self.seeds.stop()
        if self.state in (RUNNING, PAUSED):
            self.session.stop()
            self._apply_state(STOPPING)

    def reset(self) -> None:
        """Clear to a fresh run with the current settings (stopping the current one first)."""
        if self.state in (RUNNING, PAUSED):
            self._reset_when_ended = True
            self.stop()
        elif self.state != STOPPING:
            self._clear()

    def begin_run(self, preset: Preset, run_dir: Path | None, resume: bool = False) -> None:
        """Train ``preset`` into ``run_dir`` (a seed of a series; with ``resume``, the run recorded there)."""
        if self.state in (IDLE, FINISHED):
            self._launch(RunSession(preset, run_dir, resume=resume, command=self.child_command), preset, False)

    def follow(self, run_dir: Path) -> bool:
        """Show, and control from here, the run in ``run_dir`` that an earlier window left running."""
        problem = why_not_followable(run_dir) if self.state in (IDLE, FINISHED) else "Stop the run on screen first."
        try:
            preset = load_preset(Path(run_dir) / "preset.toml") if problem is None else None
        except ConfigError as error:
            problem = str(error)
        if problem is not None:
            self.show_error("Cannot follow the run", problem)
            return False
        self._launch(RunSession.following(preset, Path(run_dir)), preset, False)
        return True

    def _begin(self, paused: bool, steps: int = 0) -> None:
        preset = self.experiment.valid_preset
        if preset is None:
            return
        threads = self.slots.threads_for_next()
        session = RunSession(
            preset, self.new_run_dir(), paused, steps, command=self.child_command, torch_threads=threads
        )
        self._launch(session, preset, paused)

    def show_session(self, session: RunSession) -> None:
        """Put a run started elsewhere (a seed of a series) on the plots, from its first record."""
        self._launch(session, session.preset, session.paused)

    def _launch(self, session: RunSession, preset: Preset, paused: bool) -> None:
        if self.session is not None and self.session.active:  # Start beside it: it trains on, off the plots
            self.slots.to_background(self.session)
        self._clear()
        self.session, self.run_number = session, self.run_number + 1
        session.ended.connect(lambda: self._on_ended(session))
        folder = f", recorded in {session.run_dir}" if session.run_dir else ""
        self.experiment.show_run(f"run {self.run_number} (started {time.strftime('%H:%M:%S')}{folder})", preset)
        if not session.started:
            session.start()
        self.slots.add(session)
        self.live.timer.start()
        self._apply_state(PAUSED if paused else RUNNING)
        self.runStarted.emit()

    def new_run_dir(self) -> Path | None:
        """A fresh folder for the next run, named as ``studio run`` names one; ``None`` when not recording."""
        if not self.record_runs:
            return None
        try:
            return new_run_dir(self.runs_dir, self.presets.run_stem())
        except ConfigError as error:  # training without a record beats not training
            self.statusBar().showMessage(f"Not recording this run: {error}", 10_000)
            return None

    def _clear(self) -> None:
        """Empty plots, no run on screen (only called when no run is active)."""
        self.live.clear()
        self.session = None
        self.experiment.show_run("", None)
        self._apply_state(IDLE)

    def _follow_pause(self) -> None:
        """A followed run that a window now gone paused is paused (its session read so in its records): show it."""
        if self.state == RUNNING and self.session.paused:
            self._apply_state(PAUSED)

    def _on_ended(self, session: RunSession) -> None:
        if session is not self.session:
            return
        self.live.timer.stop()
        self.live.drain_now()
        reason = session.end_reason(self.data.finished)
        self._apply_state(FINISHED, session.end_text(reason))
        self.feedback.finished(self.data)
        if session.config_errors:
            self.experiment.add_problems(session.config_errors)
        if session.error:
            self.show_error("Training failed", session.error[0], session.error[1])
        elif reason == FinishReason.DIED and session.run_dir is not None:
            self.library.resume_offer.offer_after_death(session.run_dir, session.end_text(reason))
        if self._reset_when_ended:
            self._reset_when_ended = False
            self._clear()
        self.runFinished.emit(str(reason))

    # ---- state and status --------------------------------------------------------------

    def _apply_state(self, state: RunState, text: str | None = None) -> None:
        if text is None and state == self.state and state == FINISHED:
            text = self._state_text  # how the run ended ("Stopped"), not the bare state's name
        self.state = state
        self.toolbar.apply(state, self.experiment.problem_text, beside=self.slots.room > 0, series=self.seeds.active)
        self._state_text = text or STATE_TEXT.get(state, state)
        self.status.show(self.data, self._state_text)

    # ---- dialogs and closing ---------------------------------------------------------------

    def show_error(self, title: str, message: str, details: str = "") -> QMessageBox:
        """A non-blocking error dialog: the window stays usable behind it."""
        box = QMessageBox(QMessageBox.Icon.Critical, title, message, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("errorDialog")
        if details:
            box.setDetailedText(details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_error = box
        return box

    def ask_close(self, count: int) -> CloseChoice:
        """Ask what becomes of the ``count`` runs training when the window closes (tests replace this)."""
        return ask_close(self, count)

    def shutdown(self) -> None:
        """Stop the run and wait for its process (unless it was left running)."""
        self.live.timer.stop()
        self.seeds.stop()  # no seed of a series starts after this
        if self.session is not None and self.session.active:
            self.session.stop_and_wait()
            self.live.drain_now()
        self.slots.stop_and_wait()  # runs behind the plots, seeds of a series

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        live = self.slots.live
        choice = self.ask_close(len(live)) if live else CloseChoice.STOP
        if choice == CloseChoice.CANCEL:
            event.ignore()
            return
        if choice == CloseChoice.LEAVE_RUNNING:  # they go on in their folders; a later window follows them there
            self.seeds.leave_running()  # and so do the seeds of a series not started yet
            self.slots.leave_running()
        self.shutdown()
        event.accept()
