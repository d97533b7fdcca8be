"""Start, Pause/Resume, Step, Stop, Clear plots: which are enabled follows the run's state."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStyle, QToolBar, QWidget


class RunState(StrEnum):
    """Where the run on screen stands; the toolbar enables what makes sense in each."""

    IDLE = "idle"  # no run on screen
    RUNNING = "running"
    PAUSED = "paused"
    STOPPING = "stopping"  # asked to stop: its last evaluation and saving are under way
    FINISHED = "finished"  # ended (completed, stopped, diverged, failed or died); its plots stay


IDLE, RUNNING, PAUSED, STOPPING, FINISHED = RunState
PAUSE_TIP = "Pause between meta-iterations (F6)"
RESUME_TIP = "Resume training (F6)"


class RunToolBar(QToolBar):
    def __init__(self, parent: QWidget | None = None):
        super().__init__("Run", parent)
        self.setObjectName("runToolBar")
        self.setMovable(False)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        icon = QStyle.StandardPixmap
        self.start = self._action("Start", icon.SP_MediaPlay, "startButton", "F5")
        self.pause = self._action("Pause", icon.SP_MediaPause, "pauseButton", "F6", PAUSE_TIP)
        self.step = self._action(
            "Step", icon.SP_MediaSkipForward, "stepButton", "F10", "Run exactly one meta-iteration"
        )
        self.stop = self._action("Stop", icon.SP_MediaStop, "stopButton", "Shift+F5", "Stop; keep everything so far")
        self.reset = self._action(
            "Clear plots",
            icon.SP_BrowserReload,
            "resetButton",
            "Ctrl+Shift+R",
            "Clear the plots (stopping a run first); the settings stay as they are",
        )
        self._keep_width(self.pause, ("Pause", "Resume"))

    def _keep_width(self, action: QAction, texts: tuple[str, ...]) -> None:
        """As wide as the widest of ``texts``, so the buttons after it do not shift when its text changes."""
        button = self.widgetForAction(action)
        widths = []
        for text in texts:
            action.setText(text)
            widths.append(button.sizeHint().width())
        action.setText(texts[0])
        button.setMinimumWidth(max(widths))

    def _action(self, text: str, icon: QStyle.StandardPixmap, name: str, key: str, tip: str = "") -> QAction:
        action = QAction(self.style().standardIcon(icon), text, self)
        action.setShortcut(QKeySequence(key))
        action.setToolTip(tip)
        self.addAction(action)
        self.widgetForAction(action).setObjectName(name)
        return action

    def apply(self, state: RunState, problems: str, beside: bool = False, series: bool = False) -> None:
        """Enable what makes sense in ``state``; ``problems`` (if any) block starting and say why.  ``beside``:
        a slot is free for another run while this one trains; ``series``: seeds are training (Stop stops them)."""
        can_begin = state in (IDLE, FINISHED) and not problems
        self.start.setEnabled(can_begin or (beside and state in (RUNNING, PAUSED) and not problems))
        self.start.setToolTip(f"Fix the settings first:\n{problems}" if problems else "Train with these settings (F5)")
        self.pause.setEnabled(state in (RUNNING, PAUSED))
        self.pause.setText("Resume" if state == PAUSED else "Pause")
        self.pause.setToolTip(RESUME_TIP if state == PAUSED else PAUSE_TIP)
        self.step.setEnabled(state == PAUSED or can_begin)
        self.stop.setEnabled(state in (RUNNING, PAUSED) or series)
        self.reset.setEnabled(state != STOPPING)
