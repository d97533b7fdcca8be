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
import threading
import traceback
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from studio.config import ConfigError, FieldError, Preset
from studio.engine import RunFinished, Training
from studio.engine.events import Event, Notice
from studio.export import RunRecorder
from studio.export.resume import resume_training
from studio.ui.collector import COLLECTOR
from studio.ui.run_series import earlier_records


class RunGate:
    """Pause, step and stop requests, answered by the engine between meta-iterations."""

    def __init__(self, paused: bool = False, steps: int = 0):
        self._condition = threading.Condition()
        self._paused = paused
        self._steps = steps  # iterations allowed through while paused
        self._stop = False
        self._parked = False  # the worker is waiting here: the model is not changing
        self._ended = False

    def __call__(self) -> bool:
        """The engine's ``should_stop``: waits while paused, then says whether to stop."""
        with self._condition:
            while self._paused and not self._steps and not self._stop:
                self._parked = True
                self._condition.notify_all()
                self._condition.wait()
            self._parked = False
            if self._stop:
                return True
            if self._paused:
                self._steps -= 1
            return False

    def pause(self) -> None:
        self._set(paused=True, steps=0)

    def resume(self) -> None:
        self._set(paused=False, steps=0)

    def step(self) -> None:
        self._set(paused=True, steps=1)

    def stop(self) -> None:
        with self._condition:
            self._stop = True
            self._condition.notify_all()

    @property
    def paused(self) -> bool:
        return self._paused

    def wait_parked(self, timeout: float) -> bool:
        """After :meth:`pause`, wait until the worker has finished its iteration and is waiting."""
        with self._condition:
            return self._condition.wait_for(lambda: self._parked or self._ended or not self._paused, timeout)

    def end(self) -> None:
        """Called by the worker when the run is over: nothing will wait here any more."""
        with self._condition:
            self._ended = True
            self._condition.notify_all()

    def _set(self, paused: bool, steps: int) -> None:
        with self._condition:
            self._paused, self._steps = paused, steps
            self._condition.notify_all()


class TrainingWorker(QObject):
    """On its thread: builds the :class:`Training` (sampling held-out tasks can take a while), pulls
    the engine's records, records them to the run folder and hands them over."""

    ready = Signal()  # ``training`` exists
    failed = Signal(str, str)  # message, details
    done = Signal()

    def __init__(
        self,
        preset: Preset,
        gate: RunGate,
        outbox: deque,
        run_dir: Path | None,
        resume: bool = False,
        training: Training | None = None,
    ):
        """``resume``: continue the run in ``run_dir`` from its newest checkpoint (``training``, if given,
        is that run already restored); its earlier metrics go to the plots first."""
        super().__init__()
        self.preset = preset
        self.gate = gate
        self.outbox = outbox
        self.run_dir = run_dir
        self.resume = resume and run_dir is not None
        self.training: Training | None = training
        self.recorder: RunRecorder | None = None
        self.recording_error: str | None = None
        self.config_errors: list[FieldError] = []

    @Slot()
    def run(self) -> None:
        with leave_a_core_for_the_window():
            self._run()

    def _run(self) -> None:
        try:
            self.training = training = self._build()
            if self.run_dir is not None:  # checkpoints too; resuming cuts metrics.csv back to the checkpoint
                self.recorder = RunRecorder.for_training(self.run_dir, training, resume=self.resume)
            if self.resume:
                self.outbox.extend(earlier_records(self.run_dir))
            self.ready.emit()
            for event in training.events(self.gate):
                self._record(event)
                self.outbox.append(event)
        except ConfigError as error:  # settings the engine refused (a task the algorithm cannot do, ...)
            self.config_errors = list(error.errors)
            self._salvage()
            self.failed.emit(str(error), "")
        except Exception as error:  # shown to the user in a dialog; the partial run is kept
            self._salvage()
            self.failed.emit(f"{type(error).__name__}: {error}", traceback.format_exc())
        finally:
            self.gate.end()
            self.done.emit()

    def _build(self) -> Training:
        if self.training is not None:
            return self.training
        if not self.resume:
            return Training(self.preset)
        training, notes = resume_training(self.run_dir)
        self.outbox.extend(Notice(note) for note in notes)
        return training

    def _record(self, event: Event) -> None:
        if self.recorder is None:
            return
        try:
            self.recorder.record(event)
        except OSError as error:  # a full disk should not end the training: drop the recording
            self.recording_error = f"recording stopped: {error}"
            self.recorder = None

    def _salvage(self) -> None:
        """Write what the run reached (model, summary) to its folder after an error."""
        if self.recorder is None or self.training is None:
            return
        t = self.training
        try:
            self.recorder.finish(RunFinished(t.iteration, "error", t.train_seconds, 0.0, None))
        except Exception as error:  # the dialog reports the first error; this one only costs the recording
            self.recording_error = f"recording incomplete: {error}"


class RunSession(QObject):
    """One run: its worker, thread and gate; lives on the UI thread.  ``training`` is set once ``ready``."""

    ready = Signal()
    failed = Signal(str, str)
    ended = Signal()

    def __init__(
        self,
        preset: Preset,
        run_dir: Path | None = None,
        paused: bool = False,
        steps: int = 0,
        resume: bool = False,
        training: Training | None = None,
    ):
        """``resume``: continue the run recorded in ``run_dir`` (see :class:`TrainingWorker`)."""
        super().__init__()
        self.preset = preset
        self.run_dir = run_dir
        self.resume = resume
        self.gate = RunGate(paused=paused, steps=steps)
        self.outbox: deque[Event] = deque()
        self.worker = TrainingWorker(preset, self.gate, self.outbox, run_dir, resume, training)
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
