"""Tasks drawn from the current task settings by the engine's own sampler (see :mod:`studio.views.preview_sampling`).

Building a family can be slow (image families render or read their data), so
tasks are drawn on a background thread and only the latest request is drawn.
Until the engine (torch) has loaded, the panel says so and draws once it has.
1-D regression shows a few functions with their support points; 2-D
classification one task's points by class; images one episode as a grid;
tables the groups and one task's rows.
"""

from __future__ import annotations

import contextlib
import functools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QStackedWidget, QWidget

from studio.config import TaskConfig
from studio.ui import engine_loader
from studio.ui.panels.base import EMPTY, GREY, TASK_COLORS, PlotPanel, class_color, pen
from studio.ui.panels.image_grid import ImageGridView
from studio.ui.panels.tabular_preview import TabularPreview
from studio.views.preview_tasks import PREVIEW_TASKS, Points, PreviewTasks

__all__ = ["PREVIEW_TASKS", "PreviewPanel", "PreviewTasks"]
IMAGE_PX = 28  # on-screen pixels per image of a previewed episode: a row per class, the grid grows with the ways
GRID_HEIGHT = (190, 720)  # ... between these heights
_SAMPLER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-preview")
LOADING = "Loading the engine…"
CAPTIONS = {
    "curves": "lines: true functions · dots: support sets",
    "points": "one task · filled: support points · rings: query points · colour: class",
    "images": "one episode · a row per class: support images, then query images",
    "table": "",
}


class PreviewPanel(PlotPanel):
    """``checked(errors)`` follows every redraw: what the sampler refused in the settings shown;
    then ``described(tasks)``: the :class:`PreviewTasks` shown (what the data holds, the network's shape);
    ``pageAdded(widget)`` when the picture of an episode or a table is first needed."""

    checked = Signal(object)
    described = Signal(object)
    pageAdded = Signal(object)  # a picture that is not an x-y plot, built when first needed: its widget
    _arrived = Signal(int, object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("taskPreviewPlot", f"{PREVIEW_TASKS} sampled tasks", "x", "y", parent=parent)
        self.legend.hide()
        self.plot_widget.setMinimumSize(200, 190)
        self.plot_widget.setMaximumHeight(230)
        self.plot_widget.setToolTip("Ctrl+wheel zooms; the wheel alone scrolls the form")
        self.class_query = pg.ScatterPlotItem(size=7, brush=None)
        self.class_support = pg.ScatterPlotItem(size=8, pen=pen("#ffffff"))
        for item in (self.class_query, self.class_support):
            self.plot.addItem(item)
        self._pages: dict[str, QWidget] = {}  # an episode of images, a table: built when first shown
        self.tasks = PreviewTasks()
        self.draw = 0  # which draw of tasks is shown; Resample moves on to the next
        self.config: TaskConfig | None = None
        self.request = 0  # the latest request; older results are dropped
        self.drawn = 0  # the request on screen
        self._waiting = False  # for the engine to load
        self._arrived.connect(self._show)
        self.layout().addLayout(self._controls())

    @functools.cached_property
    def lines(self) -> list[pg.PlotDataItem]:
        """The sampled functions.  Like :attr:`dots`, added to the plot when first drawn (both: ~0.03 s CPU of the
        window's start-up, and nothing is drawn before the engine has loaded, after the window's first paint)."""
        return [self.curve(None, color) for color in TASK_COLORS[:PREVIEW_TASKS]]

    @functools.cached_property
    def dots(self) -> list[pg.PlotDataItem]:
        """The sampled functions' support points."""
        return [self.points(None, color, size=5) for color in TASK_COLORS[:PREVIEW_TASKS]]

    @property
    def grid(self) -> ImageGridView:
        """The page of an episode of images.  Like :attr:`tabular`, built on first use: the default preset's
        curves need neither, and both together cost ~0.03 s CPU of the window's start-up."""
        if "images" not in self._pages:
            grid = ImageGridView("previewImageGrid", "one sampled episode")
            grid.plot_widget.setMinimumSize(200, 190)
            grid.plot_widget.setMaximumHeight(260)
            self._add_page("images", grid)
        return self._pages["images"]

    @property
    def tabular(self) -> TabularPreview:
        """The page of a table's groups and one task's rows."""
        if "table" not in self._pages:
            self._add_page("table", TabularPreview())
        return self._pages["table"]

    def _add_page(self, mode: str, page: QWidget) -> None:
        self._pages[mode] = page
        self.stack.addWidget(page)
        _fit_to_current(self.stack)  # a new page must not make the stack as tall as itself
        self.pageAdded.emit(page)

    def _controls(self) -> QHBoxLayout:
        self.resample_button = QPushButton("Resample")
        self.resample_button.setObjectName("resampleButton")
        self.resample_button.setToolTip("Draw other tasks from the same settings")
        self.resample_button.clicked.connect(self.resample)
        self.caption = QLabel(CAPTIONS["curves"], wordWrap=True)
        self.caption.setStyleSheet(f"color: {GREY};")
        row = QHBoxLayout()
        row.addWidget(self.caption, 1)
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
        engine = engine_loader.ENGINE
        if config is None:
            self._show(self.request, PreviewTasks(note=f"No preview: {problem}"))
        elif engine.error:
            self._show(self.request, PreviewTasks(note=f"No preview: the engine could not load ({engine.error})"))
        elif not engine.ready:
            self.show_note(LOADING)
            if not self._waiting:
                self._waiting = True
                engine.loaded.connect(self._engine_loaded)
                engine.failed.connect(self._engine_loaded)
        else:
            _SAMPLER.submit(self._sample, self.request, config, self.draw)

    def _engine_loaded(self, *_: object) -> None:
        """Draw the settings shown since (or say why not)."""
        self._waiting = False
        if self.config is not None and not self.up_to_date:
            self.show_tasks(self.config)

    def _sample(self, request: int, config: TaskConfig, draw: int) -> None:
        """On the sampler thread."""
        if request != self.request:
            return  # settings changed again meanwhile: skip to the newest
        from studio.views.preview_sampling import sample_preview  # imports torch: loaded by now (see show_tasks)

        result = sample_preview(config, draw)
        with contextlib.suppress(RuntimeError):  # the panel may have been deleted meanwhile
            self._arrived.emit(request, result)

    def _show(self, request: int, tasks: PreviewTasks) -> None:
        if request != self.request:
            return
        self.drawn, self.tasks = request, tasks
        self.plot.enableAutoRange()  # new tasks are shown whole, whatever the last zoom was
        self._show_curves(tasks)
        self._show_points(tasks.points)
        if tasks.episode is not None:
            self.grid.show_episode(tasks.episode)
            self._fit_grid_height()
        if tasks.table is not None:
            self.tabular.show_table(tasks.table)
        self._choose_page(tasks)
        self.checked.emit(list(tasks.errors))
        self.described.emit(tasks)

    def _fit_grid_height(self) -> None:
        rows = len({cell.row for cell in self.grid.cells})
        low, high = GRID_HEIGHT
        height = min(high, max(low, rows * IMAGE_PX + 70))  # 70: the title and the axis below
        self.grid.plot_widget.setMinimumHeight(height)
        self.grid.plot_widget.setMaximumHeight(height)

    def _show_curves(self, tasks: PreviewTasks) -> None:
        for index, (line, dots) in enumerate(zip(self.lines, self.dots)):
            if tasks.curves:
                line.setData(tasks.x, tasks.curves[index])
                dots.setData(*tasks.support[index])
            else:
                line.setData(EMPTY, EMPTY)
                dots.setData(EMPTY, EMPTY)

    def _show_points(self, points: Points | None) -> None:
        if points is None:
            self.class_support.setData(x=EMPTY, y=EMPTY)
            self.class_query.setData(x=EMPTY, y=EMPTY)
            return
        brushes = [pg.mkBrush(class_color(k)) for k in points.support_labels]
        self.class_support.setData(pos=points.support, brush=brushes)
        self.class_query.setData(pos=points.query, pen=[pen(class_color(k)) for k in points.query_labels], brush=None)

    def _choose_page(self, tasks: PreviewTasks) -> None:
        mode = _mode(tasks)
        if tasks.note:
            self.show_note(tasks.note)
        else:
            self.stack.setCurrentWidget(self._pages.get(mode, self.plot_widget))
        _fit_to_current(self.stack)
        title, x_label, y_label = ("one sampled task", "x₁", "x₂") if mode == "points" else (
            f"{PREVIEW_TASKS} sampled tasks", "x", "y")  # fmt: skip
        self.set_title(title)
        self.plot.setLabel("bottom", x_label)
        self.plot.setLabel("left", y_label)
        self.plot.setAspectLocked(mode == "points")
        self.caption.setText(CAPTIONS.get(mode, ""))

    @property
    def up_to_date(self) -> bool:
        """The tasks on screen are those of the latest settings."""
        return self.drawn == self.request

    def export_image(self, path: str | Path) -> Path:
        """The picture on screen (functions, points, an episode, a table) as PNG or SVG."""
        page = self.stack.currentWidget()
        return page.export_image(path) if page in self._pages.values() else super().export_image(path)


def _fit_to_current(stack: QStackedWidget) -> None:
    """Size the stack to the page shown (a stack is as tall as its tallest page otherwise)."""
    for index in range(stack.count()):
        page = stack.widget(index)
        policy = QSizePolicy.Policy.Preferred if page is stack.currentWidget() else QSizePolicy.Policy.Ignored
        page.setSizePolicy(policy, policy)
        page.updateGeometry()
    stack.adjustSize()


def _mode(tasks: PreviewTasks) -> str:
    """Which picture ``tasks`` is: curves, points, images, table ('' for a note)."""
    if tasks.note:
        return ""
    if tasks.episode is not None:
        return "images"
    if tasks.table is not None:
        return "table"
    return "points" if tasks.points is not None else "curves"
