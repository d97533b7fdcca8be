"""Where the window's parts go: the experiment panel on the left, the live plots as docks on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QSplitter, QWidget

LEFT_WIDTH, RIGHT_WIDTH = 430, 970


def dock(area: QMainWindow, title: str, panel: QWidget) -> QDockWidget:
    """A movable, floatable (not closable: exports need the plot laid out) dock holding ``panel``."""
    widget = QDockWidget(title, area)
    widget.setObjectName(f"{title.lower().replace(' ', '_')}Dock")
    widget.setWidget(panel)
    features = QDockWidget.DockWidgetFeature
    widget.setFeatures(features.DockWidgetMovable | features.DockWidgetFloatable)
    return widget


def plot_area(
    top: tuple[str, QWidget], bottom_left: tuple[str, QWidget], bottom_right: tuple[str, QWidget]
) -> QMainWindow:
    """An inner main window whose docks the user can drag around: one wide plot above two."""
    area = QMainWindow()
    area.setDockNestingEnabled(True)
    docks = [dock(area, title, panel) for title, panel in (top, bottom_left, bottom_right)]
    area.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, docks[0])
    area.splitDockWidget(docks[0], docks[1], Qt.Orientation.Vertical)
    area.splitDockWidget(docks[1], docks[2], Qt.Orientation.Horizontal)
    return area


def side_by_side(left: QWidget, right: QWidget) -> QSplitter:
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.addWidget(left)
    splitter.addWidget(right)
    splitter.setStretchFactor(0, 0)  # a smaller window takes its width from the plots, not from the form
    splitter.setStretchFactor(1, 1)
    splitter.setCollapsible(0, False)
    splitter.setSizes([LEFT_WIDTH, RIGHT_WIDTH])
    return splitter
