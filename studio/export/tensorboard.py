"""A run's metrics as TensorBoard event files, so ``tensorboard --logdir runs`` shows every run.

Written from ``metrics.csv`` (any time: during a run, after it, for old runs) into
``RUN_DIR/tensorboard/``, replacing what an earlier export wrote there.  Tags are
``train/meta_loss``, ``train/tasks_per_s`` and ``eval/<column>`` for the evaluation
columns; the step is the meta-iteration, the wall time the run's start plus its
training time.  Needs the ``tensorboard`` package (the ``tensorboard`` extra).
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

from studio.config import ConfigError
from studio.export.run_metrics import read_metrics

SUBFOLDER = "tensorboard"
TENSORBOARD_EXTRA = "pip install 'meta-learning-studio[tensorboard]'  (or: pip install tensorboard)"


def summary_writer_class() -> type:
    """``torch.utils.tensorboard.SummaryWriter``, or a :class:`ConfigError` saying what to install."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        raise ConfigError(
            f"TensorBoard export needs the tensorboard package, which is not installed: {TENSORBOARD_EXTRA}"
        ) from None
    return SummaryWriter


def tag(column: str) -> str:
    """The TensorBoard tag of a ``metrics.csv`` column."""
    return f"eval/{column}" if column.startswith("eval_") else f"train/{column}"


def write_tensorboard(run_dir: str | Path, log_dir: str | Path | None = None) -> Path:
    """Write the run's metrics as event files in ``log_dir`` (default ``RUN_DIR/tensorboard``); returns it.

    The files are written to a fresh folder beside ``log_dir`` and swapped in at the end, so an
    interrupted export leaves the earlier one in place.
    """
    writer_class = summary_writer_class()
    metrics = read_metrics(run_dir)
    target = Path(log_dir) if log_dir is not None else Path(run_dir) / SUBFOLDER
    staging = target.with_name(f".{target.name}.writing")
    shutil.rmtree(staging, ignore_errors=True)
    start = (Path(run_dir) / "metrics.csv").stat().st_mtime - _last_elapsed(metrics.columns["elapsed_s"])
    writer = writer_class(log_dir=str(staging))
    try:
        _add_scalars(writer, metrics, start)
    finally:
        writer.close()
    _swap_in(staging, target)
    return target


def _last_elapsed(elapsed) -> float:
    finite = [v for v in elapsed.tolist() if math.isfinite(v)]
    return finite[-1] if finite else 0.0


def _add_scalars(writer, metrics, start: float) -> None:
    iterations = metrics.columns["iteration"].tolist()
    elapsed = metrics.columns["elapsed_s"].tolist()
    for column in metrics.metric_names:
        if column == "elapsed_s":
            continue
        for step, seconds, value in zip(iterations, elapsed, metrics.columns[column].tolist()):
            if math.isfinite(value):
                wall = start + (seconds if math.isfinite(seconds) else 0.0)
                writer.add_scalar(tag(column), value, global_step=int(step), walltime=wall)


def _swap_in(staging: Path, target: Path) -> None:
    if target.exists():
        strangers = [p.name for p in target.iterdir() if not p.name.startswith("events.out.tfevents.")]
        if strangers or not target.is_dir():
            shutil.rmtree(staging, ignore_errors=True)
            raise ConfigError(f"{target}: holds other files than TensorBoard events; choose another folder")
        shutil.rmtree(target)
    staging.rename(target)
