"""A run folder, written from the engine's event stream as the run goes.

``preset.toml`` (resolved, reloadable), ``metrics.csv``, and at the end
``model.safetensors``, ``model.json``, ``learner.safetensors`` (only for
algorithms with meta-parameters besides the network's) and ``summary.json``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from studio.config import atomic_write_text, save_preset
from studio.engine.events import BaselineEvaluation, Evaluation, Event, RunFinished, RunStarted, StepMetrics
from studio.export.checkpoints import save_checkpoint, snapshot, truncate_metrics
from studio.export.environment import record_environment
from studio.export.metrics_csv import MetricsWriter
from studio.export.model_files import write_learner_file, write_model_files
from studio.export.run_lock import remove_lock, write_lock
from studio.export.summary import summary_dict

if TYPE_CHECKING:
    from studio.engine.training import Training


class RunRecorder:
    """Feed it every event of a run; it keeps the run folder up to date."""

    def __init__(
        self,
        run_dir: str | Path,
        model_state: Callable[[], dict[str, torch.Tensor]],
        model_spec: dict,
        learner_state: Callable[[], dict[str, torch.Tensor]] | None = None,
    ):
        """``learner_state`` (e.g. ``Training.learner_state``) gives the extra meta-parameters to save, if any;
        :meth:`for_training` passes all of these, and checkpoints too."""
        self.run_dir = Path(run_dir)
        self._model_state = model_state
        self._model_spec = model_spec
        self._learner_state = learner_state
        self._baselines: dict[str, BaselineEvaluation] = {}
        self._metrics: MetricsWriter | None = None
        self._started: RunStarted | None = None
        self._clock = time.perf_counter()
        self._checkpoint_state: Callable[[], dict] | None = None
        self._checkpoint_every = 0
        self._pending_checkpoint: tuple[int, bytes] | None = None
        self._resume = False
        self.preset_source: Path | None = None  # the preset file, for environment.json's git state

    @classmethod
    def for_training(
        cls, run_dir: str | Path, training: Training, resume: bool = False, preset_source: Path | None = None
    ) -> RunRecorder:
        """A recorder that also checkpoints ``training`` every ``training.checkpoint_every`` iterations.

        With ``resume``, ``metrics.csv`` is cut back to the training's iteration and appended to.
        ``preset_source`` is the preset file the run came from (its git work tree goes into environment.json).
        """
        recorder = cls(run_dir, training.model_state, training.model_spec(), training.learner_state)
        recorder.preset_source = preset_source
        recorder._checkpoint_state = training.state_dict
        recorder._checkpoint_every = training.preset.training.checkpoint_every
        recorder._resume = resume
        if resume:
            truncate_metrics(recorder.run_dir / "metrics.csv", training.iteration)
        return recorder

    def checkpoint_now(self) -> None:
        """Flush the metrics and write a checkpoint of the run as it stands (on stop, Ctrl-C, close)."""
        if self._metrics is not None:
            self._metrics.flush()
        if self._checkpoint_state is not None:
            self._pending_checkpoint = snapshot(self._checkpoint_state())
        self._write_pending_checkpoint()

    def _write_pending_checkpoint(self) -> None:
        if self._pending_checkpoint is not None:
            save_checkpoint(self.run_dir, *self._pending_checkpoint)
            self._pending_checkpoint = None

    def record(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self._start(event)
        elif isinstance(event, StepMetrics) and self._metrics:
            self._metrics.step(event)  # writes the previous iteration's row ...
            self._write_pending_checkpoint()  # ... so a checkpoint never runs ahead of metrics.csv
            if self._checkpoint_state is not None and event.iteration % self._checkpoint_every == 0:
                self._pending_checkpoint = snapshot(self._checkpoint_state())
        elif isinstance(event, Evaluation) and self._metrics:
            self._metrics.evaluation(event)
        elif isinstance(event, BaselineEvaluation):
            self._baselines[event.baseline] = event
        elif isinstance(event, RunFinished):
            self.finish(event)

    def _start(self, event: RunStarted) -> None:
        self._started = event
        self._clock = time.perf_counter()
        write_lock(self.run_dir)  # before preset.toml: a folder listed as a run is never taken for a dead one
        save_preset(event.preset, self.run_dir / "preset.toml")
        record_environment(self.run_dir, event.preset, event.device, self.preset_source, resumed=self._resume)
        steps = getattr(event.preset.algorithm, "inner_steps", 0)
        accuracy = self._model_spec.get("task_kind") == "classification"
        append = self._resume and (self.run_dir / "metrics.csv").exists()
        self._metrics = MetricsWriter(self.run_dir / "metrics.csv", steps, accuracy=accuracy, append=append)

    def finish(self, event: RunFinished) -> None:
        """Write the model and the summary (also callable after an error, with a made-up event)."""
        self.close()
        if self._checkpoint_state is not None:
            self._pending_checkpoint = snapshot(self._checkpoint_state())
            self._write_pending_checkpoint()
        write_model_files(self.run_dir, self._model_state(), self._model_spec)
        if self._learner_state is not None:
            write_learner_file(self.run_dir, self._learner_state())
        if self._started is not None:
            summary = summary_dict(self._started, event, time.perf_counter() - self._clock, self._baselines)
            atomic_write_text(self.run_dir / "summary.json", json.dumps(summary, indent=2) + "\n")
        remove_lock(self.run_dir)  # last: until the summary is there, the run is still going

    def close(self) -> None:
        if self._metrics is not None:
            self._metrics.close()
            self._metrics = None
        self._write_pending_checkpoint()
