"""The seeds of a series that had not started when its window closed, leaving the series running.

A series' queue lives in the window that started it, so once the window has
closed nothing would start the seeds still waiting, and "Leave running" would
quietly train only some of them.  The window hands them instead to a process of
their own, ``python -m studio.runs.rest FILE``: it starts them as the window
would have, no more at once than the window's limit (the seeds left running
keep their slots until they end), and leaves each running as soon as it starts
(DETACH), so that a later window follows it as it follows the others.  As in
the window, a seed that does not complete starts no more seeds.

``FILE`` (``waiting-seeds.jsonl`` in the series' folder) holds one JSON line with
the limit and the process ids of the seeds left running, then one
:class:`~studio.runs.messages.RunRequest` per waiting seed in the wire format.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from studio.config import atomic_write_text
from studio.export.run_lock import SUMMARY_FILE, process_alive
from studio.runs.messages import RunRequest
from studio.runs.process import ChildRun, child_environment
from studio.runs.queue import RunQueue
from studio.runs.wire import decode, encode

REST_FILE = "waiting-seeds.jsonl"
REST_MODULE = "studio.runs.rest"


def leave_rest_running(
    group: Path, waiting: Sequence[RunRequest], running_pids: Sequence[int], limit: int, gpus: Sequence[str] = ()
) -> subprocess.Popen:
    """Start the process that trains ``waiting`` after the window has gone; ``group`` is the series' folder."""
    header = json.dumps({"limit": limit, "running": list(running_pids), "gpus": list(gpus)})
    path = Path(group) / REST_FILE
    atomic_write_text(path, "\n".join([header, *(encode(request) for request in waiting)]) + "\n")
    return subprocess.Popen(
        [sys.executable, "-m", REST_MODULE, str(path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # the terminal the window ran in may close; each seed reports in its folder
        env=child_environment(),
        start_new_session=True,
    )


def read_rest(path: Path) -> tuple[dict, list[RunRequest]]:
    """The header (``limit``, ``running``: the process ids of the seeds left running, ``gpus``) and the waiting
    seeds' requests."""
    header, *lines = Path(path).read_text(encoding="utf-8").splitlines()
    return json.loads(header), [decode(line) for line in lines]


class DetachedChild(ChildRun):
    """A seed's child process, left running as soon as it has started: it records to its folder's journal."""

    def start(self) -> None:
        super().start()
        self.detach()


def completed(run: ChildRun) -> bool:
    """Whether the seed's run completed (its summary says so; its records went to its folder, not to us)."""
    try:
        summary = json.loads((Path(run.request.run_dir) / SUMMARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return run.exit is not None and run.exit.code == 0 and summary.get("status") == "completed"


def rest_queue(
    limit: int, running_pids: Sequence[int], waiting: Sequence[RunRequest], gpus: Sequence[str] = ()
) -> RunQueue[DetachedChild]:
    """A queue of ``waiting``, ``limit`` at once counting the seeds left running while they are alive."""
    alive = list(running_pids)

    def left_running() -> int:
        alive[:] = [pid for pid in alive if process_alive(pid) is not False]
        return len(alive)

    queue = RunQueue(limit, gpus=gpus, make_run=DetachedChild, others=left_running, completed=completed)
    for request in waiting:
        queue.add(request)
    return queue


def train_rest(queue: RunQueue[DetachedChild]) -> int:
    """Start the queue's seeds as slots free up, until all have ended; 0 when every one completed (the queue
    starts no more after one that did not, as in the window)."""
    count = len(queue.waiting)
    queue.join()
    return 0 if len(queue.runs) == count and all(completed(run) for run in queue.runs) else 1


def main(argv: Sequence[str] | None = None) -> int:
    if hasattr(signal, "SIGHUP"):  # outlives the terminal the window ran in, as the seeds do
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    path = Path((argv if argv is not None else sys.argv[1:])[0])
    header, waiting = read_rest(path)
    code = train_rest(rest_queue(int(header["limit"]), header["running"], waiting, header.get("gpus", ())))
    path.unlink(missing_ok=True)  # every seed has started and ended: nothing waits any more
    return code


if __name__ == "__main__":
    sys.exit(main())
