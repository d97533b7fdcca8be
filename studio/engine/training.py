"""The training loop: a generator of event records, and nothing about threads or printing."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import numpy as np
import torch

from studio.config import Preset, preset_to_dict
from studio.config.compatibility import check_combination
from studio.config.sections import BASELINES
from studio.engine.algorithms import build_learner
from studio.engine.algorithms.base import Params
from studio.engine.baselines import evaluate_baselines, tuned_evaluation
from studio.engine.device import resolve_device
from studio.engine.distributed import PeerLost, World, check_shardable, join
from studio.engine.errors import NonFiniteStep
from studio.engine.evaluation import evaluate
from studio.engine.events import (
    BaselineEvaluation,
    Evaluation,
    Event,
    FineTuning,
    FinishReason,
    Notice,
    RunFinished,
    RunStarted,
    StepMetrics,
    TasksDrawn,
)
from studio.engine.finetuning import tuning_tasks
from studio.engine.models import build_model, parameter_count
from studio.engine.models.weights import initial_weights, load_checked
from studio.engine.protocol import evaluation_family, evaluation_learner, evaluation_task
from studio.engine.resources import check_fits
from studio.engine.sampling import CurriculumSampler, build_sampler
from studio.engine.streams import generator, stream_seed
from studio.engine.task_fit import task_fit
from studio.engine.tasks import build_family


class Diverged(RuntimeError):
    """Training hit a non-finite loss or gradient and the preset says to stop."""


class Training:
    """One meta-training run of a preset: its network, meta-parameters, optimizer and task streams.

    ``events()`` drives it; ``step()`` and ``evaluate()`` are there for
    callers that want one piece at a time.  ``model_state()`` is the network
    as it stands, whenever asked (after a stop or an error too);
    ``state_dict()``/``load_state_dict()`` are everything a resumed run needs.
    """

    def __init__(self, preset: Preset, device: str | None = None, alone: bool = False):
        """``alone``: train in this process only, even under torchrun (a baseline trained by rank 0)."""
        self.preset = preset
        device = resolve_device(device or preset.training.device)
        # under torchrun, this process's rank and device (cuda:LOCAL_RANK); else a world of one
        self.world = World(device=device) if alone else join(device)
        self.device = self.world.device
        check_shardable(preset.training, self.world.size)
        self.family = build_family(preset.task)
        check_combination(preset.task, preset.model, preset.algorithm, self.family.kind)
        # evaluation may draw other ways and shots than training (evaluation.ways, evaluation.shots)
        same = evaluation_task(preset) == preset.task
        self.eval_family = self.family if same else evaluation_family(preset, "validation")
        self.eval_tasks = self.eval_family.sample(
            preset.training.eval_tasks, generator(preset.seed, "eval"), split="validation"
        )
        self.model = self._build_model()
        self.learner = build_learner(preset.algorithm, self.model, self.family.kind, self.family.shared_classes)
        self.evaluator = evaluation_learner(self.learner, preset, self.eval_family)
        self.params: Params = self.learner.init_parameters()
        self.world.broadcast(self.params)  # every rank starts from rank 0's meta-parameters
        self.optimizer = self.learner.make_optimizer(self.params, preset.training)
        self.train_stream = generator(preset.seed, "train")
        self.sampler = build_sampler(self.family, preset.sampling, self.train_stream)
        self.iteration = 0
        self.train_seconds = 0.0
        self.tasks_seen = 0
        self.skipped_batches = 0
        self._busy_seconds = 0.0  # this rank's work in the last iteration, up to its exchange with the others

    def _build_model(self) -> torch.nn.Module:
        """Checks the run fits in memory (on the meta device, allocating nothing), then builds it seeded."""
        dims = (self.preset.model, self.family.input_dim, self.family.output_dim)
        with torch.random.fork_rng(devices=[]):  # seed the initialisation without touching the caller's RNG
            with torch.device("meta"):
                sketch = build_model(*dims)
            example = self.eval_tasks.x_support[0]
            check_fits(self.preset, self.device, sketch, example, self.world.size, self.world.here)
            torch.manual_seed(stream_seed(self.preset.seed, "model"))
            model = build_model(*dims)
        if self.preset.training.init_weights:
            path = self.preset.training.init_weights
            load_checked(model, initial_weights(path), path, "training.init_weights")
        return model.to(self.device)

    @property
    def total_iterations(self) -> int:
        return self.preset.training.iterations

    @property
    def inner_steps(self) -> int:
        return getattr(self.preset.algorithm, "inner_steps", 0)

    def step(self) -> StepMetrics:
        """One meta-iteration: sample a meta-batch, adapt to each task, update the meta-parameters.

        A non-finite loss or gradient leaves the parameters untouched and, as the
        preset says, raises :class:`Diverged` or skips the batch (counted).
        """
        started = time.perf_counter()
        before = self.sampler.state_dict() if self.world.size > 1 else None
        try:
            rates, working = self._rank_rates(), time.perf_counter()
            batch = self.sampler.sample(self.preset.training.meta_batch_size, self.iteration)
            shard = self.world.shard(batch).to(self.device)  # all of it in a run of one process
            loss = self.learner.meta_step(self.params, shard, self.optimizer, self._combine(working))
        except PeerLost:  # nothing has moved but the sampler: put it back, so that a checkpoint resumes exactly
            self.sampler.load_state_dict(before)
            raise
        except NonFiniteStep as error:
            self._diverged(error)
            loss = torch.tensor(float("nan"))
        else:
            self.sampler.observe(batch, self._task_losses(shard, len(batch)))
        loss_value = float(loss)  # waits for the device
        seconds = time.perf_counter() - started
        self.iteration += 1
        self.train_seconds += seconds
        self.tasks_seen += len(batch)
        return StepMetrics(self.iteration, loss_value, len(batch) / max(seconds, 1e-9), self.train_seconds, rates)

    def _combine(self, started: float):
        """``World.average``, noting how long this rank worked before it (its share of the meta-batch)."""

        def combine(grads: Params, loss: torch.Tensor, count: int):
            self._busy_seconds = time.perf_counter() - started
            return self.world.average(grads, loss, count)

        return combine

    def _rank_rates(self) -> tuple[float, ...]:
        """Each rank's meta-iterations/s of its own work in the previous iteration (none in a run of one process).
        Exchanged before this iteration moves anything, so that a lost peer here leaves a state to checkpoint."""
        busy, self._busy_seconds = self._busy_seconds, 0.0
        return self.world.rates(busy) if self.world.size > 1 and busy > 0 else ()

    def _diverged(self, error: NonFiniteStep) -> None:
        if self.preset.training.on_divergence == "skip":
            self.skipped_batches += 1
            return
        lrs = f"training.meta_lr = {self.preset.training.meta_lr}"
        if hasattr(self.preset.algorithm, "inner_lr"):
            lrs += f", algorithm.inner_lr = {self.preset.algorithm.inner_lr}"
        raise Diverged(
            f"the {error.what} became non-finite at iteration {self.iteration + 1}; the learning rate is the "
            f'likely cause ({lrs}): lower it, or set training.on_divergence = "skip"'
        )

    def _task_losses(self, shard, total: int) -> torch.Tensor:
        """Each task's query loss in the step just taken, all ranks' (only prioritized sampling asks)."""
        if self.preset.sampling.strategy != "prioritized":
            return torch.empty(0)
        losses = getattr(self.learner, "last_task_losses", None)
        if losses is None or len(losses) != len(shard):
            losses = self.learner.adaptation_curve(self.params, shard, self.inner_steps)[:, -1]
        return self.world.gather(losses, total)

    def evaluate(self) -> Evaluation:
        """Query loss on the held-out tasks after 0..inner_steps steps (the same tasks every time)."""
        args = (self.eval_tasks, self.inner_steps, self.device, self.iteration, self.world)
        return evaluate(self.evaluator, self.evaluator.evaluation_params(self.params), *args)

    def task_fit(self):
        """The first held-out task drawn before and after adaptation, as the family can show it."""
        args = (self.eval_family, self.eval_tasks, self.inner_steps, self.device, self.iteration)
        return task_fit(self.evaluator, self.evaluator.evaluation_params(self.params), *args)

    def tasks_drawn(self) -> TasksDrawn:
        # float32 as kept: up to DRAWN_LIMIT values per parameter go to the window at each evaluation
        values = {k: np.asarray(v, dtype=np.float32) for k, v in self.sampler.drawn.items()}
        width = self.sampler.width(self.iteration) if isinstance(self.sampler, CurriculumSampler) else None
        return TasksDrawn(self.iteration, self.preset.sampling.strategy, values, width)

    def model_state(self) -> dict[str, torch.Tensor]:
        """The network's meta-learned weights, on the CPU, keyed as its ``state_dict()``."""
        state = self.learner.model_state(self.params)
        return {k: v.detach().to("cpu").contiguous() for k, v in state.items()}

    def learner_state(self) -> dict[str, torch.Tensor]:
        """The meta-parameters that are not the network's (learned rates, head scales), on the CPU."""
        state = self.learner.extra_state(self.params)
        return {k: v.detach().to("cpu").contiguous() for k, v in state.items()}

    def baseline_events(self) -> Iterator[BaselineEvaluation]:
        """The preset's ``[evaluation] baselines``, scored on this run's held-out tasks and steps."""
        args = (self.eval_tasks, self.inner_steps, self.device, self.eval_family, self.iteration)
        return evaluate_baselines(self.preset, *args)

    def tuned_final(self, evaluation: Evaluation | None) -> tuple[Evaluation | None, FineTuning | None]:
        """A ``pretrain``/``scratch`` run's final scores at the fine-tuning rate and step count chosen on the
        tuning tasks from the preset's grid (as ``studio eval`` scores it); other runs' as they are."""
        if evaluation is None or self.preset.algorithm.name not in BASELINES:
            return evaluation, None
        params = self.evaluator.evaluation_params(self.params)
        validation = tuning_tasks(self.preset, self.eval_family)
        chosen, tuned = tuned_evaluation(
            {"": self.evaluator}, params, self.preset, validation, self.eval_tasks, self.inner_steps, self.iteration
        )
        return tuned, chosen

    def model_spec(self) -> dict:
        """What rebuilds the network: the ``[model]`` section and the task's dimensions."""
        return {
            "model": preset_to_dict(self.preset)["model"],
            "input_dim": self.family.input_dim,
            "output_dim": self.family.output_dim,
            "task_kind": self.family.kind,
            "algorithm": self.preset.algorithm.name,
        }

    def state_dict(self) -> dict:
        """Everything a resumed run needs to continue exactly: parameters, optimizer, RNG, sampler, counters."""
        return {
            "iteration": self.iteration,
            "train_seconds": self.train_seconds,
            "tasks_seen": self.tasks_seen,
            "skipped_batches": self.skipped_batches,
            "params": {k: v.detach().to("cpu").clone() for k, v in self.params.items()},
            "optimizer": self.optimizer.state_dict(),
            "sampler": self.sampler.state_dict(),
        }

    def load_state_dict(self, state: dict) -> None:
        with torch.no_grad():
            for name, tensor in self.params.items():
                tensor.copy_(state["params"][name])
        self.world.broadcast(self.params)
        self.optimizer.load_state_dict(state["optimizer"])
        self.sampler.load_state_dict(state["sampler"])
        self.iteration = int(state["iteration"])
        self.train_seconds = float(state["train_seconds"])
        self.tasks_seen = int(state["tasks_seen"])
        self.skipped_batches = int(state["skipped_batches"])

    def events(self, should_stop: Callable[[], bool] | None = None) -> Iterator[Event]:
        """Train to the preset's iteration budget, yielding a record for everything that happens.

        ``should_stop`` is asked between iterations; when it says yes the run
        evaluates once more and finishes with ``reason="stopped"``.  Divergence
        (with ``on_divergence = "stop"``) finishes with ``reason="diverged"``.
        """
        count = parameter_count(self.model)
        family = self.family
        yield RunStarted(
            self.preset,
            str(self.device),
            self.total_iterations,
            count,
            self.iteration,
            family.kind,
            family.input_dim,
            self.world.size,
        )
        yield from (Notice(message) for message in getattr(self.family, "notices", ()))
        evaluation, reason, message = None, FinishReason.COMPLETED, ""
        while self.iteration < self.total_iterations:
            if should_stop is not None and self.world.agree(should_stop()):
                reason = FinishReason.STOPPED
                break
            try:
                yield self.step()
            except Diverged as error:
                reason, message = FinishReason.DIVERGED, str(error)
                break
            if self.iteration % self.preset.training.eval_every == 0:
                evaluation = yield from self._evaluation_events()
        if evaluation is None or evaluation.iteration != self.iteration:
            evaluation = yield from self._evaluation_events()
        if reason == FinishReason.COMPLETED and self.world.is_main:  # baselines train networks of their own: once
            yield from self.baseline_events()
        final, chosen = self.tuned_final(evaluation) if reason != FinishReason.DIVERGED else (evaluation, None)
        rate = self.tasks_seen / self.train_seconds if self.train_seconds else 0.0
        yield RunFinished(
            self.iteration, reason, self.train_seconds, rate, final, message, self.skipped_batches, chosen
        )

    def _evaluation_events(self) -> Iterator[Event]:
        evaluation = self.evaluate()
        yield evaluation
        if not self.world.is_main:
            return evaluation  # what follows is drawn, not computed together
        fit = self.task_fit()
        if fit is not None:
            yield fit
        if self.sampler.drawn:
            yield self.tasks_drawn()
        return evaluation


def run(preset: Preset, should_stop: Callable[[], bool] | None = None, device: str | None = None) -> Iterator[Event]:
    """Meta-train ``preset``, yielding :mod:`studio.engine.events` records as it goes."""
    return Training(preset, device=device).events(should_stop)
