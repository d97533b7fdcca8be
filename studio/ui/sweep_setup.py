"""Which settings a sweep varies, and how: one row per field of the experiment, built from its metadata.

A number gets low and high boxes bounded by the field's own range, and a log
check box; a choice (family, model, algorithm, or a field with choices, or a
true/false) gets its choices as text.  What the rows say is turned into the
same ``KEY=SPEC`` texts ``studio sweep --vary`` takes, and checked by the same
code, so a bad range is refused with the CLI's message, shown at its row.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from studio.config import SECTIONS, public_fields, section_class, spec_of
from studio.config.sweep import SCALAR_FIELDS

SWEPT_SECTIONS = ("task", "model", "algorithm", "training")
SECTION_TITLES = {"task": "Task distribution", "model": "Model", "algorithm": "Algorithm", "training": "Training"}
ERROR_STYLE = "color: #c62828;"


@dataclass(frozen=True)
class Candidate:
    """A field that can be swept: its path, kind (float, int or choice), bounds or choices, current value."""

    path: str
    label: str
    kind: str
    value: Any
    low: float | None = None
    high: float | None = None
    choices: tuple = ()


def candidates(data: Mapping[str, Any]) -> list[Candidate]:
    """The experiment's numeric and choice settings, section by section, in declaration order."""
    found = []
    for section in SWEPT_SECTIONS:
        table = data.get(section, {})
        cls = section_class(section, table)
        hints, defaults = typing.get_type_hints(cls), cls()
        for field in public_fields(cls):
            value = table.get(field.name, getattr(defaults, field.name))
            candidate = _candidate(section, field, hints[field.name], value)
            if candidate is not None:
                found.append(candidate)
    return found


def _candidate(section: str, field: Any, kind: Any, value: Any) -> Candidate | None:
    spec, path = spec_of(field), f"{section}.{field.name}"
    if section in SECTIONS and field.name == SECTIONS[section].key:
        return Candidate(path, spec.label, "choice", value, choices=tuple(SECTIONS[section].names()))
    if spec.choices:
        return Candidate(path, spec.label, "choice", value, choices=spec.choices)
    if kind is bool:
        return Candidate(path, spec.label, "choice", value, choices=(True, False))
    if kind in (int, float):
        return Candidate(path, spec.label, kind.__name__, value, spec.minimum, spec.maximum)
    return None


class SweptRow:
    """The controls of one candidate: vary it?, low, high, log (numbers) or choices (text)."""

    def __init__(self, candidate: Candidate):
        self.candidate = candidate
        self.vary = QCheckBox(candidate.label)
        self.vary.setObjectName(f"vary_{candidate.path}")
        self.vary.setToolTip(candidate.path)
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        if candidate.kind == "choice":
            self.choices = QLineEdit(", ".join(_word(c) for c in candidate.choices))
            self.choices.setObjectName(f"choices_{candidate.path}")
            self.editors = [self.choices]
        else:
            self.low, self.high = self._bound(), self._bound()
            self.log = QCheckBox("log")
            self._default_range()
            self.editors = [self.low, self.high, self.log]

    def _bound(self) -> QSpinBox | QDoubleSpinBox:
        """A box bounded by the field's own range (the sweep cannot ask for what the field refuses)."""
        c = self.candidate
        box = QSpinBox() if c.kind == "int" else QDoubleSpinBox(decimals=6)
        low = -1e9 if c.low is None else c.low
        high = 1e9 if c.high is None else c.high
        box.setRange(
            max(low, -(2**31) + 1) if c.kind == "int" else low, min(high, 2**31 - 1) if c.kind == "int" else high
        )
        return box

    def _default_range(self) -> None:
        """Around the current value: a decade either way for a positive float (log), else half to double."""
        value = self.candidate.value
        if self.candidate.kind == "float" and value > 0:
            self.low.setValue(value / 10)
            self.high.setValue(value * 10)
            self.log.setChecked(True)
        else:
            self.low.setValue(max(1, math.floor(value / 2)) if value > 0 else value)
            self.high.setValue(max(value * 2, value + 1))

    def spec(self) -> str:
        """The row as ``studio sweep --vary``'s SPEC."""
        if self.candidate.kind == "choice":
            return "[" + self.choices.text() + "]"
        low, high = self.low.value(), self.high.value()
        if self.candidate.kind == "int":
            return f"int({int(low)}, {int(high)}{', log' if self.log.isChecked() else ''})"
        return f"{'log' if self.log.isChecked() else 'float'}({low:.6g}, {high:.6g})"

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))


def _word(value: Any) -> str:
    return "true" if value is True else "false" if value is False else str(value)


class SweptFields(QWidget):
    """Every candidate as a row; ``vary()`` lists the checked ones as ``KEY=SPEC``."""

    def __init__(self, data: Mapping[str, Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.rows = {c.path: SweptRow(c) for c in candidates(data)}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        line, section = 0, ""
        for row in self.rows.values():
            if row.candidate.path.split(".")[0] != section:  # a heading per section: "Name" alone says little
                section = row.candidate.path.split(".")[0]
                grid.addWidget(QLabel(f"<i>{SECTION_TITLES[section]}</i>"), line, 0, 1, 4)
                line += 1
            grid.addWidget(row.vary, line, 0)
            for j, editor in enumerate(row.editors):
                grid.addWidget(editor, line, 1 + j, 1, 3 if len(row.editors) == 1 else 1)
            grid.addWidget(row.error, line + 1, 0, 1, 4)
            line += 2

    def vary(self) -> list[str]:
        return [f"{path}={row.spec()}" for path, row in self.rows.items() if row.vary.isChecked()]

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Messages by field path (``sweep.vary.KEY`` errors), each at its row; the rest cleared."""
        for path, row in self.rows.items():
            row.show_error(errors.get(path, ""))


class SweepSettings(QWidget):
    """The sweep's own settings (sampler, objective, trials, ...), from :class:`SweepConfig`'s metadata."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.editors: dict[str, QWidget] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, field in enumerate(SCALAR_FIELDS):
            spec = spec_of(field)
            editor = _setting_editor(field.default, spec)
            editor.setObjectName(f"sweep_{field.name}")
            editor.setToolTip(spec.help)
            self.editors[field.name] = editor
            grid.addWidget(QLabel(spec.label), i // 2, 2 * (i % 2))
            grid.addWidget(editor, i // 2, 2 * (i % 2) + 1)

    def table(self) -> dict[str, Any]:
        values = {}
        for name, editor in self.editors.items():
            if isinstance(editor, QComboBox):
                values[name] = editor.currentText()
            elif isinstance(editor, QSpinBox):
                values[name] = editor.value()
            else:
                values[name] = editor.text().strip()
        return values


def _setting_editor(default: Any, spec: Any) -> QWidget:
    if spec.choices:
        box = QComboBox()
        box.addItems(list(spec.choices))
        box.setCurrentText(default)
        return box
    if isinstance(default, int):
        box = QSpinBox()
        box.setRange(int(spec.minimum or 0), int(min(spec.maximum or 100_000, 2**31 - 1)))
        box.setValue(default)
        return box
    return QLineEdit(str(default))
