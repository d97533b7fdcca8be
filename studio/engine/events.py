"""The records a training run yields: small, frozen, and free of torch tensors.

The command line prints them, the window plots them, the run folder writes
them; none of those needs to know how they were computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from studio.config import Preset


@dataclass(frozen=True)
class RunStarted:
    """``task_kind`` (``regression``, ``classification``) and ``input_dim`` say how the run's tasks can be drawn."""

    preset: Preset
    device: str
    total_iterations: int
    parameter_count: int
    start_iteration: int = 0
    task_kind: str = ""
    input_dim: int = 0
    processes: int = 1  # under torchrun, the ranks sharing each meta-batch (records come from rank 0)


@dataclass(frozen=True)
class StepMetrics:
    """One meta-iteration: the mean query loss over the meta-batch after adaptation."""

    iteration: int
    meta_loss: float
    tasks_per_second: float
    elapsed_seconds: float
    rank_rates: tuple[float, ...] = ()  # under torchrun, each rank's meta-iterations/s of its own work


@dataclass(frozen=True)
class Evaluation:
    """Held-out query loss after 0..K inner steps, mean and 95% CI over tasks."""

    iteration: int
    steps: tuple[int, ...]
    loss_mean: tuple[float, ...]
    loss_ci95: tuple[float, ...]
    tasks: int
    accuracy_mean: tuple[float, ...] | None = None
    accuracy_ci95: tuple[float, ...] | None = None

    @property
    def final_loss(self) -> float:
        return self.loss_mean[-1]


@dataclass(frozen=True)
class FineTuning:
    """How a baseline fine-tunes on a task's support set: SGD at ``lr`` for ``steps`` steps.

    Chosen on ``tasks`` validation tasks, where its mean query loss was
    ``validation_loss`` (``tasks == 0``: taken from the preset, not tuned).
    """

    lr: float
    steps: int
    validation_loss: float = float("nan")
    tasks: int = 0
    body: str = ""  # the pretrain baseline's body on a task ("frozen" or "fine-tuned"); "" for the others


@dataclass(frozen=True)
class BaselineEvaluation:
    """A conventional baseline (``pretrain``, ``scratch``) on the run's held-out tasks and steps.

    ``evaluation`` is laid out as the run's own :class:`Evaluation`, so the two
    curves can be drawn on one plot; its steps are the run's, plus the chosen
    fine-tuning step count when that is more.  ``finetuning`` is the step size
    and count chosen on validation tasks; ``pretraining`` says in words what the
    baseline was trained on.  The preset's ``[evaluation] baselines`` asks for
    these, and they come once, after the final evaluation.
    """

    baseline: str
    evaluation: Evaluation
    finetuning: FineTuning | None = None
    pretraining: str = ""


@dataclass(frozen=True)
class TaskFit:
    """One held-out regression task: truth, support set, predictions before and after adapting."""

    iteration: int
    x: np.ndarray
    y_true: np.ndarray
    x_support: np.ndarray
    y_support: np.ndarray
    before: np.ndarray
    after: np.ndarray
    steps: int


@dataclass(frozen=True)
class ClassificationFit:
    """One held-out classification task: its images, true labels, and predictions before and after adapting.

    Images are (n, channels, height, width) float32 pixels in [0, 1], ready to
    draw; ``before`` and ``after`` are class probabilities (queries, ways)
    after 0 and ``steps`` inner steps (learners without inner steps, such as
    ProtoNets, have ``steps == 0`` and the two equal).  ``class_names`` names
    label 0..ways-1 of this task (a rotated class carries its turn, e.g. " (90°)").
    """

    iteration: int
    support_images: np.ndarray
    support_labels: np.ndarray
    query_images: np.ndarray
    query_labels: np.ndarray
    before: np.ndarray
    after: np.ndarray
    steps: int
    class_names: tuple[str, ...] = ()

    @property
    def predicted_before(self) -> np.ndarray:
        return self.before.argmax(axis=1)

    @property
    def predicted_after(self) -> np.ndarray:
        return self.after.argmax(axis=1)


@dataclass(frozen=True)
class Notice:
    """Something the user should know about the run's data: skipped files, left-out classes, memory used."""

    message: str


@dataclass(frozen=True)
class DecisionMap:
    """One held-out 2-D classification task: class probabilities over a grid before and after adapting.

    ``grid_x``/``grid_y`` are the axis values (n each); ``before``/``after`` are
    (n, n, ways) probabilities on that grid (row = y, column = x).
    """

    iteration: int
    grid_x: np.ndarray
    grid_y: np.ndarray
    before: np.ndarray
    after: np.ndarray
    support_points: np.ndarray
    support_labels: np.ndarray
    query_points: np.ndarray
    query_labels: np.ndarray
    steps: int


@dataclass(frozen=True)
class TasksDrawn:
    """What the task sampler has drawn so far: each task parameter's values (the latest, up to a bound)."""

    iteration: int
    strategy: str
    values: dict[str, np.ndarray]
    width: float | None = None  # the curriculum's current fraction of each range


class FinishReason(StrEnum):
    """Why a run ended: every value a run's summary, the command line or the window may record."""

    COMPLETED = "completed"  # the iteration budget is spent
    STOPPED = "stopped"  # asked to stop: finished with one last evaluation
    DIVERGED = "diverged"  # a non-finite loss or gradient (``message`` says where and why)
    INTERRUPTED = "interrupted"  # Ctrl-C in the terminal: checkpoint and model saved
    ERROR = "error"  # an exception ended it; what it reached is kept
    PAUSED = "paused"  # an export of a paused run: the run itself goes on
    DIED = "died"  # its process ended without finishing (killed, crashed): resumable from its last checkpoint


@dataclass(frozen=True)
class RunFinished:
    """``reason`` says why the run ended (``message`` says what and why when it diverged or failed)."""

    iteration: int
    reason: FinishReason
    elapsed_seconds: float
    tasks_per_second: float
    final: Evaluation | None
    message: str = ""
    skipped_batches: int = 0
    # a pretrain/scratch run: the fine-tuning rate and step count ``final`` was scored at, chosen on tuning tasks
    finetuning: FineTuning | None = None


Event = (
    RunStarted
    | StepMetrics
    | Evaluation
    | BaselineEvaluation
    | TaskFit
    | ClassificationFit
    | DecisionMap
    | TasksDrawn
    | Notice
    | RunFinished
)
