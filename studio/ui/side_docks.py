"""More docks beside the loss plot: panels that are useful at a glance but need less room."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from studio.ui.layout import dock

LOSS_SHARE = 0.62  # of the top row's width; the tabbed side docks get the rest


def add_side_docks(area: QMainWindow, beside: str, *panels: tuple[str, QWidget]) -> list[QDockWidget]:
    """Put ``panels`` as tabs to the right of the dock titled ``beside``; the first tab is shown."""
    anchor = area.findChild(QDockWidget, f"{beside.lower().replace(' ', '_')}Dock")
    docks = [dock(area, title, panel) for title, panel in panels]
    if anchor is None or not docks:
        return docks
    area.splitDockWidget(anchor, docks[0], Qt.Orientation.Horizontal)
    for other in docks[1:]:
        area.tabifyDockWidget(docks[0], other)
    docks[0].raise_()
    width = max(area.width(), 900)
    area.resizeDocks([anchor, docks[0]], [int(width * LOSS_SHARE), int(width * (1 - LOSS_SHARE))], Qt.Horizontal)
    return docks
