"""The same preset over several seeds, side by side: a ``seeds`` spin box beside Start.

With N > 1, Start trains seeds SEED, SEED+1, ..., SEED+N-1 through a run queue
(:class:`studio.runs.queue.RunQueue`), as many at once as the window's slots
allow (one per two cores), into ``RUNS/NAME-DATE/seed-K`` as
``studio run --seeds N`` does, so the runs library sees them as one group.
The plots follow the lowest-numbered seed still training; the seeds behind
it keep their records until it is their turn on screen.  Stop stops them all.
A seed that does not complete starts no more seeds (those running finish).
Closing the window with "Leave running" leaves the whole series running: the
seeds still waiting go to a process of their own (:mod:`studio.runs.rest`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QSpinBox

from studio.config import ConfigError, Preset
from studio.export import prepare_run_dir
from studio.runs.folders import seed_folders
from studio.runs.messages import RunRequest
from studio.runs.queue import RunQueue, exited_completed, threads_per_run
from studio.runs.rest import leave_rest_running
from studio.ui.run_slots import RunSlots, window_gpus
from studio.ui.worker import RunSession

MAX_SEEDS = 100
TICK_MS = 100  # how often waiting seeds are started and the plots pick the seed to follow


@dataclass(frozen=True)
class SeedHost:
    """What a seed series needs of the window, read when used."""

    preset: Callable[[], Preset | None]  # the settings, if valid
    new_group: Callable[[], Path | None]  # a fresh folder for the series (None: not recording)
    make_session: Callable[[Preset, Path | None, int], RunSession]  # settings, folder, torch threads
    on_screen: Callable[[], RunSession | None]
    show: Callable[[RunSession], None]  # put a started session on the plots
    error: Callable[[str, str], object]  # title, message
    status: Callable[[str, int], None]  # text, milliseconds


class SeedRuns(QObject):
    """``start()`` begins a series when the spin box says more than one seed; ``finished(folders)`` after it."""

    finished = Signal(list)

    def __init__(self, host: SeedHost, slots: RunSlots, parent: QObject | None = None):
        super().__init__(parent)
        self.host, self.slots = host, slots
        self.spin = QSpinBox()
        self.spin.setObjectName("seedsSpin")
        self.spin.setRange(1, MAX_SEEDS)
        self.spin.setPrefix("seeds: ")
        self.spin.setToolTip("Start trains the settings this many times, with seeds SEED, SEED+1, …, side by side")
        self.queue: RunQueue[RunSession] | None = None
        self.folders: list[Path] = []
        self.stopping = False  # Stop was pressed: the seeds finish where they are, the plots stay
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    @property
    def active(self) -> bool:
        """A series is going on."""
        return self.queue is not None

    def owns(self, session: RunSession | None) -> bool:
        return self.queue is not None and session in self.queue.runs

    def start(self) -> bool:
        """Begin a series of ``spin`` seeds; False (nothing done) for a single seed."""
        count, preset = self.spin.value(), self.host.preset()
        if count <= 1 or preset is None:
            return False
        if self.active:
            self.host.status("A seed series is training: Stop it before starting another", 10_000)
            return True
        seeds = self._folders(preset, count)
        if seeds is not None:
            self._queue([RunRequest(preset.replace(seed=seed), folder) for seed, folder in seeds])
        return True

    def _folders(self, preset: Preset, count: int) -> list[tuple[int, str | None]] | None:
        group = self.host.new_group()
        if group is None:
            return [(seed, None) for seed in range(preset.seed, preset.seed + count)]
        try:
            return [(seed, str(prepare_run_dir(folder))) for seed, folder in seed_folders(group, preset.seed, count)]
        except ConfigError as error:
            self.host.error("Cannot start the seeds", str(error))
            return None

    def _queue(self, requests: list[RunRequest]) -> None:
        limit, gpus = self.slots.limit, window_gpus(requests[0].preset.training.device)
        self.queue = RunQueue(
            limit, threads_per_run(limit), gpus, make_run=self._session, others=self._others, completed=exited_completed
        )  # a seed that does not complete starts no more
        for request in requests:
            self.queue.add(request)
        self.folders, self.stopping = [Path(r.run_dir) for r in requests if r.run_dir], False
        self._tick()
        self._timer.start()

    def _session(self, request: RunRequest) -> RunSession:
        folder = Path(request.run_dir) if request.run_dir is not None else None
        return self.host.make_session(request.preset, folder, request.torch_threads)

    def _others(self) -> int:
        """The window's runs outside the series, which share its slots."""
        return sum(1 for session in self.slots.live if not self.owns(session))

    def stop(self) -> None:
        """Stop every seed (each finishes with a last evaluation and saves); start no more."""
        if self.queue is not None:
            self.stopping = True
            self.queue.cancel_waiting()
            for session in self.queue.runs:
                if session.active:  # not one left running by a closing window
                    session.stop()

    def leave_running(self) -> None:
        """The window closes leaving the series running: the seeds still waiting train in a process of their own
        (:mod:`studio.runs.rest`), beside the seeds running now and after them."""
        queue = self.queue
        if queue is None or self.stopping or not queue.waiting or queue.waiting[0].run_dir is None:
            return  # an unrecorded series cannot be left running: it stops with the window
        waiting = queue.cancel_waiting()
        handed = {request.run_dir for request in waiting}
        self.folders = [folder for folder in self.folders if str(folder) not in handed]  # not ours to tidy now
        pids = [session.child.pid for session in queue.running if session.can_leave_running and session.child.pid]
        leave_rest_running(Path(waiting[0].run_dir).parent, waiting, pids, queue.limit, queue.gpus)

    def _tick(self) -> None:
        queue = self.queue
        for session in queue.poll():
            self.slots.add(session)
            number = len(queue.runs)
            total = number + len(queue.waiting)
            self.host.status(f"Seed {session.preset.seed}: run {number} of {total}", 10_000)
        self._follow_lowest()
        if queue.idle and not any(session.active for session in queue.runs):
            self._finish()

    def _follow_lowest(self) -> None:
        screen = self.host.on_screen()
        if self.stopping or (screen is not None and screen.active):
            return  # a run is on screen (a seed, or one started beside the series)
        training = [session for session in self.queue.runs if session.active]
        if training:
            self.host.show(min(training, key=lambda session: session.preset.seed))

    def _finish(self) -> None:
        self._timer.stop()
        started = {str(session.run_dir) for session in self.queue.runs}
        for folder in self.folders:
            if str(folder) not in started and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()  # a seed that never started leaves no empty folder
        folders = [folder for folder in self.folders if str(folder) in started]
        self.queue = None
        self.finished.emit(folders)
