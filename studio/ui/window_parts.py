"""The narrow views of the window that its helpers (the Export menu, the run library) are built with.

Each helper gets the few things it uses, getters and callbacks, not the window itself: a renamed
window attribute then breaks where the window builds its helpers (at construction, in every test
that opens a window), not in a menu action at run time; and a helper can be built without a window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QWidget

from studio.ui.toolbar import RunState
from studio.ui.worker import RunSession
from studio.views.run_data import RunData


@dataclass(frozen=True)
class Messages:
    """How a helper speaks to the user: the parent of its dialogs, an error box, the status bar."""

    parent: QWidget
    error: Callable[[str, str], object]  # title, message: a non-blocking error dialog
    status: Callable[[str, int], None]  # text, milliseconds on the status bar


@dataclass(frozen=True)
class OnScreen:
    """The run on screen, read when used: the window replaces its data and session with every run."""

    data: Callable[[], RunData]
    session: Callable[[], RunSession | None]
    state: Callable[[], RunState]
    catch_up: Callable[[], None]  # take in the records that arrived since the last redraw

    def live_dir(self) -> Path | None:
        """The folder of the run training now (drawn live, so not overlaid from disk)."""
        session = self.session()
        return session.run_dir if session is not None and session.active else None

    def run_dir(self) -> Path | None:
        """The folder the run on screen records into, if it exists (running or not)."""
        session = self.session()
        folder = session.run_dir if session is not None else None
        return folder if folder is not None and folder.is_dir() else None
