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

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QPalette, QResizeEvent
from PySide6.QtWidgets import QFormLayout, QLabel, QSizePolicy, QWidget

from studio.config import SECTIONS, Preset, Spec, public_fields, section_class, spec_of
from studio.ui import engine_loader
from studio.ui.editors import device_editor, make_editor, object_name
from studio.views.choices import choice_descriptions
from studio.views.labels import choice_label

NOTE_COLOR = "#555555"
EditorFactory = Callable[["FieldEntry", Callable[[Any], None]], QWidget]

ERROR_COLOR = "#c62828"


@dataclass(frozen=True)
class FieldEntry:
    """One row of a form: where the value lives, how to edit it, what it is now."""

    path: str
    spec: Spec
    kind: Any
    value: Any
    choices: tuple[str, ...] | None = None
    descriptions: dict[str, str] | None = None  # a line about each choice (families, models, algorithms)
    labels: dict[str, str] | None = None  # what a user reads for each choice


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
        described = choice_descriptions(section, engine_loader.ENGINE.ready) if field.name == key else None
        labels = {name: choice_label(section, name) for name in choices} if choices else None
        value = table.get(field.name, getattr(defaults, field.name))
        path = f"{section}.{field.name}"
        entries.append(FieldEntry(path, spec_of(field), hints[field.name], value, choices, described, labels))
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


class WrappedLabel(QLabel):
    """A word-wrapped label that asks for the height its lines take at its width (a form's layout otherwise
    sizes it from a wider guess, and a long note or error is cut off)."""

    def __init__(self, text: str = ""):
        super().__init__(text, wordWrap=True)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt override)
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self.width() > 0:
            self.setMinimumHeight(self.heightForWidth(self.width()) if self.text() else 0)


def tint(label: QLabel, colour: str | None, small: bool = False) -> None:
    """The text in ``colour`` (``None``: the window's again), 8 pt if ``small``.  Set through the palette and font:
    a style sheet on each of a form's ~150 labels cost ~0.02 s CPU of the window's start-up."""
    palette = QPalette()  # no colour of its own: the parent's (Qt resolves only the roles set)
    if colour is not None:
        palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
    label.setPalette(palette)
    if small:
        font = label.font()
        font.setPointSize(8)
        label.setFont(font)


class FieldRow:
    """A label, a control, a note (what a choice is, what a data folder holds) and a line for its error,
    with the field's help as tooltip."""

    def __init__(self, entry: FieldEntry, editor: QWidget):
        self.path = entry.path
        self.spec = entry.spec
        self.help = entry.spec.help
        self.label = QLabel(entry.spec.label)
        self.editor = editor
        self.editor.setObjectName(object_name(entry.path))
        self.error = WrappedLabel()
        tint(self.error, ERROR_COLOR, small=True)
        self.error.hide()
        self.note = WrappedLabel()
        self.note.setObjectName(f"note:{entry.path}")
        tint(self.note, NOTE_COLOR, small=True)
        self._marked = False
        self.description = (entry.descriptions or {}).get(str(entry.value), "")  # what the choice is
        self.set_note(self.description)
        self.mark(None)

    def set_note(self, text: str) -> None:
        """A line under the control ('' hides it)."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def mark(self, message: str | None) -> None:
        """Show ``message`` (the CLI's wording) under the control, or clear it."""
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        if bool(message) != self._marked:
            self._marked = bool(message)
            tint(self.label, ERROR_COLOR if message else None)
        self.editor.setProperty("invalid", bool(message))
        self.editor.style().polish(self.editor)
        tip = f"{self.help}\n\n{self.path} {message}" if message else f"{self.help}\n[{self.path}]"
        for widget in (self.label, self.editor):
            widget.setToolTip(tip)


class SectionForm(QWidget):
    """Rows for a list of entries; ``on_change(path, value)`` hears every edit."""

    def __init__(
        self,
        on_change: Callable[[str, Any], None],
        editors: Mapping[str, EditorFactory] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.on_change = on_change
        self.editors = dict(editors or {})  # controls for fields that need more than their metadata gives
        self.rows: dict[str, FieldRow] = {}
        self.form = QFormLayout(self)
        self.form.setContentsMargins(4, 2, 4, 2)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # never squeezed below its hint: a wrapped note or error would overlap the next row
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        # never squeezed below the hint: a wrapped error or note must not overlap the next row
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """As tall as the rows need at the form's width: a collapsible section is sized by this hint."""
        hint = super().sizeHint()
        if self.width() > 0 and self.form.hasHeightForWidth():
            hint.setHeight(max(hint.height(), self.form.heightForWidth(self.width())))
        return hint

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
            self.form.addRow(row.label, row.editor)
            for line in (row.note, row.error):  # across both columns: wrapped lines need the width and height
                self.form.addRow(line)

    def _editor(self, entry: FieldEntry) -> QWidget:
        def emit(value: Any, path: str = entry.path) -> None:
            self.on_change(path, value)

        if entry.path in self.editors:
            return self.editors[entry.path](entry, emit)
        if entry.path == "training.device":
            return device_editor(str(entry.value), emit)
        return make_editor(entry.kind, entry.spec, entry.value, emit, entry.choices, entry.descriptions, entry.labels)
