"""A run left running by its window: the files through which a later window follows and controls it.

After :attr:`~studio.runs.messages.ControlAction.DETACH` the child stops
using its pipes.  It appends every record to ``events.jsonl`` in its run
folder (the run's first record, ``RunStarted``, first; the metrics before
the detach are in ``metrics.csv`` already, so nothing is written twice) and
polls ``control.jsonl`` there for control lines that a window appends.  Both
are JSON lines of :mod:`studio.runs.wire`, read with :class:`LineTail`.  The
child removes both when a run starts; after the run they stay, small, until
the run is continued or deleted.
"""

from __future__ import annotations

import os
from pathlib import Path

from studio.export.run_lock import CONTROL_FILE, EVENTS_FILE  # named there: the run library knows them as a run's

POLL_S = 0.1  # how often the child looks for control lines, and a follower for records


def clear_journal(run_dir: str | Path) -> None:
    """Remove the files of an earlier detached session (a run starts, or is continued, attached)."""
    for name in (EVENTS_FILE, CONTROL_FILE):
        (Path(run_dir) / name).unlink(missing_ok=True)


def append_line(path: Path, line: str) -> None:
    """Append one line with a single write, so a reader never sees half of it next to another writer's."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, (line + "\n").encode("utf-8"))
    finally:
        os.close(descriptor)


class LineTail:
    """The complete lines appended to ``path`` since the last :meth:`read` (none while it does not exist)."""

    def __init__(self, path: Path, offset: int = 0):
        self.path = path
        self.offset = offset
        self._partial = b""

    def read(self) -> list[str]:
        try:
            with self.path.open("rb") as handle:
                handle.seek(self.offset)
                data = handle.read()
        except FileNotFoundError:
            return []
        self.offset += len(data)
        *lines, self._partial = (self._partial + data).split(b"\n")
        return [line.decode("utf-8") for line in lines if line.strip()]
