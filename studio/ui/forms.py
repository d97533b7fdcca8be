"""Forms for preset sections, built from the settings classes and their field metadata.

Nothing here knows a family, model or algorithm by name: a section's fields
come from the class its current choice selects (``section_class``), and the
choice itself is a combo box of the registry's names, so a newly registered
algorithm shows up with its own hyperparameters.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from studio.config import SECTIONS, Preset, Spec, public_fields, section_class, spec_of
from studio.ui.editors import device_editor, make_editor, object_name

ERROR_COLOR = "#c62828"


@dataclass(frozen=True)
class FieldEntry:
    """One row of a form: where the value lives, how to edit it, what it is now."""

    path: str
    spec: Spec
    kind: Any
    value: Any
    choices: tuple[str, ...] | None = None


def section_entries(section: str, table: Mapping[str, Any], skip: Iterable[str] = ()) -> list[FieldEntry]:
    """Rows for a section's fields, in declaration order; missing values show the class default."""
    cls = section_class(section, table)
    hints = typing.get_type_hints(cls)
    defaults = cls()
    key = SECTIONS[section].key if section in SECTIONS else None
    entries = []
    for field in public_fields(cls):
        if field.name in skip:
            continue
        choices = tuple(SECTIONS[section].names()) if field.name == key else None
        value = table.get(field.name, getattr(defaults, field.name))
        entries.append(FieldEntry(f"{section}.{field.name}", spec_of(field), hints[field.name], value, choices))
    return entries


def scalar_entries(data: Mapping[str, Any], names: Iterable[str]) -> list[FieldEntry]:
    """Rows for top-level preset values such as ``name`` or ``seed``."""
    fields = {f.name: f for f in dataclasses.fields(Preset)}
    hints = typing.get_type_hints(Preset)
    defaults = Preset()
    return [
        FieldEntry(name, spec_of(fields[name]), hints[name], data.get(name, getattr(defaults, name))) for name in names
    ]


def plain_defaults(section: str, table: Mapping[str, Any]) -> dict[str, Any]:
    """The default values of a section's current choice, as TOML-like data (tuples as lists)."""
    defaults = dataclasses.asdict(section_class(section, table)())
    return {k: list(v) if isinstance(v, tuple) else v for k, v in defaults.items()}


def field_path(error_path: str) -> str:
    """``model.hidden[0]`` is shown on the ``model.hidden`` row."""
    return re.sub(r"\[\d+\]$", "", error_path)


class FieldRow:
    """A label, a control and a line for its error, with the field's help as tooltip."""

    def __init__(self, entry: FieldEntry, editor: QWidget):
        self.path = entry.path
        self.help = entry.spec.help
        self.label = QLabel(entry.spec.label)
        self.editor = editor
        self.editor.setObjectName(object_name(entry.path))
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet(f"color: {ERROR_COLOR}; font-size: 8pt;")
        self.error.hide()
        self.box = QWidget()
        column = QVBoxLayout(self.box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addWidget(editor)
        column.addWidget(self.error)
        self.mark(None)

    def mark(self, message: str | None) -> None:
        """Show ``message`` (the CLI's wording) under the control, or clear it."""
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        self.label.setStyleSheet(f"color: {ERROR_COLOR};" if message else "")
        self.editor.setProperty("invalid", bool(message))
        self.editor.style().polish(self.editor)
        tip = f"{self.help}\n\n{self.path} {message}" if message else f"{self.help}\n[{self.path}]"
        for widget in (self.label, self.editor):
            widget.setToolTip(tip)


class SectionForm(QWidget):
    """Rows for a list of entries; ``on_change(path, value)`` hears every edit."""

    def __init__(self, on_change: Callable[[str, Any], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.on_change = on_change
        self.rows: dict[str, FieldRow] = {}
        self.form = QFormLayout(self)
        self.form.setContentsMargins(4, 2, 4, 2)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

    def build(self, entries: Iterable[FieldEntry]) -> None:
        """Replace every row (old controls are deleted later, so a combo may rebuild its own form)."""
        for row in self.rows.values():
            row.editor.setObjectName("")  # until deleted, it must not answer to the new control's name
        while self.form.rowCount():
            taken = self.form.takeRow(0)
            for item in (taken.labelItem, taken.fieldItem):
                if item is not None and item.widget() is not None:
                    item.widget().hide()
                    item.widget().deleteLater()
        self.rows = {}
        for entry in entries:
            row = FieldRow(entry, self._editor(entry))
            self.rows[entry.path] = row
            self.form.addRow(row.label, row.box)

    def _editor(self, entry: FieldEntry) -> QWidget:
        def emit(value: Any, path: str = entry.path) -> None:
            self.on_change(path, value)

        if entry.path == "training.device":
            return device_editor(str(entry.value), emit)
        return make_editor(entry.kind, entry.spec, entry.value, emit, entry.choices)
