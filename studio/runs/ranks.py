"""A run shared by several processes on this machine (``torchrun``), driven as one child process.

:class:`RankedRun` starts ``python -m torch.distributed.run --standalone --nproc-per-node N -m studio.runs.child``:
every rank trains its share of each meta-batch (:mod:`studio.engine.distributed`), and rank 0 is the child its
driver talks to (its records on the pipe, Pause/Step/Stop answered between meta-iterations and agreed by all
ranks).  The request goes to rank 0 on its stdin and to the others in a file.  ``kill()`` ends every rank,
and when the launch fails, :attr:`RankedRun.exit` names the rank that failed first, from torchrun's report.
The window (:mod:`studio.ui.worker`) and ``studio run --nproc N`` both drive runs through it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections import deque
from pathlib import Path

from studio.config import atomic_write_text
from studio.runs.messages import RunFailed, RunRequest
from studio.runs.process import CHILD_MODULE, ChildExit, ChildRun, child_environment
from studio.runs.wire import encode

PEER_WAIT_S = 7 * 24 * 3600  # the other ranks wait this long for rank 0 at an exchange: a run paused for days
LOG_CHARS = 200_000  # of torchrun's own output, kept to read the failure report from
_FAILURE = re.compile(r"rank\s*:\s*(\d+)\s*\(local_rank:\s*\d+\)\s*\n\s*exitcode\s*:\s*(-?\d+)")


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def rank_threads(threads: int, processes: int) -> int:
    """Torch threads per rank so that the ranks together use ``threads`` (0: every core) once."""
    return max(1, (threads or cores()) // processes)


def torchrun_command(processes: int) -> list[str]:
    """torchrun's own entry point, one machine, each rank running the child module."""
    launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={processes}"]
    return [*launcher, "-m", CHILD_MODULE]


class RankedRun(ChildRun):
    """:class:`ChildRun`'s interface for a run of ``processes`` ranks; ``log`` is torchrun's output once ended."""

    def __init__(self, request: RunRequest, processes: int, outbox: deque | None = None):
        overrides = request.overrides + ((f"training.processes={processes}",) if request.resume else ())
        threads = rank_threads(request.torch_threads, processes)
        request = dataclasses.replace(request, torch_threads=threads, overrides=overrides)
        super().__init__(request, outbox, torchrun_command(processes))
        self.processes = processes
        self.log = ""
        self._folder: Path | None = None  # where the request waits for the ranks other than 0
        self._log_reader: threading.Thread | None = None

    def _popen(self) -> subprocess.Popen:
        from studio.engine.distributed import PEER_WAIT_ENV  # these import torch: not while the window opens
        from studio.runs.child import REQUEST_FILE_ENV

        self._folder = Path(tempfile.mkdtemp(prefix="studio-ranks-"))
        request_file = self._folder / "request.json"
        atomic_write_text(request_file, encode(self.request))
        environment = {
            **child_environment(self.request.torch_threads),  # each rank's threads
            REQUEST_FILE_ENV: str(request_file),
            PEER_WAIT_ENV: str(PEER_WAIT_S),
        }
        process = subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
            text=True,
        )
        self._log_reader = threading.Thread(target=self._read_log, args=(process,), name="studio-ranks-log")
        self._log_reader.daemon = True
        self._log_reader.start()
        return process

    def _read_log(self, process: subprocess.Popen) -> None:
        """Pass the ranks' ``studio`` lines on to this process's stderr; keep torchrun's report to read later."""
        kept: deque[str] = deque()
        size = 0
        for line in process.stderr:
            if line.startswith("studio"):
                sys.stderr.write(line)
            kept.append(line)
            size += len(line)
            while size > LOG_CHARS:
                size -= len(kept.popleft())
        self.log = "".join(kept)

    def kill(self) -> None:
        """End torchrun and every rank at once (SIGKILL): each rank leads a session of its own."""
        if not self.running:
            return
        ranks = descendants(self.process.pid)  # before torchrun goes: then they are no longer its children
        for pid in [self.process.pid, *ranks]:  # torchrun first, so that it reports no failure of its own
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)

    def _exit_of(self, code: int) -> ChildExit:
        """A failed launch names the rank that failed first (and what rank 0 said)."""
        if self._log_reader is not None:
            self._log_reader.join(timeout=10)
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
        ended = super()._exit_of(code)
        if code <= 0 or (ended.failure is not None and ended.failure.field_errors):
            return ended  # done, killed (it died), or settings refused: the fields are what the user needs
        said = ended.failure.message if ended.failure is not None else ""
        message = "; ".join(filter(None, [failure_message(self.log, self.processes), said]))
        details = "\n".join(filter(None, [ended.failure.details if ended.failure else "", self.log[-4000:]]))
        return dataclasses.replace(ended, failure=RunFailed(message, details))


def failure_message(log: str, processes: int) -> str:
    """Which rank failed first and how, from torchrun's failure report (not those that stopped because of it)."""
    from studio.runs.child import EXIT_PEER_LOST  # the child's module imports torch

    failures = [(int(rank), int(code)) for rank, code in _FAILURE.findall(log)]
    causes = [f for f in failures if f[1] not in (EXIT_PEER_LOST, -signal.SIGTERM)] or failures
    if not causes:
        return f"the run of {processes} processes failed"
    rank, code = causes[0]
    how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
    return f"process rank {rank} of {processes} {how}"


def descendants(ancestor: int) -> list[int]:
    """Every process below ``ancestor`` (Linux ``/proc``; none where it is missing)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, frontier = [], [ancestor]
    while frontier:
        below = children.get(frontier.pop(), [])
        found += below
        frontier += below
    return found
