"""What a meta-learner is to the training loop (gradient methods' inner loop: studio/engine/algorithms/gradient.py).

A learner is a set of *meta-parameters* (a dict of tensors: the network's
initialisation, plus whatever else the method learns) and three pure
functions of them and a :class:`TaskBatch`:

- ``meta_gradients(params, batch)`` for the outer loop (averaged over tasks,
  so that sharding the meta-batch across processes needs only an all-reduce),
- ``adaptation_curve(params, batch, steps)`` for evaluation,
- ``adapted_prediction(params, batch, x, steps)`` for drawing one task.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection

import torch
from torch import nn
from torch.func import functional_call, vmap

from studio.config import AlgorithmConfig, ConfigError, TrainingConfig
from studio.config.compatibility import algorithm_message
from studio.engine.errors import NonFiniteStep
from studio.engine.losses import LOSSES
from studio.engine.models.statistics import statistics_from_first
from studio.engine.optimizers import Adam, Optimizer
from studio.engine.tasks.base import TaskBatch

Params = dict[str, torch.Tensor]
Combine = Callable[[Params, torch.Tensor, int], tuple[Params, torch.Tensor]]


class MetaLearner:
    """Base class; subclasses implement :meth:`meta_loss` and :meth:`adaptation_curve`."""

    description = ""
    uses_shared_classes = False  # built with the family's shared class count (see build_learner)
    # batch-norm statistics for query predictions at evaluation ("transductive" or "support"); see for_evaluation
    batch_norm = "transductive"
    # transductive: support and query go through the network as one batch (ProtoNets, as in the authors' code)
    episode_as_one_batch = False

    def __init__(self, config: AlgorithmConfig, model: nn.Module, kind: str):
        if kind not in config.task_kinds:  # the kinds each algorithm takes are declared on its settings
            raise ConfigError.at("algorithm.name", algorithm_message(config, kind))
        self.config = config
        self.model = model
        self.kind = kind
        self.loss = LOSSES[kind]

    def init_parameters(self) -> Params:
        """Meta-parameters as fresh leaf tensors, starting from the model's weights."""
        return {k: v.detach().clone().requires_grad_(True) for k, v in self.model.named_parameters()}

    def model_state(self, params: Params) -> Params:
        """The entries of ``params`` that are the network's own ``state_dict``."""
        names = dict(self.model.named_parameters()).keys() | dict(self.model.named_buffers()).keys()
        return {k: v for k, v in params.items() if k in names}

    def extra_state(self, params: Params) -> Params:
        """The meta-parameters that are not the network's (learned rates, head scales): ``learner.safetensors``."""
        network = self.model_state(params)
        return {k: v for k, v in params.items() if k not in network}

    def restore_extra_state(self, params: Params, saved: Params) -> Params:
        """``params`` with its extra meta-parameters taken from ``saved`` (as :meth:`extra_state` gave them)."""
        expected = self.extra_state(params)
        wrong = sorted(expected.keys() ^ saved.keys())
        wrong += sorted(k for k in expected.keys() & saved.keys() if expected[k].shape != saved[k].shape)
        if wrong:
            raise ConfigError(f"the saved learner state does not fit '{self.config.name}': {', '.join(wrong)} differ")
        restored = {k: saved[k].to(expected[k]).clone().requires_grad_(True) for k in expected}
        return {**params, **restored}

    def for_evaluation(self, ways: int | None, batch_norm: str, ways_field: str = "evaluation.ways") -> MetaLearner:
        """A copy that scores ``ways``-way tasks (None: regression) with ``batch_norm`` statistics.

        Raises :class:`ConfigError` at ``ways_field`` when the network's head fixes another number of classes.
        """
        if ways is not None:
            self.check_ways(ways, ways_field)
        evaluator = copy.copy(self)
        evaluator.batch_norm = batch_norm
        return evaluator

    def evaluation_params(self, params: Params) -> Params:
        """The meta-parameters this copy scores with (:meth:`for_evaluation` may give a network another head)."""
        return params

    def check_ways(self, ways: int, field: str) -> None:
        """Learners whose classifier is the network's head (not built from the support set) need N = its outputs."""
        outputs = head_outputs(self.model)
        if self.config.any_ways or outputs in (None, ways):
            return
        raise ConfigError.at(
            field,
            f"gives {ways}-way tasks, but '{self.config.name}' classifies with the network's head, which has "
            f"{outputs} outputs (one per class of the {outputs}-way tasks it was trained on), so it can only be "
            f"evaluated {outputs}-way. Evaluate it {outputs}-way, train a {ways}-way model, or use a learner that "
            "builds its classifier from the support set (protonet, attention, ridge_head)",
        )

    def make_optimizer(self, params: Params, training: TrainingConfig) -> Optimizer:
        return Adam(params.values(), lr=training.meta_lr)

    def forward(self, params: Params, x: torch.Tensor) -> torch.Tensor:
        return functional_call(self.model, params, (x,))

    def task_loss(self, params: Params, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.loss(self.forward(params, x), y)

    def support_and_query(
        self, network: Callable[[torch.Tensor], torch.Tensor], xs: torch.Tensor, xq: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``network`` of the support and of the query inputs.  With ``batch_norm = "support"`` they go as one
        batch normalised by the support rows' statistics only, so no query's output depends on another query;
        else (transductive) as one batch or two, as :attr:`episode_as_one_batch` says."""
        if self.batch_norm == "support":
            with statistics_from_first(len(xs)):
                both = network(torch.cat([xs, xq]))
        elif self.episode_as_one_batch:
            both = network(torch.cat([xs, xq]))
        else:
            return network(xs), network(xq)
        return both[: len(xs)], both[len(xs) :]

    def query_outputs(self, weights: Params, xs: torch.Tensor, xq: torch.Tensor) -> torch.Tensor:
        """The network's outputs for one task's queries: normalised by their own batch (transductive), or with
        the support set ahead of them and its statistics (``batch_norm = "support"``)."""
        if self.batch_norm != "support":
            return self.forward(weights, xq)
        return self.support_and_query(lambda x: self.forward(weights, x), xs, xq)[1]

    def meta_loss(self, params: Params, batch: TaskBatch) -> torch.Tensor:
        raise NotImplementedError

    def meta_gradients(self, params: Params, batch: TaskBatch) -> tuple[Params, torch.Tensor]:
        """Gradient of the mean query loss with respect to each meta-parameter."""
        loss = self.meta_loss(params, batch)
        grads = torch.autograd.grad(loss, list(params.values()), allow_unused=True)
        zeros = (torch.zeros_like(p) if g is None else g for p, g in zip(params.values(), grads))
        return dict(zip(params.keys(), zeros)), loss.detach()

    def meta_step(
        self, params: Params, batch: TaskBatch, optimizer: Optimizer, combine: Combine | None = None
    ) -> torch.Tensor:
        """One outer-loop update of ``params`` in place; returns the meta-batch's query loss.

        ``combine(grads, loss, tasks)`` turns this batch's means into the global meta-batch's
        (``World.average`` sums the shards of several processes); every process then steps alike.
        """
        grads, loss = self.meta_gradients(params, batch)
        if combine is not None:
            grads, loss = combine(grads, loss, len(batch))
        check_finite(loss, grads)
        for name, tensor in params.items():
            tensor.grad = grads[name]
        optimizer.step()
        return loss

    def adaptation_curve(self, params: Params, batch: TaskBatch, steps: int) -> torch.Tensor:
        """Query loss of each task after 0..steps inner steps: shape (tasks, steps + 1)."""
        raise NotImplementedError

    def adapted_prediction(self, params: Params, batch: TaskBatch, x: torch.Tensor, steps: int) -> torch.Tensor:
        """Predictions at ``x`` for each task of ``batch`` after ``steps`` inner steps."""
        raise NotImplementedError

    def query_scores(self, params: Params, batch: TaskBatch, steps: int) -> dict[str, torch.Tensor]:
        """Per-task query scores after 0..steps inner steps, each (tasks, points): ``loss``, and ``accuracy``
        for classification where the learner scores it.  Learners without inner steps give one point."""
        return {"loss": self.adaptation_curve(params, batch, steps)}

    def query_predictions(self, params: Params, batch: TaskBatch, steps: int) -> torch.Tensor | None:
        """Each task's predictions for its own query set after ``steps`` inner steps, (tasks, queries, outputs);
        ``None`` where the learner does not provide them."""
        return None

    def vectorize_tasks(self, device: torch.device) -> bool:
        """Whether :meth:`map_tasks` uses ``vmap`` on ``device`` (else a loop over tasks).

        A model lists the device types where a loop is faster in ``loop_over_tasks_on``
        (Conv-4 on the CPU; see benchmarks/conv4_speed.py); everything else is vectorised.
        """
        if self.recomputes_inner_loop() and torch.is_grad_enabled():
            return False  # tasks go one at a time with the recomputed step (studio/engine/algorithms/recompute.py)
        return device.type not in getattr(self.model, "loop_over_tasks_on", ())

    def recomputes_inner_loop(self) -> bool:
        """Whether the inner loop is recomputed in the backward pass (``algorithm.checkpoint_inner_loop``)."""
        return False

    def map_tasks(
        self, fn: Callable[..., torch.Tensor], params: Params, *tasks: torch.Tensor, per_task: Collection[str] = ()
    ) -> torch.Tensor:
        """``fn(params, *one_task)`` for every task (the first axis of ``tasks``), stacked: vmap or a loop.

        The entries of ``params`` named in ``per_task`` hold each task's own value on a leading task axis (the
        weights of an inner loop, see ``GradientLearner``); ``fn`` gets its task's; the others are shared.
        """
        if self.vectorize_tasks(tasks[0].device):
            dims = {k: 0 if k in per_task else None for k in params} if per_task else None
            return vmap(fn, in_dims=(dims,) + (0,) * len(tasks))(params, *tasks)
        own = [{**params, **{k: params[k][i] for k in per_task}} for i in range(len(tasks[0]))]
        return torch.stack([fn(weights, *one_task) for weights, one_task in zip(own, zip(*tasks))])


def head_outputs(model: nn.Module) -> int | None:
    """Outputs of the network's last layer (its head), if it is a linear layer."""
    last = list(model.modules())[-1]
    return last.out_features if isinstance(last, nn.Linear) else None


def check_finite(loss: torch.Tensor, grads: Params) -> None:
    """Raise :class:`NonFiniteStep` before a non-finite loss or gradient reaches the parameters."""
    if not bool(torch.isfinite(loss).all()):
        raise NonFiniteStep("meta-loss")
    finite = (
        torch.stack([torch.isfinite(g).all() for g in grads.values()]) if grads else torch.ones(1, dtype=torch.bool)
    )
    if not bool(finite.all()):  # one device sync for all parameters; names only when something is wrong
        raise NonFiniteStep(f"gradient of {next(k for k, g in grads.items() if not torch.isfinite(g).all())}")
