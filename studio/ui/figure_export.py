"""Every panel in one figure: a grid of the plots, each under its title, as PNG at a chosen pixel size or SVG.

Each panel's plot (not its controls) is painted through a transformed painter,
so the plots come out as vectors in the SVG and sharp at any PNG size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QRegion
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QGraphicsView, QSpinBox, QWidget

from studio.config import ConfigError

TITLE_HEIGHT = 28  # pixels above each panel, at the figure's scale
DEFAULT_SIZE = (1600, 1000)
MAX_SIDE = 10_000


def drawn_part(panel: QWidget) -> QWidget:
    """What a panel shows of its data: the plot (or the note in its place), without controls around it."""
    stack = getattr(panel, "stack", None)
    return stack.currentWidget() if stack is not None and stack.currentWidget() is not None else panel


def grid(count: int, width: int, height: int) -> list[QRectF]:
    """``count`` cells filling ``width`` x ``height``, two columns (one for a single panel)."""
    columns = 1 if count == 1 else 2
    rows = max(1, math.ceil(count / columns))
    w, h = width / columns, height / rows
    return [QRectF((i % columns) * w, (i // columns) * h, w, h) for i in range(count)]


def paint_figure(painter: QPainter, panels: Sequence[tuple[str, QWidget]], width: int, height: int) -> None:
    painter.fillRect(QRectF(0, 0, width, height), QColor("white"))
    font = QFont(painter.font())
    font.setPixelSize(15)
    font.setBold(True)
    for (title, panel), cell in zip(panels, grid(len(panels), width, height)):
        painter.save()
        painter.translate(cell.topLeft())
        painter.setFont(font)
        painter.setPen(QColor("#333333"))
        painter.drawText(QRectF(0, 0, cell.width(), TITLE_HEIGHT), Qt.AlignmentFlag.AlignCenter, title)
        _paint_panel(painter, drawn_part(panel), cell.width(), cell.height() - TITLE_HEIGHT)
        painter.restore()


def _paint_panel(painter: QPainter, widget: QWidget, width: float, height: float) -> None:
    size = widget.size()
    if size.width() < 50 or size.height() < 50:  # never laid out (a hidden tab): give it the cell's shape
        widget.resize(int(width), int(height))
        size = widget.size()
    scale = min(width / size.width(), height / size.height())
    painter.translate((width - size.width() * scale) / 2, TITLE_HEIGHT)
    painter.scale(scale, scale)
    if isinstance(widget, QGraphicsView):  # the scene itself: vectors, sharp at any scale
        widget.render(painter, QRectF(0, 0, size.width(), size.height()), widget.viewport().rect())
    else:
        QWidget.render(widget, painter, QPoint(), QRegion(), QWidget.RenderFlag.DrawChildren)


def write_figure(panels: Sequence[tuple[str, QWidget]], path: str | Path, size: tuple[int, int] = DEFAULT_SIZE) -> Path:
    """Write the figure as SVG or PNG (by the suffix of ``path``); ``size`` in pixels."""
    path, (width, height) = Path(path), size
    if not (100 <= width <= MAX_SIDE and 100 <= height <= MAX_SIDE):
        raise ConfigError(f"figure size must be 100 to {MAX_SIDE} pixels a side, got {width} x {height}")
    if path.suffix.lower() == ".svg":
        return _write_svg(panels, path, width, height)
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        paint_figure(painter, panels, width, height)
    finally:
        painter.end()
    if not image.save(str(path)):
        raise ConfigError(f"{path}: could not be written (choose a .png or .svg file in a folder you can write)")
    return path


def _write_svg(panels: Sequence[tuple[str, QWidget]], path: Path, width: int, height: int) -> Path:
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(width, height))
    generator.setViewBox(QRectF(0, 0, width, height))
    generator.setTitle("Meta-Learning Studio: all panels")
    painter = QPainter(generator)
    try:
        paint_figure(painter, panels, width, height)
    finally:
        painter.end()
    if not path.is_file():
        raise ConfigError(f"{path}: could not be written")
    return path


class FigureSizeDialog(QDialog):
    """Width and height in pixels for the figure."""

    def __init__(self, parent: QWidget | None = None, size: tuple[int, int] = DEFAULT_SIZE):
        super().__init__(parent)
        self.setWindowTitle("Figure size")
        self.width_box, self.height_box = QSpinBox(), QSpinBox()
        for box, value in ((self.width_box, size[0]), (self.height_box, size[1])):
            box.setRange(100, MAX_SIDE)
            box.setSuffix(" px")
            box.setValue(value)
        form = QFormLayout(self)
        form.addRow("Width", self.width_box)
        form.addRow("Height", self.height_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @property
    def chosen(self) -> tuple[int, int]:
        return self.width_box.value(), self.height_box.value()
