"""PySide6-Essentials 6.12.0 drops a reference to None on every void Qt call, and the interpreter
aborts (none_dealloc) after a few thousand; the project pins <6.12.  This guards the pin.

The curve gets a QPen, as every curve of the window does: with a colour given as a tuple,
pyqtgraph calls ``np.issubdtype(tuple, ...)``, which in numpy 2.4 keeps one extra (harmless,
never released) reference to None per call and would hide what this test looks for.
"""

import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QSpinBox

TOLERANCE = 100


def none_drift(action, times: int) -> int:
    action()  # first call may create caches
    before = sys.getrefcount(None)
    for _ in range(times):
        action()
    return sys.getrefcount(None) - before


def test_void_qt_calls_keep_none_refcount(qtbot):
    spin = QSpinBox()
    qtbot.addWidget(spin)
    spin.setRange(0, 10_000)
    values = iter(range(10_000))
    assert abs(none_drift(lambda: spin.setValue(next(values)), 1000)) < TOLERANCE


def test_pyqtgraph_set_data_keeps_none_refcount(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    curve = widget.plot(pen=pg.mkPen("#1f77b4"))
    x = np.arange(500, dtype=float)
    assert abs(none_drift(lambda: curve.setData(x, np.sin(x)), 200)) < TOLERANCE
