"""The desktop window (PySide6, pyqtgraph, superqt): all the Qt code of the studio lives here.

``studio.ui.MainWindow`` is imported lazily so that ``studio.ui.launch`` can
say "no display" before any Qt module is loaded.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MainWindow"]


def __getattr__(name: str) -> Any:
    if name == "MainWindow":
        from studio.ui.main_window import MainWindow

        return MainWindow
    raise AttributeError(f"module 'studio.ui' has no attribute {name!r}")
