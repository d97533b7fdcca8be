"""What the task preview shows, as plain data (no torch, no Qt): the window imports it before the engine has loaded,
and :mod:`studio.views.preview_sampling` fills it from the engine's sampler."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from studio.config import FieldError
from studio.views.episode import Episode

if TYPE_CHECKING:
    from studio.views.tabular_rows import TaskTable

PREVIEW_TASKS = 5
EMPTY = np.empty(0)


@dataclass(frozen=True)
class Points:
    """One 2-D classification task: points (n, 2) and their labels."""

    support: np.ndarray
    support_labels: np.ndarray
    query: np.ndarray
    query_labels: np.ndarray


@dataclass(frozen=True)
class PreviewTasks:
    """What to draw, one of: curves over ``x`` with support points, ``points``, an ``episode``, a ``table``."""

    x: np.ndarray = field(default_factory=lambda: EMPTY)
    curves: tuple[np.ndarray, ...] = ()
    support: tuple[tuple[np.ndarray, np.ndarray], ...] = ()
    points: Points | None = None
    episode: Episode | None = None
    table: TaskTable | None = None
    summary: str = ""  # what the data holds (classes and images per split, groups per split)
    dims: tuple[int, int] | None = None  # the family's input and output sizes: the network's shape
    kind: str | None = None  # regression or classification, as the family (for a CSV, its target) says
    note: str | None = None
    errors: tuple[FieldError, ...] = ()  # settings the sampler refused
