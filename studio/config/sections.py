"""The fixed parts of a preset: section base classes and the training section.

A preset has four sections.  ``task``, ``model`` and ``algorithm`` each
name a choice (``family``, ``kind``, ``name``) whose settings class is found in
:mod:`studio.config.registry`; ``training`` is the same for every experiment.
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.config.fields import param


@dataclass(frozen=True)
class TaskConfig:
    """Settings every task family has: how many examples a task shows."""

    family: str = param("sinusoid", "Task family", "Which distribution tasks are drawn from.")
    shots: int = param(
        10, "Shots", "Support examples per task (per class for classification).", minimum=1, maximum=10_000
    )
    queries: int = param(10, "Queries", "Query examples per task used to score adaptation.", minimum=1, maximum=10_000)


@dataclass(frozen=True)
class ModelConfig:
    kind: str = param("mlp", "Model", "The network that is meta-learned.")


@dataclass(frozen=True)
class AlgorithmConfig:
    name: str = param("maml", "Algorithm", "The meta-learning algorithm.")


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
