"""Adapt and export: adapt a run's model to one task and write it as ONNX, torch.export or TorchScript.

The task comes from what :func:`studio.export.deploy.task_sources` offers for
the run: a held-out task, a group of the run's CSV, or a folder of new classes.
Problems (a missing ``onnx`` package, a bad folder) are shown in the dialog.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from studio.config import ConfigError

FORMATS = {
    "TorchScript (.pt, legacy)": ("torchscript", ".pt"),
    "ONNX (.onnx)": ("onnx", ".onnx"),
    "torch.export (.pt2)": ("export", ".pt2"),
}
HELDOUT, CSV_GROUP, IMAGE_FOLDER = "a held-out task", "a group of the CSV", "a folder of new classes"
ERROR, DONE = "#c62828", "#2e7d32"
MIN_WIDTH = 600


class AdaptExportDialog(QDialog):
    """``AdaptExportDialog(run_dir)``; :meth:`export` writes the file (the Export button calls it)."""

    def __init__(self, run_dir: str | Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("adaptExportDialog")
        self.setWindowTitle("Adapt and export")
        self.setMinimumWidth(MIN_WIDTH)
        self.run_dir = Path(run_dir)
        from studio.export.deploy import task_sources  # torch: imported when the dialog opens, not at start-up

        self.sources = task_sources(self.run_dir)  # ConfigError: the caller says why it cannot open
        self.form = QFormLayout(self)
        self.form.addRow(QLabel(f"Run: {self.run_dir}"))
        self._source_rows()
        self._output_rows()
        self.message = QLabel(wordWrap=True)
        self.message.setObjectName("adaptExportMessage")
        self.form.addRow(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = buttons.addButton("Export", QDialogButtonBox.ButtonRole.ApplyRole)
        self.export_button.clicked.connect(self.export)
        buttons.rejected.connect(self.reject)
        self.form.addRow(buttons)
        self._source_changed()

    def _source_rows(self) -> None:
        self.source = QComboBox()
        self.source.addItem(HELDOUT)
        if self.sources.get("csv_groups"):
            self.source.addItem(CSV_GROUP)
        if self.sources.get("image_folder_classes"):
            self.source.addItem(IMAGE_FOLDER)
        self.source.currentTextChanged.connect(self._source_changed)
        self.task = QSpinBox(maximum=9999, toolTip="Which held-out task (the run's held-out tasks are seeded)")
        self.group = QComboBox()
        self.group.addItems([str(g) for g in self.sources.get("csv_groups") or []])
        classes = self.sources.get("image_folder_classes")
        self.folder = QLineEdit(placeholderText=folder_hint(classes, bool(self.sources.get("any_classes"))))
        self.steps = QSpinBox(minimum=-1, maximum=10_000, value=-1, specialValueText="the run's")
        self.form.addRow("Adapt to", self.source)
        self.form.addRow("Held-out task", self.task)
        self.form.addRow("CSV group", self.group)
        self.form.addRow("Image folder", self._with_browse(self.folder, self._browse_folder))
        self.form.addRow("Inner steps", self.steps)
        self.form.setRowVisible(self.group, bool(self.sources.get("csv_groups")))  # only what this run offers
        self.form.setRowVisible(self.folder.parentWidget(), bool(classes))

    def _output_rows(self) -> None:
        self.format = QComboBox()
        self.format.addItems(list(FORMATS))
        self.format.currentTextChanged.connect(self._format_changed)
        self.output = QLineEdit(str(self.run_dir / "adapted.pt"))
        self.form.addRow("Format", self.format)
        self.form.addRow("Write to", self._with_browse(self.output, self._browse_output))

    @staticmethod
    def _with_browse(edit: QLineEdit, slot) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit, 1)
        button = QPushButton("Browse…")
        button.clicked.connect(slot)
        layout.addWidget(button)
        return row

    def _source_changed(self) -> None:
        chosen = self.source.currentText()
        for widget, source in ((self.task, HELDOUT), (self.group, CSV_GROUP), (self.folder, IMAGE_FOLDER)):
            widget.setEnabled(chosen == source)

    def _format_changed(self) -> None:
        suffix = FORMATS[self.format.currentText()][1]
        self.output.setText(str(Path(self.output.text() or "adapted").with_suffix(suffix)))

    def _browse_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of new classes")
        if folder:
            self.folder.setText(folder)

    def _browse_output(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Write the adapted model to", self.output.text())
        if path:
            self.output.setText(path)

    # ---- exporting ----------------------------------------------------------------------

    def task_choice(self) -> dict:
        """The ``task`` keywords of :func:`adapt_and_export` the dialog's fields say."""
        chosen = self.source.currentText()
        if chosen == CSV_GROUP:
            choice = {"csv_group": self.group.currentText()}
        elif chosen == IMAGE_FOLDER:
            choice = {"image_folder": self.folder.text().strip()}
        else:
            choice = {"task": self.task.value()}
        return choice if self.steps.value() < 0 else {**choice, "steps": self.steps.value()}

    def export(self) -> Path | None:
        """Adapt and write the file; the message says where, or what went wrong."""
        fmt = FORMATS[self.format.currentText()][0]
        if not self.output.text().strip():
            return self._say("Choose where to write the model.", ERROR)
        from studio.export.deploy import adapt_and_export

        try:
            path = adapt_and_export(self.run_dir, Path(self.output.text().strip()), fmt, **self.task_choice())
        except (ConfigError, OSError) as error:
            return self._say(str(error), ERROR)
        self._say(f"Wrote {path} (and {path.name}.json describing it).", DONE)
        return path

    def _say(self, text: str, colour: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {colour};")
        self.adjustSize()  # room for a long message
        return None


def folder_hint(classes: int | None, any_classes: bool) -> str:
    """The image folder field's placeholder: how many class subfolders the run's learner takes."""
    if not classes:
        return ""
    return (
        "a folder with any number of class subfolders" if any_classes else f"a folder with {classes} class subfolders"
    )
