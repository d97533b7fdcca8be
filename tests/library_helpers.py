"""Small run folders for the run-library tests: trained for a few iterations, or cut off on purpose."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from studio.config import Preset, preset_from_dict, preset_to_dict
from studio.engine import RunFinished, Training
from studio.export import RunRecorder
from studio.export.run_lock import LOCK_FILE
from tests.engine.helpers import tiny_preset

LONG_AGO = time.time() - 3600
ITERATIONS, EVAL_EVERY = 12, 4  # a run of the quick preset: evaluations at 4, 8 and 12


def quick_preset(**training: object) -> Preset:
    """The tiny sinusoid MAML preset, shorter: 12 iterations, one inner step."""
    return tiny_preset(
        algorithm={"inner_steps": 1}, training={"iterations": ITERATIONS, "eval_every": EVAL_EVERY, **training}
    )


def glyph_preset(algorithm: str = "protonet") -> Preset:
    """3-way 1-shot 16x16 glyphs with a two-filter Conv-4: the smallest image run."""
    data = preset_to_dict(with_algorithm(algorithm, iterations=2, eval_every=2, eval_tasks=4))
    data["task"] = {"family": "glyphs", "ways": 3, "shots": 1, "queries": 1, "classes": 30, "drawings": 3}
    data["task"]["image_size"] = 16
    data["model"] = {"kind": "conv4", "filters": 2}
    return preset_from_dict(data)


def with_algorithm(name: str, **training: object) -> Preset:
    """The tiny preset with another algorithm (its own settings at their defaults)."""
    data = preset_to_dict(quick_preset())
    data["algorithm"] = {"name": name}
    data["training"].update(training)
    return preset_from_dict(data)


def make_run(path: Path, preset: Preset | None = None, stop_at: int | None = None) -> Path:
    """Train ``preset`` (default: :func:`quick_preset`) into ``path``; ``stop_at`` stops it there."""
    training = Training(preset or quick_preset())
    recorder = RunRecorder.for_training(path, training)
    stop = None if stop_at is None else (lambda: training.iteration >= stop_at)
    for event in training.events(should_stop=stop):
        recorder.record(event)
    return path


def make_killed_run(path: Path, iterations: int, checkpoint_every: int = 5, age: float | None = LONG_AGO) -> Path:
    """A run that stopped after ``iterations`` without a summary, as a killed process leaves it.

    Files get modification time ``age`` (long ago) and a lock naming a process that is gone; with ``None``
    they stay fresh and the lock names this process, as a run still training would leave them.
    """
    preset = quick_preset(checkpoint_every=checkpoint_every)
    training = Training(preset)
    recorder = RunRecorder.for_training(path, training)
    for event in training.events():
        recorder.record(event)
        if training.iteration >= iterations and not isinstance(event, RunFinished):
            break
    recorder.close()
    if age is not None:
        write_dead_lock(path)
        for file in path.iterdir():
            os.utime(file, (age, age))
    return path


def write_dead_lock(run_dir: Path) -> None:
    """A ``run.lock`` naming a process that has ended (and been reaped), as a SIGKILL leaves it."""
    process = subprocess.Popen([sys.executable, "-c", ""])
    process.wait()
    lock = {"pid": process.pid, "host": socket.gethostname(), "started": time.time()}
    (run_dir / LOCK_FILE).write_text(json.dumps(lock), encoding="utf-8")
