"""A run in a child process: ``python -m studio.runs.child``, spoken to in JSON lines (:mod:`studio.runs.wire`).

The parent writes a :class:`RunRequest` as the first line of the child's
stdin, then :class:`Control` lines (pause, resume, step, stop); the child
writes every record of the run to its stdout, one line each, and a
:class:`RunFailed` if an exception ended it.  Closing its stdin (the parent
is gone) asks it to stop: it finishes with a last evaluation and saves, as
Stop does.  A hard kill is a signal; the run folder keeps the last checkpoint.
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from collections.abc import Callable
from typing import TextIO

from studio.config import ConfigError
from studio.runs.gate import RunGate
from studio.runs.local import LocalRun
from studio.runs.messages import Control, ControlAction, RunFailed, RunRequest
from studio.runs.wire import decode, encode

EXIT_FAILED, EXIT_REFUSED, EXIT_INTERRUPTED = 1, 2, 130


def obey(incoming: TextIO, gate: RunGate) -> None:
    """Apply the parent's control lines to ``gate`` until its stdin closes, then stop the run."""
    actions: dict[ControlAction, Callable[[], None]] = {
        ControlAction.PAUSE: gate.pause,
        ControlAction.RESUME: gate.resume,
        ControlAction.STEP: gate.step,
        ControlAction.STOP: gate.stop,
    }
    for line in incoming:
        message = decode(line)
        if isinstance(message, Control):
            actions[message.action]()
    gate.stop()


class Sender:
    """Writes records to the parent; once the parent has gone, the run goes on into its folder alone."""

    def __init__(self, outgoing: TextIO):
        self.outgoing = outgoing
        self.gone = False

    def __call__(self, record) -> None:
        if self.gone:
            return
        try:
            self.outgoing.write(encode(record) + "\n")
            self.outgoing.flush()
        except (BrokenPipeError, ValueError):  # a closed pipe, or a closed file
            self.gone = True


def serve(incoming: TextIO, outgoing: TextIO) -> int:
    """Run the request on ``incoming``'s first line, obeying the lines after it; the exit status."""
    request = decode(incoming.readline())
    if not isinstance(request, RunRequest):
        raise ValueError(f"the first line must be a RunRequest, not {type(request).__name__}")
    gate = RunGate(paused=request.paused, steps=request.steps)
    threading.Thread(target=obey, args=(incoming, gate), name="studio-control", daemon=True).start()
    run, send = LocalRun(request, gate), Sender(outgoing)
    try:
        for record in run.records():
            send(record)
    except ConfigError as error:  # settings the engine refused: the fields to mark, no traceback
        send(RunFailed(str(error), "", error.errors))
        return EXIT_REFUSED
    except KeyboardInterrupt:
        if run.finished is not None:
            send(run.finished)
        return EXIT_INTERRUPTED
    except Exception as error:
        send(RunFailed(f"{type(error).__name__}: {error}", traceback.format_exc()))
        return EXIT_FAILED
    return 0


def main() -> int:
    """The records get the real stdout to themselves: anything printed (by a library too) goes to stderr."""
    outgoing = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return serve(sys.stdin, outgoing)


if __name__ == "__main__":
    sys.exit(main())
