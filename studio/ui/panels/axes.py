"""An axis whose tick labels never run into each other, however short the plot or the log range.

pyqtgraph labels every tick of its top level, so a short histogram axis
printed "40" over "20", and on a log axis spanning a decade or two it labels
every minor tick 2·10¹ … 9·10¹, which crowd at the top of each decade.  Here
the major spacing is widened (1, 2, 5, 10, …) until labels have room, and a
log axis labels only 1, 2 and 5 times a power of ten, or only the powers when
even those would touch.
"""

from __future__ import annotations

import math

import pyqtgraph as pg

LABEL_ROOM_PX = {"left": 22, "right": 22, "bottom": 56, "top": 56}  # label height or width, with a gap
LOG_LABELLED = (1, 2, 5)  # mantissas labelled on a log axis (the other minor ticks keep their marks)
STEPS = (1, 2, 5)


class ReadableAxis(pg.AxisItem):
    """A drop-in :class:`pyqtgraph.AxisItem` with room between its labels."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float):  # noqa: N802 (pyqtgraph override)
        levels = super().tickSpacing(minVal, maxVal, size)
        if not levels or size <= 0 or self.logMode:
            return levels
        major = roomy_spacing(levels[0][0], abs(maxVal - minVal) / size, LABEL_ROOM_PX[self.orientation])
        return [(major, 0), *[(s, o) for s, o in levels[1:] if s < major]] if major > levels[0][0] else levels

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph override)
        strings = super().logTickStrings(values, scale, spacing)
        if spacing is None:  # pyqtgraph's minor level: 1 to 9 in each decade; the powers are labelled above it
            keep = tuple(m for m in LOG_LABELLED if m != 1) if self._room_for_minor_labels() else ()
        else:
            keep = LOG_LABELLED
        return [text if mantissa(value) in keep else "" for value, text in zip(values, strings)]

    def _room_for_minor_labels(self) -> bool:
        """Whether labels at 1, 2 and 5 fit: the narrowest gap between them (1 to 2, 5 to 10) is log10(2) decade."""
        low, high = self.range
        length = self.geometry().height() if self.orientation in ("left", "right") else self.geometry().width()
        decades = abs(high - low)
        return decades > 0 and length * math.log10(2) / decades >= LABEL_ROOM_PX[self.orientation]


def roomy_spacing(spacing: float, units_per_px: float, room_px: float) -> float:
    """``spacing``, or the next of 1, 2, 5 × 10^k above it that puts labels ``room_px`` apart."""
    while spacing / units_per_px < room_px:
        power = 10 ** math.floor(math.log10(spacing) + 1e-9)
        spacing = next((s * power for s in (*STEPS, 10) if s * power > spacing * (1 + 1e-9)), 10 * power)
    return spacing


def mantissa(log_value: float) -> int:
    """The leading digit of ``10 ** log_value`` (2 for 0.02, 20, 200)."""
    return int(round(10 ** (log_value - math.floor(log_value + 1e-9)))) % 10 or 1


def readable_axes(*sides: str) -> dict[str, ReadableAxis]:
    """``axisItems`` for a plot: these sides drawn by :class:`ReadableAxis`."""
    return {side: ReadableAxis(side) for side in sides}
