"""A run folder, written from the engine's event stream as the run goes.

``preset.toml`` (resolved, reloadable), ``metrics.csv``, and at the end
``model.safetensors``, ``model.json`` and ``summary.json``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import torch

from studio.config import ConfigError, atomic_write_text, save_preset
from studio.engine.events import Evaluation, Event, RunFinished, RunStarted, StepMetrics
from studio.export.metrics_csv import MetricsWriter
from studio.export.model_files import write_model_files
from studio.export.summary import summary_dict

RUN_MARKERS = ("preset.toml", "metrics.csv", "model.safetensors", "summary.json")


def prepare_run_dir(path: str | Path, overwrite: bool = False) -> Path:
    """Create ``path`` for a new run; refuse to write over an earlier run unless asked to."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{path}: exists and is not a folder; choose another --out")
    if not overwrite and any((path / name).exists() for name in RUN_MARKERS):
        raise ConfigError(f"{path}: already holds a run; choose another --out or pass --overwrite")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"{path}: cannot create the run folder ({error.strerror})") from None
    return path


class RunRecorder:
    """Feed it every event of a run; it keeps the run folder up to date."""

    def __init__(self, run_dir: str | Path, model_state: Callable[[], dict[str, torch.Tensor]], model_spec: dict):
        self.run_dir = Path(run_dir)
        self._model_state = model_state
        self._model_spec = model_spec
        self._metrics: MetricsWriter | None = None
        self._started: RunStarted | None = None
        self._clock = time.perf_counter()

    def record(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self._start(event)
        elif isinstance(event, StepMetrics) and self._metrics:
            self._metrics.step(event)
        elif isinstance(event, Evaluation) and self._metrics:
            self._metrics.evaluation(event)
        elif isinstance(event, RunFinished):
            self.finish(event)

    def _start(self, event: RunStarted) -> None:
        self._started = event
        self._clock = time.perf_counter()
        save_preset(event.preset, self.run_dir / "preset.toml")
        steps = getattr(event.preset.algorithm, "inner_steps", 0)
        self._metrics = MetricsWriter(self.run_dir / "metrics.csv", steps)

    def finish(self, event: RunFinished) -> None:
        """Write the model and the summary (also callable after an error, with a made-up event)."""
        self.close()
        write_model_files(self.run_dir, self._model_state(), self._model_spec)
        if self._started is not None:
            summary = summary_dict(self._started, event, time.perf_counter() - self._clock)
            atomic_write_text(self.run_dir / "summary.json", json.dumps(summary, indent=2) + "\n")

    def close(self) -> None:
        if self._metrics is not None:
            self._metrics.close()
            self._metrics = None
