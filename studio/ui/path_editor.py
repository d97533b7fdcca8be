"""A file or folder field: the path as text, and a button that opens a chooser.

Whether a field wants a folder or a file is read from its label ("Image
folder", "CSV file"), so no field is known here by name.  What the chosen
data holds (classes and images per split, groups) is checked by the task
preview off the UI thread and shown under the field.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QToolButton, QWidget

from studio.config import Spec


def wants_folder(spec: Spec) -> bool:
    return "folder" in spec.label.lower() or "directory" in spec.label.lower()


def looks_like_path(spec: Spec, kind: Any) -> bool:
    """A text field that names a file or folder: marked ``is_path``, or labelled as one."""
    if kind is not str:
        return False
    label = spec.label.lower()
    return spec.is_path or label.endswith(" folder") or label.endswith(" file")


def _file_filter(spec: Spec) -> str:
    return "CSV files (*.csv *.tsv *.txt);;All files (*)" if "csv" in spec.label.lower() else "All files (*)"


class PathEditor(QWidget):
    """``edit`` (the path as text, sent on every change) and ``browse`` (a chooser, sent at once)."""

    # the dialogs, as class attributes so a test can answer them: (parent, caption, start) -> chosen path or ""
    choose_folder: Callable[..., str] = staticmethod(
        lambda parent, caption, start: QFileDialog.getExistingDirectory(parent, caption, start)
    )
    choose_file: Callable[..., str] = staticmethod(
        lambda parent, caption, start, filters: QFileDialog.getOpenFileName(parent, caption, start, filters)[0]
    )

    def __init__(self, spec: Spec, value: str, emit: Callable[[Any], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.edit = QLineEdit(str(value))
        self.edit.setPlaceholderText("choose a folder…" if wants_folder(spec) else "choose a file…")
        self.edit.setCursorPosition(0)
        self.edit.textChanged.connect(emit)
        self.browse = QToolButton(text="…")
        self.browse.setObjectName("browseButton")
        self.browse.setToolTip(f"Choose the {spec.label.lower()}")
        self.browse.clicked.connect(self.choose)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.edit, 1)
        row.addWidget(self.browse)

    def choose(self) -> None:
        """Open the chooser where the current path is; a choice replaces the text (and is validated at once)."""
        current = Path(self.edit.text()).expanduser() if self.edit.text() else Path.home()
        start = str(current if current.is_dir() else current.parent)
        if wants_folder(self.spec):
            chosen = PathEditor.choose_folder(self, self.spec.label, start)
        else:
            chosen = PathEditor.choose_file(self, self.spec.label, start, _file_filter(self.spec))
        if chosen:
            self.edit.setText(str(chosen))

    def text(self) -> str:
        return self.edit.text()
