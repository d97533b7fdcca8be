"""Form controls built from field metadata: a field's type and :class:`Spec` pick the control.

int: spin box; float: spin box with a compact number format; bool: check box;
choices or registry names: combo box (each choice described in its tooltip);
a list with choices: a check box per choice; a ``[low, high]`` range: a
two-handled slider with value boxes; a file or folder: a line edit with a
chooser; other lists: a line edit ("40, 40").  Each control
calls ``emit(value)`` with plain data, as TOML would give it, and validation
(in :mod:`studio.config`) decides what is wrong with it.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QLineEdit, QSpinBox, QWidget
from superqt import QLabeledDoubleRangeSlider, QLabeledRangeSlider

from studio.config import Spec, parse_value
from studio.engine.device import DeviceInfo, available_devices, process_choices, resolve_device
from studio.ui import engine_loader
from studio.ui.angle_editor import AngleRange
from studio.ui.column_editors import ColumnChecks, ColumnCombo
from studio.ui.number_entry import Emit, NumberEntry
from studio.ui.path_editor import PathEditor, looks_like_path

INT32 = 2**31 - 1
OBJECT_NAMES = {
    "training.iterations": "iterationsSpin",
    "task.family": "taskFamilyCombo",
    "algorithm.name": "algorithmCombo",
    "model.kind": "modelCombo",
    "training.device": "deviceCombo",
}


def object_name(path: str) -> str:
    """The stable objectName of a field's control: a fixed one for the well-known ones, else ``field:PATH``."""
    return OBJECT_NAMES.get(path, f"field:{path}")


def make_editor(
    kind: Any,
    spec: Spec,
    value: Any,
    emit: Emit,
    choices: Sequence[str] | None = None,
    descriptions: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
) -> QWidget:
    """The control for one field, showing ``value`` and reporting edits through ``emit``."""
    choices = choices if choices is not None else spec.choices
    if spec.columns_of:
        return ColumnChecks(value, emit) if typing.get_origin(kind) is tuple else ColumnCombo(str(value), emit)
    if typing.get_origin(kind) is tuple and choices is not None:
        return multi_choice_editor(choices, value, emit)
    if choices is not None:
        return combo_editor(choices, value, emit, descriptions, labels)
    if looks_like_path(spec, kind) and isinstance(value, str):
        return PathEditor(spec, value, emit)
    if typing.get_origin(kind) is tuple:
        item = typing.get_args(kind)[0]
        if spec.is_range:
            return AngleRange(spec, value, emit) if spec.angle else range_editor(spec, value, emit, item)
        return list_editor(value, emit, item)
    if kind is bool and isinstance(value, bool):
        return check_editor(value, emit)
    if kind is int and isinstance(value, int) and abs(value) <= INT32:
        return int_editor(spec, value, emit)
    if kind is float and isinstance(value, (int, float)):
        return float_editor(spec, float(value), emit)
    return text_editor(value, emit, parse=kind is not str)


def combo_editor(
    choices: Sequence[str],
    value: Any,
    emit: Emit,
    descriptions: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
) -> QComboBox:
    """Each choice shown by its label (``labels``, else itself), described in its tooltip; emits the choice."""
    combo = QComboBox()
    for choice in choices:
        combo.addItem((labels or {}).get(choice, choice), choice)
        if (descriptions or {}).get(choice):
            combo.setItemData(combo.count() - 1, descriptions[choice], Qt.ItemDataRole.ToolTipRole)
    if combo.findData(str(value)) < 0:  # keep an invalid loaded value visible, so it can be marked
        combo.addItem(str(value), str(value))
    combo.setCurrentIndex(combo.findData(str(value)))
    combo.currentIndexChanged.connect(lambda index: emit(combo.itemData(index)))
    return combo


class MultiChoice(QWidget):
    """A check box per choice; sends the checked ones, in the choices' order, as a list."""

    def __init__(self, choices: Sequence[str], value: Any, emit: Emit, parent: QWidget | None = None):
        super().__init__(parent)
        chosen = [str(v) for v in value] if isinstance(value, (list, tuple)) else []
        choices = list(choices) + [v for v in chosen if v not in choices]  # an unknown one stays visible, marked
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        for choice in choices:
            box = QCheckBox(choice)
            box.setObjectName(f"choice:{choice}")
            box.setChecked(choice in chosen)
            box.toggled.connect(lambda _: emit(self.value()))
            self.boxes[choice] = box
            row.addWidget(box)
        row.addStretch(1)

    def value(self) -> list[str]:
        return [choice for choice, box in self.boxes.items() if box.isChecked()]


def multi_choice_editor(choices: Sequence[str], value: Any, emit: Emit) -> MultiChoice:
    return MultiChoice(choices, value, emit)


def check_editor(value: bool, emit: Emit) -> QCheckBox:
    box = QCheckBox()
    box.setChecked(value)
    box.toggled.connect(emit)
    return box


class IntSpinBox(NumberEntry, QSpinBox):
    def parse(self, text: str) -> int | None:
        try:
            return int(text.replace(self.locale().groupSeparator(), "").strip())
        except ValueError:
            return None


def int_editor(spec: Spec, value: int, emit: Emit) -> QSpinBox:
    """Arrows step within the field's range; typed values beyond it are kept (and marked by validation)."""
    spin = IntSpinBox()
    spin.setRange(-INT32, INT32)
    spin.limits = (spec.minimum, spec.maximum)
    spin.setValue(value)
    spin.setSingleStep(int(spec.step or 1))
    spin.setGroupSeparatorShown(True)
    spin.report_edits(emit)
    return spin


class FloatSpinBox(NumberEntry, QDoubleSpinBox):
    """A double spin box that shows ``0.001`` rather than ``0.00100000``."""

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt override)
        return f"{value:.6g}"

    def parse(self, text: str) -> float | None:
        try:
            return float(text)
        except ValueError:
            return None


def float_editor(spec: Spec, value: float, emit: Emit) -> FloatSpinBox:
    spin = FloatSpinBox()
    spin.setDecimals(10)
    spin.setRange(-1e12, 1e12)
    spin.limits = (spec.minimum, spec.maximum)
    spin.setSingleStep(spec.step or _step_for(value))
    spin.setValue(value)
    spin.report_edits(emit)
    return spin


def range_editor(spec: Spec, value: Any, emit: Emit, item: type = float) -> QWidget:
    """Two handles with editable value boxes; the track spans a window around the values.

    The bounds in the metadata can be huge (x in [-1000, 1000]); a track that
    wide would make the useful values impossible to drag, so the track is
    centred on the current range and typing a value beyond it widens it.
    """
    low, high = (float(v) for v in value)
    slider = QLabeledDoubleRangeSlider(Qt.Orientation.Horizontal) if item is float else QLabeledRangeSlider()
    slider.setOrientation(Qt.Orientation.Horizontal)
    if item is float:
        slider.setDecimals(_decimals(spec.step))
        slider.setSingleStep(spec.step or 0.1)
    slider.setRange(*_track(spec, low, high))
    slider.setExpandRangeOnHandleEdit(True)
    slider.setValue((low, high))
    slider.setEdgeLabelMode(slider.EdgeLabelMode.NoLabel)
    slider.setMinimumHeight(44)
    cast = float if item is float else int
    slider.valueChanged.connect(lambda pair: emit([cast(pair[0]), cast(pair[1])]))
    return slider


def list_editor(value: Any, emit: Emit, item: type = int) -> QLineEdit:
    """Comma-separated items: ``40, 40`` is sent as ``[40, 40]`` (words as strings), anything unparsable as typed."""
    items = value if isinstance(value, (list, tuple)) else [value]
    edit = QLineEdit(", ".join(str(v) for v in items))
    edit.setPlaceholderText("e.g. " + ("a, b" if item is str else "40, 40"))

    def send(text: str) -> None:
        if item is str:
            emit([word.strip() for word in text.split(",") if word.strip()])
            return
        parsed = parse_value(f"[{text}]")
        emit(parsed if isinstance(parsed, list) else text)

    edit.textChanged.connect(send)
    return edit


def text_editor(value: Any, emit: Emit, parse: bool = False) -> QLineEdit:
    edit = QLineEdit(str(value))
    edit.setCursorPosition(0)
    edit.textChanged.connect(lambda text: emit(parse_value(text) if parse else text))
    return edit


def device_editor(value: str, emit: Emit, processes: int = 1) -> QComboBox:
    """Every device this machine has, detected now (``auto`` says which one it picks), and the launches of
    several processes it can run (torchrun): the CPU shared by 2..cores processes, every GPU when there are
    several.  A choice sets ``training.device`` and ``training.processes``.  Until torch has loaded (it detects
    the GPUs) only the CPU's, and the form is built again once it has."""
    combo = QComboBox()
    detected = engine_loader.ENGINE.ready
    combo.addItem(f"auto (picks {resolve_device('auto')})" if detected else "auto (detecting devices…)", ("auto", 1))
    for device in available_devices() if detected else [DeviceInfo("cpu", "CPU")]:
        combo.addItem(f"{device.name}: {device.description}", (device.name, 1))
    for choice in process_choices(with_gpus=detected):
        combo.addItem(choice.label, (choice.device, choice.processes))
    # findData compares Qt variants, which Python tuples do not survive as equal: compare here
    index = next((i for i in range(combo.count()) if tuple(combo.itemData(i)) == (value, processes)), -1)
    if index < 0:  # a preset from another machine: shown, and marked invalid by validation if it cannot run here
        shared = f", {processes} processes" if processes > 1 else ""
        combo.addItem(f"{value}{shared}" + (" (not on this machine)" if detected else ""), (value, processes))
        index = combo.count() - 1
    combo.setCurrentIndex(index)

    def chosen(i: int) -> None:
        device, count = combo.itemData(i)
        emit(count, "training.processes")
        emit(device)

    combo.currentIndexChanged.connect(chosen)
    return combo


def _step_for(value: float) -> float:
    return 10 ** math.floor(math.log10(abs(value))) if value else 0.1


def _decimals(step: float | None) -> int:
    return max(1, min(6, -math.floor(math.log10(step)))) if step else 2


def _track(spec: Spec, low: float, high: float) -> tuple[float, float]:
    span = max(high - low, abs(high), abs(low), 1.0)
    start, end = low - span, high + span
    if spec.minimum is not None:
        start = max(start, spec.minimum)
    if spec.maximum is not None:
        end = min(end, spec.maximum)
    return start, end
