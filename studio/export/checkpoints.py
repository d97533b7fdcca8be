"""Checkpoints in a run folder: written atomically, the last two kept, the newest readable one used.

``checkpoint-00001000.safetensors`` holds :meth:`Training.state_dict` (see
:mod:`studio.export.state_files`: no pickle).  ``metrics.csv`` is the record of
the metrics so far; resuming truncates any rows written after the checkpoint.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from studio.config import ConfigError, atomic_write_bytes

KEEP = 2
PATTERN = "checkpoint-*.safetensors"


def checkpoint_path(run_dir: Path, iteration: int) -> Path:
    return Path(run_dir) / f"checkpoint-{iteration:08d}.safetensors"


def checkpoints(run_dir: str | Path) -> list[Path]:
    """The run folder's checkpoints, oldest first."""
    return sorted(Path(run_dir).glob(PATTERN))


def save_checkpoint(run_dir: str | Path, iteration: int, data: bytes) -> Path:
    """Write an encoded state as the newest checkpoint, then delete all but the last :data:`KEEP`."""
    path = checkpoint_path(Path(run_dir), iteration)
    atomic_write_bytes(path, data)
    for old in checkpoints(run_dir)[:-KEEP]:
        old.unlink(missing_ok=True)
    return path


def snapshot(state: dict) -> tuple[int, bytes]:
    """The iteration and encoded bytes of a training state, taken now."""
    from studio.export.state_files import encode_state  # torch: not for `studio runs`, which lists checkpoints

    return int(state["iteration"]), encode_state(state)


def latest_checkpoint(run_dir: str | Path) -> tuple[dict, Path, list[str]]:
    """The newest checkpoint that reads back, its path, and a note for each damaged one passed over."""
    from studio.export.state_files import load_state

    passed_over = []
    for path in reversed(checkpoints(run_dir)):
        try:
            return load_state(path), path, passed_over
        except ConfigError as error:
            passed_over.append(f"{path.name} is damaged and was skipped ({error})")
    raise ConfigError(f"{run_dir}: no readable checkpoint to resume from")


def truncate_metrics(metrics: Path, iteration: int) -> None:
    """Drop ``metrics.csv`` rows after ``iteration`` and any half-written last line (a killed run's)."""
    if not metrics.exists():
        return
    text = metrics.read_text(encoding="utf-8")
    complete = text if text.endswith("\n") else text[: text.rfind("\n") + 1]
    lines = complete.splitlines(keepends=True)
    kept = lines[:1] + [line for line in lines[1:] if _iteration(line) is not None and _iteration(line) <= iteration]
    tmp = metrics.with_suffix(".csv.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        handle.writelines(kept)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, metrics)


def _iteration(line: str) -> int | None:
    try:
        return int(next(csv.reader([line]))[0])
    except (ValueError, IndexError, StopIteration):
        return None
