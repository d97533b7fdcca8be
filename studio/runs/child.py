"""A run in a child process: ``python -m studio.runs.child``, spoken to in JSON lines (:mod:`studio.runs.wire`).

The parent writes a :class:`RunRequest` as the first line of the child's
stdin, then :class:`Control` lines (pause, resume, step, stop); the child
writes every record of the run to its stdout, one line each, and a
:class:`RunFailed` if an exception ended it.  Closing its stdin (the parent
is gone) asks it to stop: it finishes with a last evaluation and saves, as
Stop does.  A hard kill is a signal; the run folder keeps the last checkpoint.

Under ``torchrun`` (:mod:`studio.runs.ranks`) each rank runs this module: rank 0
talks to the driver as above, the other ranks train their shares in silence.

A window that closes leaving the run running sends ``DETACH`` first: from
then on the child writes its records to ``events.jsonl`` in the run folder
and takes control lines from ``control.jsonl`` there (:mod:`studio.runs.journal`),
so the end of its stdin no longer stops it.  It runs in a session of its own
(the parent starts it so), and ignores SIGHUP, so a closing terminal leaves it be.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from studio.config import ConfigError
from studio.engine.distributed import PeerLost, launched_ranks, leave
from studio.engine.events import Notice, RunStarted
from studio.runs.gate import RunGate
from studio.runs.journal import CONTROL_FILE, EVENTS_FILE, POLL_S, LineTail, clear_journal
from studio.runs.local import LocalRun
from studio.runs.messages import Checkpointed, Control, ControlAction, Parked, RunFailed, RunRequest
from studio.runs.wire import decode, encode

EXIT_FAILED, EXIT_REFUSED, EXIT_PEER_LOST, EXIT_INTERRUPTED = 1, 2, 3, 130  # 3: stopped by another rank's failure
REQUEST_FILE_ENV = "STUDIO_RUN_REQUEST"  # under torchrun, where the ranks other than 0 read the request
PARK_TIMEOUT_S = 60.0  # a paused run finishes its current iteration (and any evaluation) first


class Sender:
    """Writes records to the parent (from the run's thread and the control thread); once the parent has gone,
    the run goes on into its folder alone."""

    def __init__(self, outgoing: TextIO):
        self.outgoing = outgoing
        self.gone = False
        self.journal: TextIO | None = None  # events.jsonl, once the run is left running
        self.started: RunStarted | None = None  # the first line of that file: what a follower needs to begin
        self._lock = threading.Lock()

    def __call__(self, record) -> None:
        with self._lock:
            if isinstance(record, RunStarted):
                self.started = record
            if self.journal is not None:
                self.journal.write(encode(record) + "\n")
                self.journal.flush()
                return
            if self.gone:
                return
            try:
                self.outgoing.write(encode(record) + "\n")
                self.outgoing.flush()
            except (BrokenPipeError, ValueError):  # a closed pipe, or a closed file
                self.gone = True

    def detach(self, journal: Path) -> None:
        """From now on write every record to ``journal`` (the run's ``RunStarted`` first), not to the parent."""
        with self._lock:
            self.gone = True
            self.journal = journal.open("w", encoding="utf-8")
            if self.started is not None:
                self.journal.write(encode(self.started) + "\n")
                self.journal.flush()
            with contextlib.suppress(OSError):
                self.outgoing.close()  # the parent's reader sees the end of the pipe


def obey(incoming: TextIO, actions: dict[ControlAction, Callable[[], None]], gone: Callable[[], None]) -> None:
    """Apply the parent's control lines until its stdin closes, then call ``gone`` (not after ``DETACH``)."""
    for line in incoming:
        message = decode(line)
        if isinstance(message, Control):
            actions[message.action]()
            if message.action == ControlAction.DETACH:
                return
    gone()


def obey_file(path: Path, actions: dict[ControlAction, Callable[[], None]]) -> None:
    """Apply the control lines appended to ``path`` (by any window following the run), for as long as it runs."""
    tail = LineTail(path)
    while True:
        for line in tail.read():
            try:
                message = decode(line)
            except (ValueError, TypeError):  # not ours: a control file is only a request
                continue
            if isinstance(message, Control) and message.action != ControlAction.DETACH:
                actions[message.action]()
        time.sleep(POLL_S)


def detach(run_dir: Path | None, send: Sender, actions: dict[ControlAction, Callable[[], None]]) -> None:
    """The window closes leaving the run running: records to its folder, controls from it, std streams quiet."""
    if run_dir is None:  # an unrecorded run has nowhere to be followed from: finish it as if the window had gone
        actions[ControlAction.STOP]()
        return
    quiet = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):  # the terminal the window ran in may close
        os.dup2(quiet, stream.fileno())
    send.detach(run_dir / EVENTS_FILE)
    threading.Thread(target=obey_file, args=(run_dir / CONTROL_FILE, actions), name="studio-control-file",
                     daemon=True).start()  # fmt: skip


def checkpoint_when_parked(run: LocalRun, gate: RunGate, send: Sender) -> None:
    """Write a checkpoint of the paused run (the training is not changing while the gate holds it)."""
    if gate.wait_parked(PARK_TIMEOUT_S) and gate.paused and run.recorder is not None:
        run.recorder.checkpoint_now()
        send(Checkpointed(run.training.iteration))


def serve(incoming: TextIO, outgoing: TextIO) -> int:
    """Run the request on ``incoming``'s first line, obeying the lines after it; the exit status."""
    return serve_request(_request(incoming.readline()), incoming, outgoing)


def serve_rank(incoming: TextIO, outgoing: TextIO) -> int:
    """One process of a torchrun launch (:mod:`studio.runs.ranks`): rank 0 is the child its driver talks to;
    the others read the same request from the file its driver named, and neither read nor write the pipes.
    Each leaves the process group before it exits: left to the interpreter's exit, gloo's threads were torn down
    mid-way and the rank aborted (SIGABRT, "terminate called without an active exception") in about 1 run in 5
    on a loaded machine."""
    try:
        if int(os.environ.get("RANK", "0")) == 0:
            return serve(incoming, outgoing)
        request = _request(Path(os.environ[REQUEST_FILE_ENV]).read_text(encoding="utf-8"))
        request = dataclasses.replace(request, paused=False, steps=0)  # rank 0 holds them all: this one never waits
        with open(os.devnull, "w", encoding="utf-8") as nowhere:
            return serve_request(request, None, nowhere)
    finally:
        with contextlib.suppress(Exception):  # the run's own exit status says more than a failed goodbye
            leave()


def _request(line: str) -> RunRequest:
    request = decode(line)
    if not isinstance(request, RunRequest):
        raise ValueError(f"the first line must be a RunRequest, not {type(request).__name__}")
    return request


def serve_request(request: RunRequest, incoming: TextIO | None, outgoing: TextIO) -> int:
    """Run ``request``, obeying the control lines on ``incoming`` (``None``: no driver to obey); the exit status."""
    set_torch_threads(request.torch_threads)
    run_dir = Path(request.run_dir) if request.run_dir is not None else None
    if run_dir is not None and incoming is not None:  # rank 0 of a torchrun launch, or the only process
        clear_journal(run_dir)
    send = Sender(outgoing)
    gate = RunGate(request.paused, request.steps, on_park=lambda: send(Parked(run.training.iteration)))
    run = LocalRun(request, gate)
    actions = {
        ControlAction.PAUSE: gate.pause,
        ControlAction.RESUME: gate.resume,
        ControlAction.STEP: gate.step,
        ControlAction.STOP: gate.stop,
        ControlAction.CHECKPOINT: lambda: checkpoint_when_parked(run, gate, send),
    }
    actions[ControlAction.DETACH] = lambda: detach(run_dir, send, actions)
    if incoming is not None:
        threading.Thread(target=obey, args=(incoming, actions, gate.stop), name="studio-control", daemon=True).start()
    if launched_ranks() > 1:  # torchrun ends the others with SIGTERM when a rank fails: meet the loss, keep the run
        signal.signal(signal.SIGTERM, lambda _signum, _frame: gate.stop())
    try:
        for record in run.records():
            send(record)
    except ConfigError as error:  # settings the engine refused: the fields to mark, no traceback
        send(RunFailed(str(error), "", error.errors))
        return EXIT_REFUSED
    except PeerLost as error:  # another rank failed; its driver names it (run.records() kept a checkpoint)
        where = f"; stopped at iteration {run.training.iteration}" if run.training is not None else ""
        send(RunFailed(f"{error}{where}"))
        return EXIT_PEER_LOST
    except KeyboardInterrupt:
        if run.finished is not None:
            send(run.finished)
        return EXIT_INTERRUPTED
    except Exception as error:
        send(RunFailed(f"{type(error).__name__}: {error}", traceback.format_exc()))
        return EXIT_FAILED
    if run.recording_error:
        send(Notice(run.recording_error))
    return 0


def set_torch_threads(count: int) -> None:
    if count > 0:
        import torch

        torch.set_num_threads(count)


def main() -> int:
    """The records get the real stdout to themselves: anything printed (by a library too) goes to stderr."""
    if hasattr(signal, "SIGHUP"):  # a run left running outlives the terminal the window ran in
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    outgoing = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    if launched_ranks() > 1:
        return serve_rank(sys.stdin, outgoing)
    return serve(sys.stdin, outgoing)


if __name__ == "__main__":
    sys.exit(main())
