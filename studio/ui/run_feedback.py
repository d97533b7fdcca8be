"""What the run tells the user besides its plots: notices about its data, skipped batches, divergence.

Notices (skipped files, left-out classes, memory used) go to the status bar
and to a log panel; a run that diverged says why in the status bar and in a
non-blocking message box, and its loss plot marks where.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox, QPlainTextEdit, QWidget

from studio.views.run_data import RunData

STATUS_MS = 15_000


class RunLog(QPlainTextEdit):
    """The run's notices and faults, one per line (read-only, selectable for a bug report)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("runLog")
        self.setReadOnly(True)
        self.setPlaceholderText("Notices about the run's data (skipped files, left-out classes, memory) appear here.")
        self.setMaximumBlockCount(2000)

    def lines(self) -> list[str]:
        text = self.toPlainText()
        return text.splitlines() if text else []


class RunFeedback:
    """Feeds the status bar, the log and the divergence message from the run's records."""

    def __init__(self, window: QMainWindow, log: RunLog):
        self.window = window
        self.log = log
        self.shown_notices = 0
        self.last_message: QMessageBox | None = None

    def refresh(self, data: RunData) -> None:
        """Log the notices that arrived since the last call; the newest also goes to the status bar."""
        fresh = data.notices[self.shown_notices :]
        self.shown_notices = len(data.notices)
        for notice in fresh:
            self.log.appendPlainText(notice)
        if fresh:
            self.window.statusBar().showMessage(fresh[-1], STATUS_MS)

    def finished(self, data: RunData) -> None:
        """Say how the run ended when it was not simply completed or stopped."""
        finished = data.finished
        if finished is None:
            return
        if finished.skipped_batches:
            self._say(f"{finished.skipped_batches} meta-batch(es) skipped: their loss or gradient was not finite")
        if finished.reason == "diverged":
            self._say(f"Training diverged: {finished.message}")
            self.last_message = self._message_box("Training diverged", finished.message)

    def _say(self, text: str) -> None:
        self.log.appendPlainText(text)
        self.window.statusBar().showMessage(text, STATUS_MS)

    def _message_box(self, title: str, text: str) -> QMessageBox:
        """Non-blocking: the plots stay usable behind it, and the last finite model is kept."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("divergedDialog")
        box.setInformativeText("The run stopped at the last finite step; its model and metrics are kept.")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setWindowModality(Qt.WindowModality.NonModal)  # the plots behind it stay usable: zoom to the blow-up
        box.show()
        return box

    def clear(self) -> None:
        self.log.clear()
        self.shown_notices = 0
