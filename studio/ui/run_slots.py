"""The runs this window trains at once, up to a limit: the one on the plots, and those training behind them.

Start while a run trains (with a slot free) sends the run on screen to the
background: it goes on training into its folder, shows in the Runs list as
running (its ``run.lock``), and its records, which no plot draws any more,
are taken from its pipe and dropped here so that they do not pile up.  The
limit is the run queue's (:func:`studio.runs.queue.default_limit`): one run per
two cores, one per GPU.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from studio.runs.queue import cuda_devices, default_limit, threads_per_run
from studio.ui.engine_loader import torch_imported
from studio.ui.worker import RunSession

LOOK_MS = 250  # how often background runs' records are dropped and ended runs let go


def window_gpus(device: str) -> list[str]:
    """The GPUs runs on ``device`` spread over, once torch is loaded (the window never waits for its import).

    ``torch_imported``, not ``"torch" in sys.modules``: while the loader thread is half-way through the import the
    module is already listed, and asking CUDA here would block the UI thread until the import ends."""
    return cuda_devices(device) if torch_imported() else []


def window_limit(device: str = "auto") -> int:
    """The queue's default limit: one run per GPU, else one per two cores."""
    return default_limit(window_gpus(device))


class RunSlots(QObject):
    """Every session the window started, while it trains; ``room`` says how many more may start now."""

    changed = Signal()  # a run went to the background or ended: the room changed

    def __init__(self, parent: QObject | None = None, limit: int | None = None):
        super().__init__(parent)
        self.limit = limit if limit is not None else window_limit()
        self.sessions: list[RunSession] = []
        self._background: set[int] = set()  # ids of sessions whose records nobody draws
        self._timer = QTimer(self)
        self._timer.setInterval(LOOK_MS)
        self._timer.timeout.connect(self._look)

    def add(self, session: RunSession) -> None:
        """Count ``session`` (started) against the limit until it ends."""
        if session not in self.sessions:
            self.sessions.append(session)
            session.ended.connect(self._look)
        self._timer.start()

    @property
    def live(self) -> list[RunSession]:
        return [session for session in self.sessions if session.active]

    @property
    def room(self) -> int:
        return max(0, self.limit - len(self.live))

    def threads_for_next(self) -> int | None:
        """Torch threads for a run started now: the window's default alone, a share of the cores beside others."""
        return threads_per_run(self.limit) if self.live else None

    def in_background(self) -> list[RunSession]:
        return [session for session in self.live if id(session) in self._background]

    def to_background(self, session: RunSession) -> None:
        """``session`` leaves the plots and goes on training; its records are dropped from now on."""
        self.add(session)
        self._background.add(id(session))
        self.changed.emit()

    def leave_running(self) -> None:
        """The runs training go on in their folders when the window closes (those that can: one process, recorded)."""
        for session in self.live:
            if session.can_leave_running:
                session.detach()

    def stop_and_wait(self, timeout_s: float = 60.0) -> None:
        """Stop every run still training and wait for each (the window is closing)."""
        for session in self.live:
            session.stop()
        for session in self.live:
            session.stop_and_wait(timeout_s)

    def _look(self) -> None:
        for session in self.in_background():
            session.drain()
        ended = [session for session in self.sessions if not session.active]
        if ended:
            self.sessions = [session for session in self.sessions if session.active]
            self._background -= {id(session) for session in ended}
            self.changed.emit()
        if not self.sessions:
            self._timer.stop()
