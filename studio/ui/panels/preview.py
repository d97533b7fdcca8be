"""A handful of tasks drawn from the current task settings by the engine's own sampler.

What the preview shows is what trains: the same family class, the same
ranges, the same noise.  Building a family can be slow (image families render
or read their data), so tasks are drawn on a background thread and only the
latest request is drawn.  Families that are not 1-D regression get a note
until someone teaches the preview to draw them.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import torch
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from studio.config import ConfigError, FieldError, TaskConfig
from studio.engine.tasks import build_family
from studio.ui.panels.base import EMPTY, GREY, TASK_COLORS, PlotPanel

PREVIEW_TASKS = 5
GRID_POINTS = 200
_SAMPLER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-preview")


@dataclass(frozen=True)
class PreviewTasks:
    """What to draw: per task a curve over ``x`` and its support points; or a note instead."""

    x: np.ndarray = field(default_factory=lambda: EMPTY)
    curves: tuple[np.ndarray, ...] = ()
    support: tuple[tuple[np.ndarray, np.ndarray], ...] = ()
    note: str | None = None
    errors: tuple[FieldError, ...] = ()  # settings the sampler refused


def sample_preview(config: TaskConfig, draw: int) -> PreviewTasks:
    """Draw :data:`PREVIEW_TASKS` tasks with the engine's sampler (any thread)."""
    try:
        family = build_family(config)
    except ConfigError as error:
        return PreviewTasks(note=f"No preview: {error}", errors=error.errors)
    except Exception as error:  # a family without an engine yet must not break the form
        return PreviewTasks(note=f"No preview for '{config.family}': {error}")
    if family.kind != "regression" or family.input_dim != 1:
        return PreviewTasks(note=f"No preview yet for {family.kind} tasks ('{config.family}')")
    batch = family.sample(PREVIEW_TASKS, torch.Generator().manual_seed(draw))
    grid = family.input_grid(GRID_POINTS)
    curves = family.target(batch.params, grid.unsqueeze(0).expand(PREVIEW_TASKS, -1, -1))
    support = tuple(
        (batch.x_support[i, :, 0].double().numpy(), batch.y_support[i, :, 0].double().numpy())
        for i in range(PREVIEW_TASKS)
    )
    return PreviewTasks(grid[:, 0].double().numpy(), tuple(c[:, 0].double().numpy() for c in curves), support)


class PreviewPanel(PlotPanel):
    """``checked(errors)`` follows every redraw: what the sampler refused in the settings shown."""

    checked = Signal(object)
    _arrived = Signal(int, object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("taskPreviewPlot", f"{PREVIEW_TASKS} sampled tasks", "x", "y", parent=parent)
        self.legend.hide()
        self.plot_widget.setMinimumSize(200, 190)
        self.plot_widget.setMaximumHeight(230)
        self.lines = [self.curve(None, color) for color in TASK_COLORS[:PREVIEW_TASKS]]
        self.dots = [self.points(None, color, size=5) for color in TASK_COLORS[:PREVIEW_TASKS]]
        self.draw = 0  # which draw of tasks is shown; Resample moves on to the next
        self.config: TaskConfig | None = None
        self.request = 0  # the latest request; older results are dropped
        self.drawn = 0  # the request on screen
        self._arrived.connect(self._show)
        self.layout().addLayout(self._controls())

    def _controls(self) -> QHBoxLayout:
        self.resample_button = QPushButton("Resample")
        self.resample_button.setObjectName("resampleButton")
        self.resample_button.setToolTip("Draw other tasks from the same settings")
        self.resample_button.clicked.connect(self.resample)
        caption = QLabel("lines: true functions · dots: support sets")
        caption.setStyleSheet(f"color: {GREY};")
        row = QHBoxLayout()
        row.addWidget(caption, 1)
        row.addWidget(self.resample_button)
        return row

    def resample(self) -> None:
        self.draw += 1
        if self.config is not None:
            self.show_tasks(self.config)

    def show_tasks(self, config: TaskConfig | None, problem: str = "") -> None:
        """Redraw from ``config`` soon (``None`` with a ``problem`` when the settings are invalid)."""
        self.config = config
        self.request += 1
        if config is None:
            self._show(self.request, PreviewTasks(note=f"No preview: {problem}"))
        else:
            _SAMPLER.submit(self._sample, self.request, config, self.draw)

    def _sample(self, request: int, config: TaskConfig, draw: int) -> None:
        """On the sampler thread."""
        if request != self.request:
            return  # settings changed again meanwhile: skip to the newest
        result = sample_preview(config, draw)
        with contextlib.suppress(RuntimeError):  # the panel may have been deleted meanwhile
            self._arrived.emit(request, result)

    def _show(self, request: int, tasks: PreviewTasks) -> None:
        if request != self.request:
            return
        self.drawn = request
        for index, (line, dots) in enumerate(zip(self.lines, self.dots)):
            if tasks.curves:
                line.setData(tasks.x, tasks.curves[index])
                dots.setData(*tasks.support[index])
            else:
                line.setData(EMPTY, EMPTY)
                dots.setData(EMPTY, EMPTY)
        self.show_note(tasks.note)
        self.checked.emit(list(tasks.errors))

    @property
    def up_to_date(self) -> bool:
        """The tasks on screen are those of the latest settings."""
        return self.drawn == self.request
