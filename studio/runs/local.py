"""A run in this process: build (or restore) the training, record every record into the run folder, yield it.

The one record loop: ``studio run`` in the foreground drives it on its main
thread, and a run's child process (:mod:`studio.runs.child`) drives it for
the window.  A run that ends early (Ctrl-C, an exception) is finished here
too: its model, checkpoint and summary are written with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from studio.engine import Training
from studio.engine.distributed import PeerLost
from studio.engine.events import Event, FinishReason, Notice, RunFinished
from studio.export import RunRecorder
from studio.export.resume import resume_training
from studio.runs.messages import RunRequest


class LocalRun:
    """``records()`` trains ``request`` to its end; ``training``, ``finished`` and ``recording_error`` tell how far."""

    def __init__(self, request: RunRequest, should_stop: Callable[[], bool] | None = None):
        self.request = request
        self.run_dir = Path(request.run_dir) if request.run_dir is not None else None
        self.should_stop = should_stop
        self.training: Training | None = None
        self.recorder: RunRecorder | None = None
        self.finished: RunFinished | None = None
        self.recording_error: str | None = None  # the recording stopped (a full disk); the training went on

    def records(self) -> Iterator[Event]:
        """The run's records as the engine yields them, each recorded first."""
        yield from self._build()
        try:
            for event in self.training.events(self.should_stop):
                self._record(event)
                yield event
        except (KeyboardInterrupt, PeerLost):  # PeerLost: another rank died; this state is whole, and resumable
            self.finish_early(FinishReason.INTERRUPTED)
            raise
        except Exception:
            self.finish_early(FinishReason.ERROR)
            raise
        self.finished = event

    def _build(self) -> Iterator[Notice]:
        request = self.request
        try:
            if request.resume:
                self.training, notes = resume_training(self.run_dir, request.overrides)
                yield from (Notice(note) for note in notes)
            else:
                self.training = Training(request.preset)
        except Exception:
            self._remove_if_empty()  # a run that never started leaves no empty folder behind
            raise
        if self.run_dir is not None and self.training.world.is_main:  # under torchrun rank 0 alone records
            # checkpoints too; resuming cuts metrics.csv back to the checkpoint
            source = Path(request.preset_source) if request.preset_source else None
            self.recorder = RunRecorder.for_training(
                self.run_dir, self.training, resume=request.resume, preset_source=source
            )

    def _record(self, event: Event) -> None:
        if self.recorder is None:
            return
        try:
            self.recorder.record(event)
        except OSError as error:  # a full disk should not end the training: drop the recording
            self.recording_error = f"recording stopped: {error}"
            self.recorder = None

    def finish_early(self, reason: FinishReason) -> None:
        """Write what the run reached (checkpoint, model, summary with ``reason``) after it ended early."""
        training = self.training
        if self.recorder is None or training is None:
            return
        self.finished = RunFinished(training.iteration, reason, training.train_seconds, 0.0, None)
        try:
            self.recorder.finish(self.finished)
        except Exception as error:  # the first error is what the user hears about; this one costs the recording
            self.recording_error = f"recording incomplete: {error}"

    def _remove_if_empty(self) -> None:
        if self.run_dir is not None and self.run_dir.is_dir() and not any(self.run_dir.iterdir()):
            self.run_dir.rmdir()
