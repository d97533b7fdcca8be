"""Following a run that an earlier window left running: its records from its folder, control requests to it.

The run's process is no child of ours, so there is no pipe: :class:`AttachedRun`
tails ``events.jsonl`` and appends control lines to ``control.jsonl``
(:mod:`studio.runs.journal`); its process is the one ``run.lock`` names.  It
offers :class:`~studio.runs.process.ChildRun`'s interface (pause, step, stop,
kill, ``outbox``, ``exit``), so the window drives both alike.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import deque
from pathlib import Path

from studio.export.run_lock import Liveness, liveness, process_alive, read_lock
from studio.runs.journal import CONTROL_FILE, EVENTS_FILE, POLL_S, LineTail, append_line
from studio.runs.messages import RunRequest
from studio.runs.process import ChildExit, ChildRun
from studio.runs.wire import decode, encode


def why_not_followable(run_dir: str | Path) -> str | None:
    """``None`` when ``run_dir`` holds a run left running by its window; else why it cannot be followed."""
    run_dir = Path(run_dir)
    if liveness(run_dir) != Liveness.ALIVE:
        return f"{run_dir}: no process is training this run"
    if not (run_dir / EVENTS_FILE).is_file():
        return f"{run_dir}: its run is shown by the window that started it (it was not left running)"
    return None


class AttachedRun(ChildRun):
    """``start()`` follows the run in ``run_dir`` from its first record in ``events.jsonl``."""

    def __init__(self, run_dir: str | Path, outbox: deque | None = None):
        super().__init__(RunRequest(None, str(run_dir)), outbox)
        self.run_dir = Path(run_dir)
        lock = read_lock(self.run_dir)
        self._pid = lock.pid if lock is not None else None
        self._following = True

    def start(self) -> None:
        self._reader = threading.Thread(target=self._read, name="studio-run-follower", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int | None:
        return self._pid

    @property
    def running(self) -> bool:
        return self._reader is not None and not self._ended.is_set()

    def kill(self) -> None:
        if self.running and self._alive():
            os.kill(self._pid, signal.SIGKILL)

    def detach(self) -> None:
        """Stop following; the run goes on."""
        self._following = False

    def _send(self, message) -> None:
        append_line(self.run_dir / CONTROL_FILE, encode(message))

    def _alive(self) -> bool:
        return self._pid is not None and process_alive(self._pid) is not False

    def _read(self) -> None:
        tail = LineTail(self.run_dir / EVENTS_FILE)
        while self._following and self._finished is None and self._failure is None:
            alive = self._alive()  # asked before reading: a process that ended has written all it will
            lines = tail.read()
            for line in lines:
                self._take(line)
            if not lines and not alive:
                break
            time.sleep(POLL_S if not lines else 0)
        for line in tail.read():  # a notice may follow the last record
            self._take(line)
        if self._following:
            self.exit = ChildExit(None, None, self.last_iteration, self._finished, self._failure)
            self._ended.set()

    def _take(self, line: str) -> None:
        try:
            record = decode(line)
        except (ValueError, TypeError):  # not a record: skip it, as a reader of a file must
            return
        self._note(record)
        self.outbox.append(record)
