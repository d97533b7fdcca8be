"""One N-way K-shot episode as a grid of images: a row per class, its support images, then its query images.

The grid is one RGB mosaic (a single image item however many images there
are), with the class names as the rows' ticks.  Query images can carry a
frame: green when predicted right, red when wrong, with the predicted label
written under the wrong ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QWidget

from studio.ui.panels.base import RED, PlotPanel
from studio.views.episode import Episode

RIGHT_RGB, WRONG_RGB = (44, 160, 44), (214, 39, 40)
SUPPORT, QUERY = "support", "query"


@dataclass(frozen=True)
class Cell:
    """Where one image of the episode sits: grid row (its class) and column, and which image it is."""

    row: int
    column: int
    part: str  # SUPPORT or QUERY
    index: int  # into that part's images


def grid_cells(support_labels: np.ndarray, query_labels: np.ndarray) -> tuple[list[Cell], int]:
    """Each image's cell, and the column where the queries start (after the widest support row and a gap)."""
    rows = int(max(support_labels.max(initial=-1), query_labels.max(initial=-1))) + 1
    widest = max((int((support_labels == r).sum()) for r in range(rows)), default=0)
    cells = _row_cells(support_labels, SUPPORT, 0) + _row_cells(query_labels, QUERY, widest + 1)
    return cells, widest + 1


def _row_cells(labels: np.ndarray, part: str, first_column: int) -> list[Cell]:
    used: dict[int, int] = {}
    cells = []
    for index, label in enumerate(labels.tolist()):
        column = used.get(label, 0)
        used[label] = column + 1
        cells.append(Cell(int(label), first_column + column, part, index))
    return cells


def mosaic(episode: Episode, cells: list[Cell], marks: dict[int, bool] | None = None) -> np.ndarray:
    """The grid as one (height, width, 3) uint8 image; ``marks[query index]`` frames a query right or wrong."""
    _, _, height, width = episode.support_images.shape
    pad = max(1, height // 10)
    rows = max(c.row for c in cells) + 1
    columns = max(c.column for c in cells) + 1
    canvas = np.full((rows * (height + 2 * pad), columns * (width + 2 * pad), 3), 255, dtype=np.uint8)
    for cell in cells:
        images = episode.support_images if cell.part == SUPPORT else episode.query_images
        top, left = cell.row * (height + 2 * pad), cell.column * (width + 2 * pad)
        mark = (marks or {}).get(cell.index) if cell.part == QUERY else None
        if mark is not None:
            canvas[top : top + height + 2 * pad, left : left + width + 2 * pad] = RIGHT_RGB if mark else WRONG_RGB
        canvas[top + pad : top + pad + height, left + pad : left + pad + width] = _rgb(images[cell.index])
    return canvas


def _rgb(image: np.ndarray) -> np.ndarray:
    """(channels, h, w) floats in [0, 1] as (h, w, 3) uint8."""
    pixels = np.clip(np.asarray(image, dtype=np.float32), 0.0, 1.0)
    pixels = np.repeat(pixels, 3, axis=0) if pixels.shape[0] == 1 else pixels[:3]
    return (pixels.transpose(1, 2, 0) * 255 + 0.5).astype(np.uint8)


class ImageGridView(PlotPanel):
    """The episode's images; ``cells`` says which image is where (tests and tooltips read it)."""

    def __init__(self, object_name: str, title: str, parent: QWidget | None = None):
        super().__init__(object_name, title, "", "", grid=False, parent=parent)
        self.legend.hide()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.cells: list[Cell] = []
        self.labels: list[pg.TextItem] = []

    def show_episode(self, episode: Episode, marks: dict[int, bool] | None = None, predicted: Sequence = ()) -> None:
        """Draw ``episode``; ``marks`` frames queries, ``predicted[i]`` is written under query ``i`` if wrong."""
        self.cells, query_column = grid_cells(episode.support_labels, episode.query_labels)
        if not self.cells:
            self.clear()
            return
        canvas = mosaic(episode, self.cells, marks)
        self.image.setImage(canvas, levels=(0, 255))
        rows = max(c.row for c in self.cells) + 1
        self.cell_size = canvas.shape[0] / rows
        self._ticks(rows, query_column, episode.class_names)
        self._wrong_labels(marks or {}, predicted)
        self.plot.setRange(xRange=(0, canvas.shape[1]), yRange=(0, canvas.shape[0]), padding=0.02)

    def _ticks(self, rows: int, query_column: int, names: tuple[str, ...]) -> None:
        size, left = self.cell_size, self.plot.getAxis("left")
        labels = [_row_name(r, names) for r in range(rows)]
        left.setTicks([[((r + 0.5) * size, label) for r, label in enumerate(labels)]])
        # sized from the labels: pyqtgraph widens an axis only as it draws, and a page drawn while hidden stays narrow
        left.setWidth(max(QFontMetrics(left.font()).horizontalAdvance(label) for label in labels) + 14)
        support_middle = (query_column - 1) * size / 2  # the support columns, then one empty column
        query_middle = (query_column * size + self.image.width()) / 2
        self.plot.getAxis("bottom").setTicks([[(support_middle, SUPPORT), (query_middle, QUERY)]])

    def _wrong_labels(self, marks: dict[int, bool], predicted: Sequence) -> None:
        for item in self.labels:
            self.plot.removeItem(item)
        self.labels = []
        for cell in self.cells:
            if cell.part == QUERY and marks.get(cell.index) is False and cell.index < len(predicted):
                text = pg.TextItem(f"→{predicted[cell.index]}", color=RED, anchor=(0.5, 1.0))
                text.setPos((cell.column + 0.5) * self.cell_size, (cell.row + 1) * self.cell_size)
                self.plot.addItem(text)
                self.labels.append(text)

    @property
    def image_count(self) -> int:
        return len(self.cells)

    def clear(self) -> None:
        self.cells = []
        self.image.clear()
        self._wrong_labels({}, ())
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setTicks(None)


def _row_name(row: int, names: tuple[str, ...]) -> str:
    return f"{row} · {names[row]}" if row < len(names) else str(row)
