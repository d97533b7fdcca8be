"""One held-out 2-D classification task: decision regions before and after adapting, with its points."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from studio.engine.events import DecisionMap
from studio.ui.panels.base import EMPTY, class_color, pen
from studio.ui.panels.figure import FigurePanel

TITLE = "Held-out task: decision regions"
PALE, STRONG = 0.12, 0.55  # how much of a class colour a region shows, from unsure to sure


def class_rgb(label: int) -> np.ndarray:
    color = QColor(class_color(label))
    return np.array([color.red(), color.green(), color.blue()], dtype=np.float64)


def region_image(probabilities: np.ndarray, rgb: np.ndarray | None = None) -> np.ndarray:
    """(n, n, ways) probabilities as an RGB image: the likeliest class's colour, stronger where it is surer;
    ``rgb`` (ways, 3) are the class colours (default: the window's)."""
    ways = probabilities.shape[-1]
    classes = probabilities.argmax(axis=-1)
    certainty = (probabilities.max(axis=-1) - 1 / ways) / (1 - 1 / ways)
    alpha = (PALE + (STRONG - PALE) * np.clip(certainty, 0, 1))[..., None]
    colors = (rgb if rgb is not None else np.stack([class_rgb(k) for k in range(ways)]))[classes]
    return (255 * (1 - alpha) + colors * alpha).astype(np.uint8)


class RegionPlot:
    """One of the two maps: regions, support points (filled) and query points (rings)."""

    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        self.image = pg.ImageItem(axisOrder="row-major")
        plot.addItem(self.image)
        self.support = pg.ScatterPlotItem(size=9, pen=pen("#ffffff"))
        self.query = pg.ScatterPlotItem(size=7, symbol="o", brush=None)
        plot.addItem(self.query)
        plot.addItem(self.support)
        plot.setAspectLocked(True)
        self.classes = np.empty((0, 0), dtype=np.int64)  # the decision of each grid point

    def show(self, record: DecisionMap, probabilities: np.ndarray) -> None:
        self.classes = probabilities.argmax(axis=-1)
        self.image.setImage(region_image(probabilities), levels=(0, 255))
        x, y = record.grid_x, record.grid_y
        self.image.setRect(QRectF(float(x[0]), float(y[0]), float(x[-1] - x[0]), float(y[-1] - y[0])))
        self.support.setData(
            pos=np.asarray(record.support_points, dtype=float),
            brush=[pg.mkBrush(class_color(k)) for k in record.support_labels],
        )
        self.query.setData(
            pos=np.asarray(record.query_points, dtype=float),
            pen=[pen(class_color(k)) for k in record.query_labels],
            brush=None,
        )

    def clear(self) -> None:
        self.image.clear()
        self.support.setData(x=EMPTY, y=EMPTY)
        self.query.setData(x=EMPTY, y=EMPTY)
        self.classes = np.empty((0, 0), dtype=np.int64)


class DecisionMapView(FigurePanel):
    """Decision regions of the held-out task before (left) and after (right) adapting to its support points."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("decisionMapPlot", TITLE, parent=parent)
        before = self.add_plot(1, 0, "before adapting", "x₁", "x₂")
        after = self.add_plot(1, 1, "after adapting", "x₁", "")
        after.setXLink(before)
        after.setYLink(before)
        self.maps = {"before": RegionPlot(before), "after": RegionPlot(after)}
        caption = "regions: likeliest class (paler: less sure) · filled dots: support · rings: query"
        self.figure.addLabel(caption, row=2, col=0, colspan=2, color="#7f7f7f", size="8pt")

    def show_map(self, record: DecisionMap) -> None:
        self.maps["before"].show(record, record.before)
        self.maps["after"].show(record, record.after)
        self.maps["after"].plot.setTitle(f"after {record.steps} step(s)", color="#333333", size="10pt")
        self.set_title(f"{TITLE} (iteration {record.iteration})")
        self.maps["before"].plot.autoRange()

    def clear(self) -> None:
        for region in self.maps.values():
            region.clear()
        self.set_title(TITLE)
