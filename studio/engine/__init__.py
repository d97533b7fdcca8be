"""The engine: task families, models, meta-learning algorithms and the training loop.

Headless and Qt-free.  ``run(preset)`` is a generator of records from
:mod:`studio.engine.events`; the command line and the window both consume it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
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


def __getattr__(name: str):
    # the training loop imports torch; the records above do not, and the CLI's progress display needs only them
    if name not in ("Training", "run"):
        raise AttributeError(f"module 'studio.engine' has no attribute '{name}'")
    value = getattr(importlib.import_module("studio.engine.training"), name)
    globals()[name] = value
    return value
