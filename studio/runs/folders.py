"""Where runs are written: a new run's folder name, and the ``GROUP/seed-K`` layout of a seed series.

The command line and the window both name folders here, so a run started
from either lands where the runs library expects it.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from studio.export import prepare_run_dir


def run_stem(preset_path: Path | None, name: str) -> str:
    """A file-name-friendly name for an experiment: its preset file's stem, else its name."""
    if preset_path is not None:
        return Path(preset_path).stem
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()[:40] or "experiment"


def new_run_dir(runs_dir: Path, stem: str) -> Path:
    """A fresh folder ``RUNS/STEM-DATE-TIME`` (``-2``, ``-3``... when that exists), created; ``ConfigError`` if not."""
    base = Path(runs_dir) / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return prepare_run_dir(candidate)


def seed_folders(group: Path, first_seed: int, count: int) -> list[tuple[int, Path]]:
    """Seeds ``first_seed .. first_seed+count-1`` and their folders ``GROUP/seed-K`` (the runs library groups them)."""
    return [(seed, Path(group) / f"seed-{seed}") for seed in range(first_seed, first_seed + count)]
