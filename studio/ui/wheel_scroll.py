"""The mouse wheel over a plot inside a scrolling form scrolls the form; with Ctrl held it zooms the plot.

Without this, a plot in the form catches every wheel turn that passes over it
and zooms, and the form stops scrolling under the pointer.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget


class WheelScrollsForm(QObject):
    """Installed on ``views`` (their viewports), sends plain wheel turns to ``form``'s vertical scroll bar."""

    def __init__(self, form: QAbstractScrollArea, views: list[QAbstractScrollArea]):
        super().__init__(form)
        self.form = form
        self.viewports: list[QWidget] = []
        for view in views:
            self.watch(view)

    def watch(self, view: QAbstractScrollArea) -> None:
        """Also ``view``: a plot added to the form later."""
        self.viewports.append(view.viewport())
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        wheel = event.type() == QEvent.Type.Wheel and watched in self.viewports
        if wheel and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            QApplication.sendEvent(self.form.verticalScrollBar(), event)
            return True
        return False
