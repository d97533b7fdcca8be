"""The engine: task families, models, meta-learning algorithms and the training loop.

Headless and Qt-free.  ``run(preset)`` is a generator of records from
:mod:`studio.engine.events`; the command line and the window both consume it.
"""

from studio.engine.events import (
    BaselineEvaluation,
    ClassificationFit,
    Evaluation,
    Event,
    FinishReason,
    Notice,
    RunFinished,
    RunStarted,
    StepMetrics,
    TaskFit,
)
from studio.engine.training import Training, run

__all__ = [
    "BaselineEvaluation",
    "ClassificationFit",
    "Evaluation",
    "Event",
    "FinishReason",
    "Notice",
    "RunFinished",
    "RunStarted",
    "StepMetrics",
    "TaskFit",
    "Training",
    "run",
]
