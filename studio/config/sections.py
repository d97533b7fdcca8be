"""The fixed parts of a preset: section base classes and the training section.

A preset has five sections.  ``task``, ``model`` and ``algorithm`` each
name a choice (``family``, ``kind``, ``name``) whose settings class is found in
:mod:`studio.config.registry`; ``training`` is the same for every experiment.
``evaluation`` (optional) asks for conventional baselines to be scored beside
the meta-learner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.fields import param


@dataclass(frozen=True)
class TaskConfig:
    """Settings every task family has: how many examples a task shows.

    A family declares what its tasks are (``tasks_are``: regression or
    classification; ``None`` where the data decides) and what its inputs are
    (``input_kind``: vectors of numbers or images); :mod:`studio.config.compatibility`
    checks models and algorithms against these.
    """

    label: ClassVar[str] = ""  # what a user reads in pickers and menus ('' shows the registered name)
    tasks_are: ClassVar[str | None] = "regression"
    input_kind: ClassVar[str] = "vector"

    family: str = param("sinusoid", "Task family", "Which distribution tasks are drawn from.")
    shots: int = param(
        10, "Shots", "Support examples per task (per class for classification).", minimum=1, maximum=10_000
    )
    queries: int = param(10, "Queries", "Query examples per task used to score adaptation.", minimum=1, maximum=10_000)

    def task_kind(self) -> str | None:
        """``regression`` or ``classification``; ``None`` where the data decides (known once the family is built)."""
        return self.tasks_are


@dataclass(frozen=True)
class ModelConfig:
    """A network; ``input_kinds`` are the inputs it takes (``vector``, ``image``)."""

    label: ClassVar[str] = ""
    input_kinds: ClassVar[tuple[str, ...]] = ("vector", "image")
    kind: str = param("mlp", "Model", "The network that is meta-learned.")


@dataclass(frozen=True)
class AlgorithmConfig:
    """A meta-learner; ``task_kinds`` are the kinds of task it applies to."""

    label: ClassVar[str] = ""
    task_kinds: ClassVar[tuple[str, ...]] = ("regression", "classification")
    name: str = param("maml", "Algorithm", "The meta-learning algorithm.")
    # How the algorithm may be evaluated (README, "Evaluation protocol"); subclasses override.
    # any_ways: its classifier is built from each support set (or, for the fine-tuning baselines, is a new head
    # on each task), so test tasks may have any number of classes; otherwise the network's head has one output
    # per training class and fixes N.
    any_ways: ClassVar[bool] = False
    # batch-norm statistics its paper evaluated with, the default of evaluation.batch_norm
    paper_batch_norm: ClassVar[str] = "transductive"


@dataclass(frozen=True)
class TrainingConfig:
    """The outer loop: how many tasks, how fast, how long, where."""

    meta_batch_size: int = param(25, "Meta-batch", "Tasks per meta-iteration.", minimum=1, maximum=100_000)
    meta_lr: float = param(
        0.001,
        "Meta learning rate",
        "Adam step size of the outer loop.",
        minimum=0.0,
        exclusive_minimum=True,
        maximum=10.0,
        step=1e-4,
    )
    iterations: int = param(10_000, "Iterations", "Meta-iterations to train.", minimum=1, maximum=100_000_000)
    eval_every: int = param(
        500, "Evaluate every", "Meta-iterations between evaluations on held-out tasks.", minimum=1, maximum=100_000_000
    )
    eval_tasks: int = param(100, "Evaluation tasks", "Held-out tasks per evaluation.", minimum=1, maximum=1_000_000)
    device: str = param("auto", "Device", "auto, cpu, cuda, cuda:N or mps.")
    processes: int = param(
        1,
        "Processes",
        "Processes that share each meta-batch (torchrun, one machine; on CUDA one per GPU). The results do not "
        "depend on it; 'studio run --nproc N' and the window's device picker set it.",
        minimum=1,
        maximum=1024,
        advanced=True,
    )
    init_weights: str = param(
        "",
        "Initial weights",
        "Start from these weights instead of a random initialisation: a .safetensors file or a PyTorch "
        ".pt/.pth state dict (read with weights_only=True; no code runs from it).",
        is_path=True,
    )
    checkpoint_every: int = param(
        1000,
        "Checkpoint every",
        "Meta-iterations between checkpoints in the run folder (also written on stop and Ctrl-C).",
        minimum=1,
        maximum=100_000_000,
    )
    on_divergence: str = param(
        "stop",
        "On divergence",
        "stop: end the run at a non-finite loss or gradient, keeping the last finite checkpoint; "
        "skip: drop that meta-batch and go on (the count is reported).",
        choices=("stop", "skip"),
    )


BASELINES = ("pretrain", "scratch")
PRETRAIN_HEADS = ("linear", "cosine")


def pretrain_head_param(label: str = "Classifier head") -> str:
    """The head choice of Chen et al. 2019's Baseline (linear) and Baseline++ (cosine)."""
    return param(
        "linear",
        label,
        "Classification: linear is Chen et al. 2019's Baseline, cosine (scaled cosine similarity between features "
        "and class weights) their Baseline++; used for pretraining and for the new head each test task gets.",
        choices=PRETRAIN_HEADS,
    )


BASELINE_BODIES = ("chosen", "frozen", "fine-tuned")
BATCH_NORM_MODES = ("auto", "transductive", "support")


@dataclass(frozen=True)
class EvaluationConfig:
    """Conventional baselines scored beside the meta-learner, on the same held-out tasks and steps."""

    ways: int = param(
        0,
        "Test ways",
        "Classes per evaluation task (N of N-way at test time); 0 = task.ways. Learners that build their classifier "
        "from the support set (protonet, attention, ridge_head) take any N; the others only their training N.",
        minimum=0,
        maximum=1000,
    )
    shots: int = param(
        0, "Test shots", "Support examples per class in evaluation tasks; 0 = task.shots.", minimum=0, maximum=10_000
    )
    batch_norm: str = param(
        "auto",
        "Batch-norm statistics",
        "transductive: normalise query images with the query batch's own statistics; support: with the support "
        "set's only, so each query is classified on its own; auto: as the algorithm's paper evaluated.",
        choices=BATCH_NORM_MODES,
    )
    baselines: tuple[str, ...] = param(
        (),
        "Baselines",
        "pretrain: Chen et al. 2019's Baseline for classification (a classifier over all training classes, then a "
        "new head fine-tuned on each support set), one network trained on the pooled tasks for regression; "
        "scratch: a fresh network fine-tuned on each support set.",
        choices=BASELINES,
    )
    finetune_lr: float = param(
        0.01,
        "Fine-tuning rate",
        "SGD step size the baselines fine-tune with on each support set when baseline_lrs is empty (no tuning).",
        minimum=0.0,
        exclusive_minimum=True,
        maximum=100.0,
        step=0.001,
    )
    pretrain_iterations: int = param(
        0,
        "Pretraining iterations",
        "Supervised steps of the pretrain baseline on pooled training tasks; 0 = training.iterations.",
        minimum=0,
        maximum=100_000_000,
    )
    pretrain_batch: int = param(
        0,
        "Pretraining batch",
        "Training tasks whose pooled examples make one supervised step of the pretrain baseline; 0 = "
        "training.meta_batch_size. Chen et al. 2019 pretrained on batches of 16 images: smaller batches take more, "
        "noisier steps for the same examples, and their features carry over to new classes better.",
        minimum=0,
        maximum=100_000,
    )
    # Tuning the baselines' fine-tuning on validation tasks (Finn et al. 2017 tuned their baseline's step size;
    # Chen et al. 2019 showed that a well-tuned baseline closes much of the gap to meta-learning).
    baseline_lrs: tuple[float, ...] = param(
        (0.001, 0.01, 0.1, 0.5),
        "Baseline rates",
        "SGD step sizes tried for the baselines' fine-tuning; the one with the lowest validation query loss is "
        "used on the scored tasks. Empty: finetune_lr, untuned.",
        minimum=0.0,
        exclusive_minimum=True,
        maximum=100.0,
    )
    baseline_steps: tuple[int, ...] = param(
        (),
        "Baseline steps",
        "Fine-tuning step counts tried with each rate on the validation tasks; the chosen count is scored beside "
        "the meta-learner's steps. Empty: the meta-learner's own inner steps (10, 50 or 100 for learners "
        "without inner steps, such as ProtoNets).",
        minimum=1,
        maximum=1000,
    )
    tuning_tasks: int = param(
        50,
        "Tuning tasks",
        "Validation tasks (their own stream, apart from the scored ones) the baselines' rate and steps are chosen on.",
        minimum=1,
        maximum=100_000,
    )
    pretrain_head: str = pretrain_head_param("Pretrain baseline head")
    pretrain_body: str = param(
        "chosen",
        "Pretrain baseline body",
        "frozen: only the pretrain baseline's head learns on a test task's support set (Chen et al. 2019); "
        "fine-tuned: every layer does; chosen: whichever of the two has the lower validation query loss, "
        "chosen on the tuning tasks with the rate and step count.",
        choices=BASELINE_BODIES,
    )
