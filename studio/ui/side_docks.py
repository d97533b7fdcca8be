"""More docks as tabs beside the Runs dock at the bottom: panels useful at a glance that need less room.

Beside the loss plot they made the plot area too wide for a 1280-pixel screen
(the form was cut off); below, as tabs, they take no room from the live plots.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from studio.ui.layout import dock

# the bottom tabs may shrink to this (their tables and plots scroll or scale), so the window fits a 720-pixel screen
BOTTOM_MIN_HEIGHT = 90


def add_tabs_beside(window: QMainWindow, anchor: QDockWidget, *panels: tuple[str, QWidget]) -> list[QDockWidget]:
    """Put ``panels`` as tabs after the dock ``anchor``, which stays the tab shown."""
    docks = [dock(window, title, panel) for title, panel in panels]
    for other in docks:
        window.tabifyDockWidget(anchor, other)
    for tab in (anchor, *docks):
        tab.widget().setMinimumHeight(BOTTOM_MIN_HEIGHT)
    anchor.raise_()
    return docks
