"""Training on a worker thread: the engine's generator, driven by pause/step/stop requests.

The engine asks ``should_stop()`` before every meta-iteration; :class:`RunGate`
is that callable, and it is also where a paused run waits.  So Pause takes
effect between iterations (after any evaluation due), Step lets exactly one
iteration through, and Stop wakes a paused run and lets the engine finish
with its last evaluation.  Records go to a deque the window drains from a
timer: no signal per record, no Qt object crosses threads.
"""

from __future__ import annotations

import os
import traceback
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from studio.config import ConfigError, FieldError, Preset
from studio.engine import Training
from studio.engine.events import Event, RunStarted
from studio.runs.gate import RunGate
from studio.runs.local import LocalRun
from studio.runs.messages import RunRequest
from studio.ui.collector import COLLECTOR
from studio.ui.run_series import earlier_records


class TrainingWorker(QObject):
    """On its thread: drives the run's record loop (:class:`studio.runs.local.LocalRun`: building the training,
    recording into the run folder, finishing a run that fails) and hands the records over."""

    ready = Signal()  # ``training`` exists
    failed = Signal(str, str)  # message, details
    done = Signal()

    def __init__(self, request: RunRequest, gate: RunGate, outbox: deque):
        """``request.resume``: continue the run in its folder from its newest checkpoint; its earlier metrics
        go to the plots first."""
        super().__init__()
        self.gate = gate
        self.outbox = outbox
        self.local = LocalRun(request, gate)
        self.config_errors: list[FieldError] = []

    @property
    def training(self) -> Training | None:
        return self.local.training

    @property
    def recording_error(self) -> str | None:
        return self.local.recording_error

    def _started(self) -> None:
        """The training is built (and, resuming, ``metrics.csv`` cut back to its checkpoint): the plots
        get the run's earlier metrics first."""
        if self.local.request.resume:
            self.outbox.extend(earlier_records(self.local.run_dir))
        self.ready.emit()

    @Slot()
    def run(self) -> None:
        with leave_a_core_for_the_window():
            self._run()

    def _run(self) -> None:
        local = self.local
        try:
            for event in local.records():
                if isinstance(event, RunStarted):
                    self._started()
                self.outbox.append(event)
        except ConfigError as error:  # settings the engine refused (a task the algorithm cannot do, ...)
            self.config_errors = list(error.errors)
            self.failed.emit(str(error), "")
        except Exception as error:  # shown to the user in a dialog; the partial run is kept
            self.failed.emit(f"{type(error).__name__}: {error}", traceback.format_exc())
        finally:
            self.gate.end()
            self.done.emit()


class RunSession(QObject):
    """One run: its worker, thread and gate; lives on the UI thread.  ``training`` is set once ``ready``."""

    ready = Signal()
    failed = Signal(str, str)
    ended = Signal()

    def __init__(
        self, preset: Preset, run_dir: Path | None = None, paused: bool = False, steps: int = 0, resume: bool = False
    ):
        """``resume``: continue the run recorded in ``run_dir`` (see :class:`TrainingWorker`)."""
        super().__init__()
        self.preset = preset
        self.run_dir = run_dir
        self.resume = resume
        self.gate = RunGate(paused=paused, steps=steps)
        self.outbox: deque[Event] = deque()
        request = RunRequest(preset, str(run_dir) if run_dir is not None else None, resume)
        self.worker = TrainingWorker(request, self.gate, self.outbox)
        self.thread = QThread()
        self.thread.setObjectName("studio-training")
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.ready.connect(self.ready)
        self.worker.failed.connect(self.failed)
        # direct: quit() is thread-safe, and the UI thread may be blocked in wait() when the worker ends
        self.worker.done.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)
        self.thread.finished.connect(self.ended)
        self.error: tuple[str, str] | None = None
        self.failed.connect(self._keep_error)

    @property
    def training(self) -> Training | None:
        return self.worker.training

    def start(self) -> None:
        COLLECTOR.hold_for(self.thread)  # no garbage collection on the training thread (see collector.py)
        self.thread.start()

    @property
    def active(self) -> bool:
        """Started and not yet ended (running or paused)."""
        return self.thread.isRunning()

    def drain(self) -> list[Event]:
        """The records the worker produced since the last call, in order."""
        events = []
        while self.outbox:
            events.append(self.outbox.popleft())
        return events

    @Slot(str, str)
    def _keep_error(self, message: str, details: str) -> None:
        self.error = (message, details)

    def stop_and_wait(self, timeout_ms: int = 60_000) -> bool:
        """Stop the run and block until its thread has ended (used when the window closes)."""
        self.gate.stop()
        return self.thread.wait(timeout_ms)


@contextmanager
def leave_a_core_for_the_window() -> Iterator[None]:
    """Train with one torch thread fewer than the machine has cores, so the UI thread keeps one.

    On two cores, torch's two busy-waiting OpenMP threads on a worker thread competed with the
    event loop and ran 3-4 times slower than on the main thread (benchmarks/ui_throughput.py).
    """
    before = torch.get_num_threads()
    torch.set_num_threads(max(1, min(before, (os.cpu_count() or 2) - 1)))
    try:
        yield
    finally:
        torch.set_num_threads(before)
