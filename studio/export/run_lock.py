"""``run.lock``: which process is training a run folder now, so a killed run is not taken for a running one.

The recorder writes the lock when a run starts (``{"pid", "host", "started"}``)
and removes it when the run ends, stopped, failed or completed.  A process
killed with SIGKILL cannot remove it, so whoever reads the folder asks whether
that process still lives: on the same host, a pid that is gone (or a zombie
its parent has not reaped yet) means the run died.  A lock from another host
cannot be checked from here (:attr:`Liveness.UNKNOWN`), nor can a pid on
Windows; the library then falls back to how recently ``metrics.csv`` changed.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from studio.config import atomic_write_text

LOCK_FILE = "run.lock"
SUMMARY_FILE = "summary.json"
EVENTS_FILE, CONTROL_FILE = "events.jsonl", "control.jsonl"  # of a run left running by its window (runs.journal)


class Liveness(StrEnum):
    """What a run folder's lock says about the process that wrote it."""

    NONE = "none"  # no lock: the run ended cleanly, or was recorded before locks existed
    ALIVE = "alive"
    DEAD = "dead"
    UNKNOWN = "unknown"  # another host's process, or a platform where a pid cannot be checked


@dataclass(frozen=True)
class RunLock:
    pid: int
    host: str
    started: float


def write_lock(run_dir: str | Path) -> None:
    """Mark ``run_dir`` as being trained by this process."""
    lock = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
    atomic_write_text(Path(run_dir) / LOCK_FILE, json.dumps(lock) + "\n")


def remove_lock(run_dir: str | Path) -> None:
    (Path(run_dir) / LOCK_FILE).unlink(missing_ok=True)


def read_lock(run_dir: str | Path) -> RunLock | None:
    """The lock in ``run_dir``; ``None`` when there is none, or it cannot be read (as if there were none)."""
    try:
        document = json.loads((Path(run_dir) / LOCK_FILE).read_text(encoding="utf-8"))
        return RunLock(int(document["pid"]), str(document["host"]), float(document["started"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def liveness(run_dir: str | Path) -> Liveness:
    """Whether the process named by ``run_dir``'s lock is still running."""
    lock = read_lock(run_dir)
    if lock is None:
        return Liveness.NONE
    if lock.host != socket.gethostname():
        return Liveness.UNKNOWN
    alive = process_alive(lock.pid)
    return Liveness.UNKNOWN if alive is None else Liveness.ALIVE if alive else Liveness.DEAD


def folders_stamp(run_dirs: Iterable[Path]) -> tuple:
    """What changes when a list of these runs would: the folders, their summaries' times and their processes'
    liveness.  A few file checks per folder: cheap enough to poll every second."""
    return tuple((str(path), _mtime(path / SUMMARY_FILE), liveness(path)) for path in run_dirs)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def process_alive(pid: int) -> bool | None:
    """Whether process ``pid`` runs (a zombie does not); ``None`` where this cannot be told cheaply."""
    if sys.platform == "win32":  # os.kill would terminate the process there
        return None
    if pid <= 0:  # 0 and negative numbers name process groups, not a process
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    except OSError:
        return None
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    """Linux's process state 'Z': killed, not yet reaped by its parent (elsewhere: taken as alive)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 : stat.rfind(")") + 3] == "Z"
