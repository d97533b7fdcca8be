"""The run on screen, live: its records drained into :class:`RunData` and drawn on the plot panels.

A timer (~30 Hz) takes whatever records arrived since its last tick, however
fast they come, so the window answers at once while a run trains.  The loss
curve and the status bar follow every tick (the status bar at most four times
a second); the pictures that change at evaluations are drawn one panel a tick.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer

from studio.engine.events import RunStarted
from studio.ui.panels import AdaptationPanel, LossPanel, TaskFitPanel
from studio.ui.panels.tasks_drawn import TasksDrawnPanel
from studio.ui.run_feedback import RunFeedback
from studio.ui.status import RunStatus
from studio.ui.worker import RunSession
from studio.views.preview_tasks import PreviewTasks
from studio.views.run_data import RunData
from studio.views.run_series import LOSS_UNITS

REDRAW_MS = 33  # about 30 redraws a second, however fast records arrive


@dataclass(frozen=True)
class PlotPanels:
    """The panels a run's records are drawn on."""

    loss: LossPanel
    adaptation: AdaptationPanel
    task_fit: TaskFitPanel
    tasks_drawn: TasksDrawnPanel

    @property
    def pictures(self) -> tuple:
        """The panels that change only at evaluations."""
        return self.adaptation, self.task_fit, self.tasks_drawn

    def by_name(self) -> dict:
        """Each panel by the key the Export menu knows it by."""
        return {
            "loss": self.loss,
            "adaptation": self.adaptation,
            "task_fit": self.task_fit,
            "tasks_drawn": self.tasks_drawn,
        }


class LiveView(QObject):
    """``data``: the records of the run on screen so far; ``timer`` draws them while it trains.

    ``session`` gives the run on screen (read at each redraw: the window replaces it with every run);
    ``state_text`` what the status bar says of it; ``drained`` is called once a redraw has taken in records.
    """

    def __init__(
        self,
        session: Callable[[], RunSession | None],
        panels: PlotPanels,
        feedback: RunFeedback,
        status: RunStatus,
        state_text: Callable[[], str],
        drained: Callable[[], None],
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.data = RunData()
        self.panels, self.feedback, self.status = panels, feedback, status
        self._session, self._state_text, self._drained = session, state_text, drained
        self._status_behind = False  # records arrived since the status bar was last drawn
        self._next_picture = 0  # the picture panel the next redraw refreshes
        # as built, or cleared, and no record drawn since: clearing them again would only repaint them
        self._panels_blank = True
        self.timer = QTimer(self)
        self.timer.setInterval(REDRAW_MS)
        self.timer.timeout.connect(self._redraw)

    def drain_now(self) -> None:
        """Take in the run's records so far without waiting for the timer (before an export)."""
        self._redraw(every_panel=True)

    def clear(self) -> None:
        """No records, blank panels (only while no run is active)."""
        self.data = RunData()
        self._clear_panels()
        self.feedback.clear()

    def label_for_settings(self, tasks: PreviewTasks) -> None:
        """With no run on screen, the panels speak of the tasks the settings describe (as the preview drew them)."""
        if self._session() is None and tasks.kind and tasks.dims:
            self._label_panels(tasks.kind, tasks.dims[0])

    def _clear_panels(self) -> None:
        """Panels already blank only get their view back to following (a zoom of the empty plot): clearing them
        again repainted all of them, ~30 ms of the event loop at each Start."""
        panels = self.panels
        if self._panels_blank:
            panels.loss.follow_again()
            for panel in (panels.loss, panels.adaptation):
                panel.plot.enableAutoRange()
            return
        for panel in (panels.loss, *panels.pictures):
            panel.clear()
        self._panels_blank = True

    def _redraw(self, every_panel: bool = False) -> None:
        session = self._session()
        events = session.drain() if session else []
        for event in events:
            self.data.add(event)
            if isinstance(event, RunStarted):  # the run has started: label the plots for its kind of task
                self._label_panels(event.task_kind, event.input_dim)
        if events:
            self._panels_blank = False
            self.panels.loss.refresh(self.data)
            self.feedback.refresh(self.data)
            self._status_behind = True
            self._drained()
        self._refresh_pictures(every_panel)
        if self._status_behind and self.status.show(self.data, self._state_text(), force=False):
            self._status_behind = False

    def _refresh_pictures(self, every_panel: bool) -> None:
        """The panels that change at evaluations, one per redraw (each looks whether it has something new): drawn
        together, a first evaluation's pictures and histograms held the window up for ~0.1 s."""
        pictures = self.panels.pictures
        if every_panel:
            for panel in pictures:
                panel.refresh(self.data)
            return
        self._next_picture = (self._next_picture + 1) % len(pictures)
        pictures[self._next_picture].refresh(self.data)

    def _label_panels(self, kind: str, input_dim: int) -> None:
        unit = LOSS_UNITS.get(kind, "loss")
        self.panels.loss.set_unit(unit)
        self.panels.adaptation.set_unit(unit)
        self.panels.task_fit.expect(kind, input_dim)
