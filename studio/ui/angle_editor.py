"""The control of an angle range (a field declared ``angle=True``): two boxes that read and write multiples
of π (``0``, ``π/2``, ``2π``; :mod:`studio.views.angles`) around a two-handled slider that lands on them.

A value typed or stepped to 2π is stored as ``2 * math.pi`` exactly, not as the 6.28 a decimal box shows.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QWidget
from superqt import QDoubleRangeSlider

from studio.config import Spec
from studio.ui.number_entry import Emit, NumberEntry
from studio.views.angles import angle_text, parse_angle, snap_angle

STEPS_PER_HALF_TURN = 12  # arrows and the slider move by π/12 (15°)
TURN = 2 * math.pi
LIMIT = 1e4  # what a box holds; the field's own bounds are checked by validation, which marks the field


class AngleSpinBox(NumberEntry, QDoubleSpinBox):
    """Radians shown and typed as multiples of π (``3π/4``, ``2pi``, ``90°`` or plain radians)."""

    def __init__(self, value: float, limits: tuple[float | None, float | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.setDecimals(17)  # Qt rounds a value to this many decimals: 17 leaves every double as it is
        self.setRange(-LIMIT, LIMIT)
        self.setSingleStep(math.pi / STEPS_PER_HALF_TURN)
        self.limits = limits
        self.setValue(value)

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt override)
        return angle_text(value)

    def parse(self, text: str) -> float | None:
        return parse_angle(text)

    def stepBy(self, steps: int) -> None:  # noqa: N802 (Qt override)
        """Land on multiples of π/12, computed afresh (24 added steps of π/12 would miss 2π by a rounding)."""
        value = snap_angle(self.value() + steps * self.singleStep(), STEPS_PER_HALF_TURN)
        low, high = self.limits
        value = value if low is None else max(value, low)
        self.setValue(value if high is None else min(value, high))


class AngleRange(QWidget):
    """``[low, high]`` in radians; edits go to ``emit`` as typed (text that is not an angle, as typed)."""

    def __init__(self, spec: Spec, value: Any, emit: Emit, parent: QWidget | None = None):
        super().__init__(parent)
        low, high = (float(v) for v in value)
        self.values: list[Any] = [low, high]
        self.emit = emit
        limits = (spec.minimum, spec.maximum)
        self.boxes = (AngleSpinBox(low, limits), AngleSpinBox(high, limits))
        self.slider = QDoubleRangeSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(*angle_track(spec, low, high))
        self.slider.setValue((low, high))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget, name in ((self.boxes[0], "angleLow"), (self.slider, "angleSlider"), (self.boxes[1], "angleHigh")):
            widget.setObjectName(name)
            row.addWidget(widget, stretch=int(widget is self.slider))
        for index, box in enumerate(self.boxes):
            box.report_edits(lambda edited, i=index: self._edited(i, edited))
        self.slider.valueChanged.connect(self._dragged)

    def value(self) -> tuple[Any, Any]:
        return self.values[0], self.values[1]

    def _edited(self, index: int, value: Any) -> None:
        self.values[index] = value
        numbers = [v for v in self.values if isinstance(v, float | int)]
        if len(numbers) == 2:
            with QSignalBlocker(self.slider):  # the handles follow; the typed value stays as typed
                low, high = self.slider.minimum(), self.slider.maximum()
                self.slider.setRange(min(low, *numbers), max(high, *numbers))
                self.slider.setValue(tuple(numbers))
        self.emit(list(self.values))

    def _dragged(self, pair: tuple[float, float]) -> None:
        for box, value in zip(self.boxes, pair, strict=True):
            snapped = snap_angle(value, STEPS_PER_HALF_TURN)
            if snapped != box.value():
                box.setValue(snapped)  # which reports it through _edited


def angle_track(spec: Spec, low: float, high: float) -> tuple[float, float]:
    """Whole turns around the values (0 to 2π for a phase in [0, π]), within the field's bounds."""
    start = math.floor(low / TURN) * TURN
    end = max(math.ceil(high / TURN) * TURN, start + TURN)
    if spec.minimum is not None:
        start = max(start, spec.minimum)
    if spec.maximum is not None:
        end = min(end, spec.maximum)
    return start, end
