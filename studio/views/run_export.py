"""Exports of the run on screen, written with the same code as ``studio run`` (no Qt here).

The window keeps a run as numpy buffers, not as records; :func:`replay` turns
the buffers back into the records the engine yielded, so ``metrics.csv`` and
the run folder come out of :mod:`studio.export` exactly as the CLI writes them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from studio.config import ConfigError, atomic_write_bytes
from studio.engine.events import Evaluation, Event, FinishReason, RunFinished
from studio.export.metrics_csv import MetricsWriter
from studio.export.resume import is_resumable, resume_training
from studio.export.run_folder import MODEL_FILE, MODEL_SPEC_FILE, prepare_run_dir
from studio.views.run_data import RunData

RUN_FILES = ("preset.toml", "metrics.csv", MODEL_FILE, MODEL_SPEC_FILE, "summary.json")


def replay(data: RunData) -> Iterator[Event]:
    """The run's records in the engine's order: each evaluation right after the step it follows."""
    if data.started is None:
        raise ConfigError("nothing to export yet: start a run first")
    yield data.started
    evaluations = iter(data.evaluations())
    pending: Evaluation | None = next(evaluations, None)
    for step in data.step_records():
        while pending is not None and pending.iteration < step.iteration:
            yield pending
            pending = next(evaluations, None)
        yield step
    while pending is not None:
        yield pending
        pending = next(evaluations, None)
    yield data.finished or unfinished(data)


def unfinished(data: RunData) -> RunFinished:
    """The closing record of a run that is paused (or broke off) at its last iteration."""
    elapsed = float(data.steps.column(3)[-1]) if len(data.steps) else 0.0
    rate = float(data.steps.column(2).mean()) if len(data.steps) else 0.0
    return RunFinished(data.iteration, FinishReason.PAUSED, elapsed, rate, data.last_evaluation)


def write_metrics_csv(data: RunData, path: str | os.PathLike) -> None:
    """Every meta-iteration of the run as ``metrics.csv`` rows (not only the points on screen)."""
    path = Path(path)
    partial = path.with_name(path.name + ".part")  # renamed into place once complete
    records = replay(data)
    started = next(records)
    steps = getattr(started.preset.algorithm, "inner_steps", 0)
    writer = MetricsWriter(partial, steps, accuracy=data.has_accuracy)  # the columns the recorder writes
    try:
        for record in records:
            if isinstance(record, Evaluation):
                writer.evaluation(record)
            elif not isinstance(record, RunFinished):
                writer.step(record)
    finally:
        writer.close()
    os.replace(partial, path)


def write_run_folder(data: RunData, path: str | os.PathLike, recorded: Path | None, ended: bool) -> Path:
    """A run folder like ``studio run`` writes: a copy of the recorded one if the run has ended and it is complete,
    else rebuilt from the records on screen and the model in the recorded folder's newest checkpoint."""
    run_dir = prepare_run_dir(path)
    if ended and recorded is not None and all((recorded / name).is_file() for name in RUN_FILES):
        for name in RUN_FILES:
            atomic_write_bytes(run_dir / name, (recorded / name).read_bytes())
        return run_dir
    if recorded is None or not is_resumable(recorded):
        raise ConfigError("this run was not recorded in a run folder with a checkpoint: no model to export")
    training, _notes = resume_training(recorded)
    from studio.export.recorder import RunRecorder  # torch, loaded by now: not at the window's start-up

    recorder = RunRecorder(run_dir, training.model_state, training.model_spec(), training.learner_state)
    for record in replay(data):
        recorder.record(record)
    return run_dir
