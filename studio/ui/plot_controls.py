"""A row of controls above a plot: smoothing, log axes, x as iteration or wall time, same y range,
reset zoom, and a crosshair whose read-out follows the mouse."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from studio.export.smoothing import shared_range, slider_weight
from studio.ui.panels.base import GREY, INK, PlotPanel, pen

X_AXES = {"iteration": "iteration", "wall time": "wall_time"}
X_LABELS = {"iteration": "meta-iteration", "wall_time": "training time (s)"}
READOUT_AT = (60, 4)  # pixels from the plot widget's top left


def _small(widget: QWidget, name: str, tip: str) -> QWidget:
    widget.setObjectName(name)
    widget.setToolTip(tip)
    return widget


class Crosshair:
    """A dashed cross under the mouse and a text of where it is and the nearest curve's value there."""

    def __init__(self, plot: pg.PlotItem, readout: QLabel):
        self.plot, self.readout = plot, readout
        self.lines = [pg.InfiniteLine(angle=a, movable=False, pen=pen(GREY, Qt.PenStyle.DashLine)) for a in (90, 0)]
        for line in self.lines:
            line.hide()
            plot.addItem(line, ignoreBounds=True)
        self.proxy = pg.SignalProxy(plot.scene().sigMouseMoved, rateLimit=30, slot=self._moved)

    def _moved(self, event: tuple) -> None:
        position = event[0]
        inside = self.plot.sceneBoundingRect().contains(position) and self.plot.isVisible()
        for widget in (*self.lines, self.readout):
            widget.setVisible(inside)
        if inside:
            point = self.plot.getViewBox().mapSceneToView(position)
            self.point_at(point.x(), point.y())

    def point_at(self, x: float, y: float) -> str:
        """Move the cross to view coordinates (``x``, ``y``) and describe them (tests call this directly)."""
        self.lines[0].setPos(x)
        self.lines[1].setPos(y)
        for widget in (*self.lines, self.readout):
            widget.show()
        log_x, log_y = (self.plot.getAxis(side).logMode for side in ("bottom", "left"))
        text = f"x {_value(x, log_x)}, y {_value(y, log_y)}"
        nearest = self.nearest(x, y)
        if nearest:
            text += f"  ·  {nearest[0]}: {_value(nearest[1], log_y)} at {_value(nearest[2], log_x)}"
        self.readout.setText(text)
        self.readout.adjustSize()
        return text

    def nearest(self, x: float, y: float) -> tuple[str, float, float] | None:
        """The named, visible curve whose point nearest in x to the cursor is closest in y to it."""
        best = None
        for item in self.plot.listDataItems():
            name, (xs, ys) = item.name(), item.getData()
            if not name or not item.isVisible() or xs is None or not len(xs):
                continue
            i = int(np.clip(np.searchsorted(xs, x), 1, len(xs) - 1)) if len(xs) > 1 else 0
            i = i - 1 if i and abs(xs[i - 1] - x) < abs(xs[i] - x) else i
            if np.isfinite(ys[i]) and (best is None or abs(ys[i] - y) < abs(best[1] - y)):
                best = (name, float(ys[i]), float(xs[i]))
        return best


def _value(v: float, log: bool) -> str:
    v = 10**v if log else v
    return f"{v:.4g}" if math.isfinite(v) else "–"


class PlotControls(QWidget):
    """Controls for one plot panel; ``changed`` after each.  ``smoothing``/``x_axis`` only where they apply."""

    changed = Signal()

    def __init__(self, panel: PlotPanel, prefix: str, smoothing: bool = True, x_axis: bool = True):
        super().__init__()
        self.panel, self.plot = panel, panel.plot
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 0, 4, 0)
        row.setSpacing(6)
        self.slider = self._slider(prefix) if smoothing else None
        if self.slider is not None:
            row.addWidget(QLabel("Smoothing"))
            row.addWidget(self.slider)
            self.smoothing_label = QLabel("0")
            self.smoothing_label.setMinimumWidth(30)
            row.addWidget(self.smoothing_label)
        self.x_choice = self._x_choice(prefix) if x_axis else None
        if self.x_choice is not None:
            row.addWidget(QLabel("x:"))
            row.addWidget(self.x_choice)
        self.log_x = self._check(row, prefix + "LogX", "log x", "Logarithmic x axis")
        self.log_y = self._check(row, prefix + "LogY", "log y", "Logarithmic y axis")
        self.log_y.setChecked(self.plot.getAxis("left").logMode)
        self.same_y = self._check(row, prefix + "SameY", "same y range", "Fix the y range to one that shows every "
                                  "compared curve whole, so zooming in x does not rescale y")  # fmt: skip
        reset = _small(QToolButton(text="Reset zoom"), prefix + "ResetZoom", "Show every curve again")
        reset.clicked.connect(self.reset_zoom)
        row.addWidget(reset)
        row.addStretch(1)
        # over the plot's top left corner, not in the row: shown while the mouse is over the plot
        self.readout = _small(QLabel(panel.plot_widget), prefix + "Readout", "The nearest curve's value")
        self.readout.setStyleSheet(f"color: {INK}; background: rgba(255, 255, 255, 220); padding: 1px 4px;")
        self.readout.move(READOUT_AT[0], READOUT_AT[1])
        self.readout.hide()
        self.crosshair = Crosshair(self.plot, self.readout)
        for box in (self.log_x, self.log_y):
            box.toggled.connect(self._log_changed)
        self.same_y.toggled.connect(self.apply_same_y)

    def _slider(self, prefix: str) -> QSlider:
        slider = _small(QSlider(Qt.Orientation.Horizontal), prefix + "Smoothing", "Exponential moving average, "
                        "debiased as in TensorBoard; the raw curve stays faint underneath")  # fmt: skip
        slider.setRange(0, 100)
        slider.setFixedWidth(110)
        slider.valueChanged.connect(self._smoothing_changed)
        return slider

    def _x_choice(self, prefix: str) -> QComboBox:
        box = _small(QComboBox(), prefix + "XAxis", "Plot against the meta-iteration or the training time")
        box.addItems(list(X_AXES))
        box.currentIndexChanged.connect(self._x_changed)
        return box

    def _check(self, row: QHBoxLayout, name: str, text: str, tip: str) -> QCheckBox:
        box = _small(QCheckBox(text), name, tip)
        row.addWidget(box)
        return box

    # ---- values --------------------------------------------------------------------

    @property
    def smoothing(self) -> float:
        return slider_weight(self.slider.value()) if self.slider is not None else 0.0

    @property
    def x_axis(self) -> str:
        return X_AXES[self.x_choice.currentText()] if self.x_choice is not None else "iteration"

    def _smoothing_changed(self) -> None:
        self.smoothing_label.setText(f"{self.smoothing:.2f}")
        self.changed.emit()

    def _x_changed(self) -> None:
        self.plot.setLabel("bottom", X_LABELS[self.x_axis])
        self.stop_following()
        self.changed.emit()
        self.reset_zoom()

    def stop_following(self) -> None:
        """The panel stops moving its x range along with the iterations, as after a manual zoom."""
        view = self.plot.getViewBox()
        view.sigRangeChangedManually.emit(view.state["mouseEnabled"])

    def _log_changed(self) -> None:
        self.plot.setLogMode(x=self.log_x.isChecked(), y=self.log_y.isChecked())
        self._label_log()
        self.changed.emit()
        # a range in the old scale means nothing in the new one
        self.panel.scale_changed(self.log_x.isChecked(), follow=self.x_axis == "iteration")
        self.reset_zoom()

    def _label_log(self) -> None:
        axis = self.plot.getAxis("left")
        text = axis.labelText.replace(", log scale", "").replace(" (log scale)", "")
        if self.log_y.isChecked() and text.endswith(")"):
            text = text[:-1] + ", log scale)"
        self.plot.setLabel("left", text)

    # ---- ranges ----------------------------------------------------------------------

    def reset_zoom(self) -> None:
        """Every curve whole: curves clipped to the zoomed view, or downsampled for the range before (switched to
        log x, a 300-point curve started at iteration 5), would report only part of their data."""
        self.plot.setClipToView(False)
        self.plot.setDownsampling(auto=False)
        self.plot.enableAutoRange()
        self.plot.autoRange()
        self.plot.setDownsampling(auto=True, mode="peak")
        self.plot.setClipToView(True)
        self.apply_same_y()

    def apply_same_y(self) -> None:
        """With "same y range": one range showing every named curve whole (else the plot's own auto range)."""
        if not self.same_y.isChecked():
            self.plot.enableAutoRange(axis="y")
            return
        curves = [
            item.getOriginalDataset()[1] for item in self.plot.listDataItems() if item.name() and item.isVisible()
        ]
        low, high = shared_range([c for c in curves if c is not None], log=self.log_y.isChecked())
        if self.log_y.isChecked():
            low, high = math.log10(low), math.log10(high)
        self.plot.setYRange(low, high, padding=0)
