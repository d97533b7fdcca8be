"""The parent's side of a run in a child process: start it, read its records, send it requests, see it end.

A plain thread reads the child's stdout and appends each record to
``outbox`` (a deque: the window drains it from a timer, a test or a script
from :meth:`ChildRun.wait`).  When the child's stdout closes, the thread
reaps the process and sets :attr:`ChildRun.exit`: the exit status or the
signal that ended it, and the last iteration it reported.  A child that
dies (killed, crashed) therefore never takes its parent with it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import studio
from studio.engine.events import FinishReason, RunFinished, RunStarted, StepMetrics
from studio.runs.messages import Checkpointed, Control, ControlAction, Parked, RunFailed, RunRequest
from studio.runs.wire import decode, encode

CHILD_MODULE = "studio.runs.child"


@dataclass(frozen=True)
class ChildExit:
    """How a run's process ended: ``code`` (its exit status) or ``signal`` (what killed it), and how far it got."""

    code: int | None
    signal: int | None
    last_iteration: int
    finished: RunFinished | None
    failure: RunFailed | None

    @property
    def died(self) -> bool:
        """Ended without finishing or reporting an error: killed, crashed, out of memory."""
        return self.finished is None and self.failure is None

    @property
    def completed(self) -> bool:
        """Exited cleanly after training every iteration asked for."""
        return self.code == 0 and self.finished is not None and self.finished.reason == FinishReason.COMPLETED

    def describe(self) -> str:
        """``killed by SIGKILL`` / ``exit status 3``, for the user."""
        if self.signal is not None:
            return f"killed by {signal.Signals(self.signal).name}"
        if self.code is None:  # a followed run's process is no child of ours: how it ended is unknown here
            return "its process ended"
        return f"exit status {self.code}"


class ChildRun:
    """``start()``; then ``pause()``, ``resume()``, ``step()``, ``stop()``, ``kill()``; ``exit`` once it ended."""

    def __init__(self, request: RunRequest, outbox: deque | None = None, command: Sequence[str] | None = None):
        """``command`` replaces ``python -m studio.runs.child`` (tests start a child with a fault in it)."""
        self.request = request
        self.outbox: deque = outbox if outbox is not None else deque()
        self.command = list(command or [sys.executable, "-m", CHILD_MODULE])
        self.process: subprocess.Popen | None = None
        self.started: RunStarted | None = None
        self.last_iteration = 0
        self.exit: ChildExit | None = None
        self._finished: RunFinished | None = None
        self._failure: RunFailed | None = None
        self._reader: threading.Thread | None = None
        self._ended = threading.Event()
        self._parked = threading.Event()  # it said it waits, and has not been asked to go on since
        self._checkpointed = threading.Event()

    def start(self) -> None:
        self.process = self._popen()
        self._send(self.request)
        self._reader = threading.Thread(target=self._read, name="studio-run-reader", daemon=True)
        self._reader.start()

    def _popen(self) -> subprocess.Popen:
        return subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=child_environment(self.request.torch_threads),
            text=True,
            start_new_session=True,  # Ctrl-C or a closing terminal reach the window, not a run it may leave running
        )

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def finished(self) -> RunFinished | None:
        """The run's last record, once it has come (the process may still be saving and exiting)."""
        return self._finished

    @property
    def running(self) -> bool:
        """Started and not yet ended (training or paused)."""
        return self.process is not None and not self._ended.is_set()

    def pause(self) -> None:
        self._send(Control(ControlAction.PAUSE))

    def resume(self) -> None:
        self._go_on(ControlAction.RESUME)

    def step(self) -> None:
        """Exactly one more meta-iteration, then wait (the run is paused after it)."""
        self._go_on(ControlAction.STEP)

    def stop(self) -> None:
        """Finish with one last evaluation and save."""
        self._go_on(ControlAction.STOP)

    def detach(self) -> None:
        """Leave the run running without this process (:mod:`studio.runs.journal`): it closes its pipe to us."""
        self._send(Control(ControlAction.DETACH))

    def wait_parked(self, timeout: float) -> bool:
        """After :meth:`pause`, wait until the child has finished its iteration and waits (or has ended)."""
        return self._parked.wait(timeout) or self._ended.is_set()

    def checkpoint(self, timeout: float) -> bool:
        """Ask the paused child for a checkpoint in its run folder as it stands; whether it wrote one in time."""
        self._checkpointed.clear()
        self._send(Control(ControlAction.CHECKPOINT))
        return self._checkpointed.wait(timeout)

    def _go_on(self, action: ControlAction) -> None:
        self._parked.clear()
        self._send(Control(action))

    def kill(self) -> None:
        """End the process at once (SIGKILL): the run folder keeps its last checkpoint."""
        if self.running:
            self.process.kill()

    def wait(self, timeout: float | None = None) -> ChildExit | None:
        """Block until the child has ended and its last record is in ``outbox``; ``None`` on timeout."""
        self._ended.wait(timeout)
        return self.exit

    def drain(self) -> list:
        """The records that arrived since the last call, in order."""
        records = []
        while self.outbox:
            records.append(self.outbox.popleft())
        return records

    def _send(self, message) -> None:
        try:
            self.process.stdin.write(encode(message) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):  # it has ended already: nothing to ask of it
            pass

    def _read(self) -> None:
        try:
            for line in self.process.stdout:
                record = decode(line)
                self._note(record)
                self.outbox.append(record)
        except (ValueError, TypeError):  # not a record: the child is not ours to understand; wait for its end
            pass
        finally:
            self._reap()

    def _reap(self) -> None:
        code = self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                pipe.close()
        self.exit = self._exit_of(code)
        self._ended.set()

    def _exit_of(self, code: int) -> ChildExit:
        """How the process ended, from its exit status (negative: the signal that killed it)."""
        killed = -code if code < 0 else None
        return ChildExit(None if killed else code, killed, self.last_iteration, self._finished, self._failure)

    def _note(self, record) -> None:
        if isinstance(record, StepMetrics):
            self.last_iteration = record.iteration
        elif isinstance(record, RunStarted):
            self.started, self.last_iteration = record, record.start_iteration
        elif isinstance(record, RunFinished):
            self._finished = record
        elif isinstance(record, RunFailed):
            self._failure = record
        elif isinstance(record, Parked):
            self._parked.set()
        elif isinstance(record, Checkpointed):
            self._checkpointed.set()


def child_environment(torch_threads: int = 0) -> dict[str, str]:
    """The parent's environment, with this ``studio`` package first on the child's path; with ``torch_threads``,
    OpenMP's pool sized to match too (torch.set_num_threads alone leaves other OpenMP users at every core)."""
    root = str(Path(studio.__file__).resolve().parents[1])
    paths = [root, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    threads = {"OMP_NUM_THREADS": str(torch_threads)} if torch_threads > 0 else {}
    return {**os.environ, "PYTHONPATH": os.pathsep.join(dict.fromkeys(paths)), **threads}
