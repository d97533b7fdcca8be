"""A run on screen: trained in its own process (:class:`studio.runs.process.ChildRun`), supervised from here.

The child writes its records to a pipe; a plain reader thread decodes them
into a deque that the window drains from its redraw timer, so no Qt object
is made or touched off the UI thread and the interpreter lock is never held
by training.  Pause, Step and Stop are messages to the child, answered
between meta-iterations.  A preset with ``training.processes`` > 1 runs as
torchrun's ranks (:class:`studio.runs.ranks.RankedRun`); rank 0's records come here.  If the child dies (killed, crashed, out of
memory), this session ends with :attr:`RunSession.exit` saying how; the
window stays up and the run folder keeps its last checkpoint.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from studio.config import FieldError, Preset
from studio.engine.events import Event, FinishReason, RunFinished, RunStarted, StepMetrics
from studio.runs.attached import AttachedRun
from studio.runs.messages import Parked, RunRequest
from studio.runs.process import ChildExit, ChildRun
from studio.runs.ranks import RankedRun
from studio.views.followed import FollowedRecords
from studio.views.run_series import earlier_records

WATCH_MS = 50  # how often the session looks whether its child has ended
PARK_TIMEOUT_S = 60.0  # a paused run finishes its current iteration (and any evaluation) first


def window_torch_threads() -> int:
    """One torch thread fewer than the machine has cores, so the window keeps a core for drawing."""
    return max(1, (os.cpu_count() or 2) - 1)


class RunSession(QObject):
    """One run and its child process; lives on the UI thread.  ``ended`` once the child has ended and its
    last record is in the outbox; then ``exit`` says how (``died``: killed or crashed)."""

    failed = Signal(str, str)  # message, details (a traceback, or empty for refused settings)
    ended = Signal()

    def __init__(
        self,
        preset: Preset,
        run_dir: Path | None = None,
        paused: bool = False,
        steps: int = 0,
        resume: bool = False,
        command: Sequence[str] | None = None,
        child: ChildRun | None = None,
        torch_threads: int | None = None,
    ):
        """``resume``: continue the run recorded in ``run_dir``; its earlier metrics go to the plots first.
        ``command`` replaces the child's command line (tests); ``child`` replaces the child (:meth:`following`);
        ``torch_threads`` defaults to all cores but one."""
        super().__init__()
        self.preset = preset
        self.run_dir = run_dir
        self.resume = resume
        self.paused = paused  # also when a followed run says it waits (see drain)
        folder = str(run_dir) if run_dir is not None else None
        threads = window_torch_threads() if torch_threads is None else torch_threads
        request = RunRequest(preset, folder, resume, paused=paused, steps=steps, torch_threads=threads)
        processes = preset.training.processes
        self.child = child or (RankedRun(request, processes) if processes > 1 else ChildRun(request, command=command))
        self.followed: FollowedRecords | None = None  # a run left running by an earlier window
        self.error: tuple[str, str] | None = None
        self.config_errors: list[FieldError] = []
        self._active = self._started = False
        self._watch = QTimer(self)
        self._watch.setInterval(WATCH_MS)
        self._watch.timeout.connect(self._look)

    @classmethod
    def following(cls, preset: Preset, run_dir: Path) -> RunSession:
        """The run in ``run_dir`` that an earlier window left running, followed from its folder."""
        session = cls(preset, run_dir, child=AttachedRun(run_dir))
        session.followed = FollowedRecords(run_dir)
        return session

    def start(self) -> None:
        self.child.start()
        self._active = self._started = True
        self._watch.start()

    @property
    def started(self) -> bool:
        return self._started

    @property
    def active(self) -> bool:
        """Started and not yet ended (running or paused)."""
        return self._active

    @property
    def exit(self) -> ChildExit | None:
        return self.child.exit

    @property
    def last_iteration(self) -> int:
        return self.child.last_iteration

    def pause(self) -> None:
        self.paused = True
        self.child.pause()

    def resume_training(self) -> None:
        self.paused = False
        self.child.resume()

    def step(self) -> None:
        self.paused = True
        self.child.step()

    def stop(self) -> None:
        self.child.stop()

    def kill(self) -> None:
        self.child.kill()

    @property
    def can_leave_running(self) -> bool:
        """Recorded in a folder to be followed from, and one process (torchrun's ranks are stopped instead)."""
        return self.run_dir is not None and not isinstance(self.child, RankedRun)

    def detach(self) -> None:
        """Leave the run training after the window closes (a paused one goes on); this session ends here."""
        if self.paused:
            self.resume_training()
        self.child.detach()
        self._active = False
        self._watch.stop()

    def wait_parked(self, timeout: float = PARK_TIMEOUT_S) -> bool:
        return self.child.wait_parked(timeout)

    def checkpoint(self, timeout: float = PARK_TIMEOUT_S) -> bool:
        """A checkpoint of the paused run in its folder (to export its model); whether one was written."""
        return self.run_dir is not None and self.wait_parked(timeout) and self.child.checkpoint(timeout)

    def drain(self) -> list[Event]:
        """The records the child sent since the last call, in order (a resumed run's earlier ones first)."""
        if self.followed is not None:
            ended = self.child.exit is not None  # asked first: then every record is in the outbox
            events = self.followed.add(self.child.drain()) + (self.followed.end() if ended else [])
            self._note_parked(events)
            return events
        events = []
        for record in self.child.drain():
            if isinstance(record, RunStarted) and self.resume:  # its folder is cut back to the checkpoint now
                events.extend(earlier_records(self.run_dir, up_to=record.start_iteration))
            events.append(record)
        return events

    def _note_parked(self, events: list) -> None:
        """A followed run that a window now gone paused says so in its records (it waits): it is paused now."""
        progress = [e for e in events if isinstance(e, (StepMetrics, Parked))]
        if progress and isinstance(progress[-1], Parked):
            self.paused = True

    def end_reason(self, finished: RunFinished | None) -> FinishReason:
        """How the ended run ended: it failed, its process died, else as its last record ``finished`` says."""
        if self.error:
            return FinishReason.ERROR
        if self.exit is not None and self.exit.died:
            return FinishReason.DIED
        return finished.reason if finished else FinishReason.STOPPED

    def end_text(self, reason: FinishReason) -> str:
        """The ``reason`` it ended for, in words; for a process that died, at which iteration and how."""
        if reason != FinishReason.DIED:
            return reason.capitalize()
        return f"Died at iteration {self.exit.last_iteration} ({self.exit.describe()})"

    def stop_and_wait(self, timeout_s: float = 60.0) -> bool:
        """Stop the run and block until its child has ended (used when the window closes)."""
        self.stop()
        ended = self.child.wait(timeout_s) is not None
        self._look()
        return ended

    def _look(self) -> None:
        ended = self.child.exit
        if not self._active or ended is None:
            return
        self._active = False
        self._watch.stop()
        if ended.failure is not None:
            self.error = (ended.failure.message, ended.failure.details)
            self.config_errors = list(ended.failure.field_errors)
            self.failed.emit(*self.error)
        self.ended.emit()
