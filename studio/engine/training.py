"""The training loop: a generator of event records, and nothing about threads or printing."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import numpy as np
import torch

from studio.config import Preset, preset_to_dict
from studio.engine.algorithms import build_learner
from studio.engine.algorithms.base import Params
from studio.engine.device import resolve_device
from studio.engine.evaluation import evaluate
from studio.engine.events import Evaluation, Event, RunFinished, RunStarted, StepMetrics, TaskFit
from studio.engine.models import build_model, parameter_count
from studio.engine.streams import generator, stream_seed
from studio.engine.tasks import build_family


class Training:
    """One meta-training run of a preset: its network, meta-parameters, optimizer and task streams.

    ``events()`` drives it; ``step()`` and ``evaluate()`` are there for
    callers that want one piece at a time.  ``model_state()`` is the network
    as it stands, whenever asked (after a stop or an error too).
    """

    def __init__(self, preset: Preset, device: str | None = None):
        self.preset = preset
        self.device = resolve_device(device or preset.training.device)
        self.family = build_family(preset.task)
        with torch.random.fork_rng(devices=[]):  # seed the initialisation without touching the caller's RNG
            torch.manual_seed(stream_seed(preset.seed, "model"))
            self.model = build_model(preset.model, self.family.input_dim, self.family.output_dim)
        self.model.to(self.device)
        self.learner = build_learner(preset.algorithm, self.model, self.family.kind)
        self.params: Params = self.learner.init_parameters()
        self.optimizer = self.learner.make_optimizer(self.params, preset.training)
        self.train_stream = generator(preset.seed, "train")
        self.eval_tasks = self.family.sample(preset.training.eval_tasks, generator(preset.seed, "eval"))
        self.iteration = 0
        self.train_seconds = 0.0
        self.tasks_seen = 0

    @property
    def total_iterations(self) -> int:
        return self.preset.training.iterations

    def step(self) -> StepMetrics:
        """One meta-iteration: sample a meta-batch, adapt to each task, update the meta-parameters."""
        started = time.perf_counter()
        batch = self.family.sample(self.preset.training.meta_batch_size, self.train_stream).to(self.device)
        loss = self.learner.meta_step(self.params, batch, self.optimizer)
        loss_value = float(loss)  # waits for the device, so the timing below is honest
        seconds = time.perf_counter() - started
        self.iteration += 1
        self.train_seconds += seconds
        self.tasks_seen += len(batch)
        return StepMetrics(self.iteration, loss_value, len(batch) / max(seconds, 1e-9), self.train_seconds)

    def evaluate(self) -> Evaluation:
        """Query loss on the held-out tasks after 0..inner_steps steps (the same tasks every time)."""
        steps = getattr(self.preset.algorithm, "inner_steps", 0)
        return evaluate(self.learner, self.params, self.eval_tasks, steps, self.device, self.iteration)

    def task_fit(self) -> TaskFit | None:
        """The first held-out task drawn before and after adaptation (1-D regression only)."""
        if self.family.kind != "regression" or self.family.input_dim != 1:
            return None
        task = self.eval_tasks.select(slice(0, 1))
        x = self.family.input_grid()
        steps = getattr(self.preset.algorithm, "inner_steps", 0)
        on_device = task.to(self.device)
        before = self.learner.adapted_prediction(self.params, on_device, x.to(self.device), 0)
        after = self.learner.adapted_prediction(self.params, on_device, x.to(self.device), steps)
        return TaskFit(
            iteration=self.iteration,
            x=_numpy(x),
            y_true=_numpy(self.family.target(task.params, x.unsqueeze(0))[0]),
            x_support=_numpy(task.x_support[0]),
            y_support=_numpy(task.y_support[0]),
            before=_numpy(before[0]),
            after=_numpy(after[0]),
            steps=steps,
        )

    def model_state(self) -> dict[str, torch.Tensor]:
        """The network's meta-learned weights, on the CPU, keyed as its ``state_dict()``."""
        state = self.learner.model_state(self.params)
        return {k: v.detach().to("cpu").contiguous() for k, v in state.items()}

    def model_spec(self) -> dict:
        """What rebuilds the network: the ``[model]`` section and the task's dimensions."""
        return {
            "model": preset_to_dict(self.preset)["model"],
            "input_dim": self.family.input_dim,
            "output_dim": self.family.output_dim,
            "task_kind": self.family.kind,
            "algorithm": self.preset.algorithm.name,
        }

    def events(self, should_stop: Callable[[], bool] | None = None) -> Iterator[Event]:
        """Train to the preset's iteration budget, yielding a record for everything that happens.

        ``should_stop`` is asked between iterations; when it says yes the run
        evaluates once more and finishes with ``reason="stopped"``.
        """
        yield RunStarted(
            self.preset, str(self.device), self.total_iterations, parameter_count(self.model), self.iteration
        )
        evaluation, reason = None, "completed"
        while self.iteration < self.total_iterations:
            if should_stop is not None and should_stop():
                reason = "stopped"
                break
            yield self.step()
            if self.iteration % self.preset.training.eval_every == 0:
                evaluation = yield from self._evaluation_events()
        if evaluation is None or evaluation.iteration != self.iteration:
            evaluation = yield from self._evaluation_events()
        rate = self.tasks_seen / self.train_seconds if self.train_seconds else 0.0
        yield RunFinished(self.iteration, reason, self.train_seconds, rate, evaluation)

    def _evaluation_events(self) -> Iterator[Event]:
        evaluation = self.evaluate()
        yield evaluation
        fit = self.task_fit()
        if fit is not None:
            yield fit
        return evaluation


def run(preset: Preset, should_stop: Callable[[], bool] | None = None, device: str | None = None) -> Iterator[Event]:
    """Meta-train ``preset``, yielding :mod:`studio.engine.events` records as it goes."""
    return Training(preset, device=device).events(should_stop)


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    array = tensor.detach().to("cpu", torch.float64).numpy().reshape(-1)
    array.flags.writeable = False
    return array
