"""Closing the window while runs train: stop them (finish and save), leave them running, or stay."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtWidgets import QMessageBox, QWidget


class CloseChoice(StrEnum):
    STOP = "stop"  # finish with a last evaluation and save, then close
    LEAVE_RUNNING = "leave running"  # close; the runs go on in their folders and a later window follows them
    CANCEL = "cancel"


def ask_close(parent: QWidget, count: int) -> CloseChoice:
    """The dialog (``MainWindow.ask_close`` calls it; tests replace that)."""
    runs = "a run" if count == 1 else f"{count} runs"
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Training is running",
        f"The window is training {runs}.\n\nStop and save: each run finishes with a last evaluation, "
        "everything kept in its run folder.\nLeave running: training goes on without the window; "
        "opening the studio again follows it.",
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setObjectName("closeDialog")
    stop = box.addButton("Stop and save", QMessageBox.ButtonRole.AcceptRole)
    leave = box.addButton("Leave running", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(stop)
    box.exec()
    clicked = box.clickedButton()
    return (
        CloseChoice.STOP if clicked is stop else CloseChoice.LEAVE_RUNNING if clicked is leave else CloseChoice.CANCEL
    )
