"""Work that the window's first frame need not wait for: started once a widget has been painted.

The window opens when everything built before ``show()`` is built; what can come a moment later (torch, reading
the runs folder) is started from the event loop right after the first paint, so it neither delays the frame nor
the first key press much (issue #11: shown and answering within 1.5 s).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


def after_first_paint(widget: QWidget, callback: Callable[[], object]) -> None:
    """``callback()`` once ``widget`` has been painted (after that frame is drawn); never if it is destroyed first.
    A widget shown minimised calls back when it is first drawn."""
    _FirstPaint(widget, callback)


class _FirstPaint(QObject):
    def __init__(self, widget: QWidget, callback: Callable[[], object]):
        super().__init__(widget)  # lives as long as the widget
        self.callback = callback
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self, self.callback)  # after this paint has been drawn
        return False
