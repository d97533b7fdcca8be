"""The Sweep menu of the main window; the Sweep window (and Optuna, which it imports) loads when it is opened."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMenuBar

if TYPE_CHECKING:
    from studio.ui.sweep_window import SweepWindow


def add_sweep_menu(
    menu_bar: QMenuBar,
    data: Callable[[], Mapping[str, Any]],
    apply: Callable[[str, Any], None],
    runs_dir: Callable[[], Path],
) -> list[SweepWindow]:
    """Sweep > New sweep of this experiment: a Sweep window on the form's settings as they are now.
    Returns the list of the Sweep windows opened (the caller keeps it: they live beside the main window)."""
    menu = menu_bar.addMenu("S&weep")
    opened: list[SweepWindow] = []

    def open_window() -> None:
        from studio.ui.sweep_window import SweepWindow  # Optuna: a fifth of a second not spent at start-up

        sweep_window = SweepWindow(data(), apply, runs_dir())
        opened.append(sweep_window)  # kept alive beside the main window
        sweep_window.show()

    action = menu.addAction("New sweep of this experiment…", open_window)
    action.setObjectName("newSweepAction")
    return opened
