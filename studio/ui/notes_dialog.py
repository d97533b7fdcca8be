"""A run's note and tags, edited from the runs panel (stored in its ``notes.json``, as ``studio runs --note``)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QPlainTextEdit, QWidget

from studio.export.annotations import Annotations


class NotesDialog(QDialog):
    """Tags (``#baseline #lr-sweep`` or plain words) and a note; ``annotations()`` is what was typed."""

    def __init__(self, run_name: str, current: Annotations, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Notes: {run_name}")
        self.tags = QLineEdit(" ".join(f"#{tag}" for tag in current.tags), placeholderText="#baseline #tuned")
        self.tags.setObjectName("runTags")
        self.note = QPlainTextEdit(current.note)
        self.note.setObjectName("runNote")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Tags", self.tags)
        form.addRow("Note", self.note)
        form.addRow(buttons)
        self.resize(460, 260)

    def annotations(self) -> Annotations:
        tags = tuple(word.lstrip("#") for word in self.tags.text().split() if word.lstrip("#"))
        return Annotations(self.note.toPlainText().strip(), tags)


def ask_notes(parent: QWidget, run_name: str, current: Annotations) -> Annotations | None:
    """What the user typed, or None when they cancelled."""
    dialog = NotesDialog(run_name, current, parent)
    return dialog.annotations() if dialog.exec() == QDialog.DialogCode.Accepted else None
