"""The experiment panel: task distribution (with its preview), task sampling, model, algorithm, training,
evaluation baselines, device.

The panel edits plain preset data (as TOML gives it) and validates it with
the same code as the command line after every edit, so a field is marked
with exactly the message ``studio run`` would print.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QVBoxLayout, QWidget

from studio.config import SECTIONS, ConfigError, FieldError, Preset, preset_from_dict, preset_to_dict, set_value
from studio.config.compatibility import check_combination
from studio.engine.device import check_device_name, resolve_device
from studio.ui import engine_loader
from studio.ui.choice_switch import design_description, design_name, model_for_task, switch_section
from studio.ui.editors import device_editor
from studio.ui.form_links import FormLinks, data_errors
from studio.ui.forms import ERROR_COLOR, FieldEntry, SectionForm, field_path, scalar_entries, section_entries
from studio.ui.panels.base import PlotPanel
from studio.ui.panels.preview import PreviewPanel, PreviewTasks
from studio.ui.section import Section
from studio.ui.wheel_scroll import WheelScrollsForm

FORMS = (  # (form, title, what it holds)
    ("experiment", "Experiment", "name and description"),
    ("task", "Task distribution", "the [task] section"),
    ("sampling", "Task sampling", "the [sampling] section"),
    ("model", "Model", "the [model] section"),
    ("algorithm", "Algorithm", "the [algorithm] section"),
    ("training", "Training", "the [training] section and the seed"),
    ("evaluation", "Baselines", "the [evaluation] section"),
    ("device", "Device", "training.device and training.processes"),
)
SET_BY_DEVICE = ("device", "processes")  # the device picker sets both (a CPU shared by N processes, N GPUs)


class ExperimentPanel(QScrollArea):
    """Scrollable, collapsible sections; emits ``edited`` after every change, already validated."""

    edited = Signal()

    def __init__(self, preset: Preset, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("experimentPanel")
        self.setWidgetResizable(True)
        self.data: dict[str, Any] = preset_to_dict(preset)
        self.valid_preset: Preset | None = preset
        self.errors: list[FieldError] = []
        self.forms: dict[str, SectionForm] = {}
        self.links = FormLinks(lambda: self.data, self.forms)
        editors = {**self.links.editors(), "training.device": self._device_editor}
        self.forms.update({name: SectionForm(self._field_changed, editors) for name, _, _ in FORMS})
        self.preview = PreviewPanel()
        self.preview.checked.connect(self._sampler_checked)
        self.preview.described.connect(self.links.preview_found)
        self.preview.described.connect(self._data_described)
        self._checked: Preset | None = preset
        self._config_errors: list[FieldError] = []
        self._sampler_errors: list[FieldError] = []
        self.banner = QLabel(wordWrap=True)
        self.banner.setObjectName("runBanner")
        self.problems = QLabel(wordWrap=True)
        self.problems.setStyleSheet(f"color: {ERROR_COLOR};")
        self.setWidget(self._contents())
        self.wheel = WheelScrollsForm(self, [self.preview.plot_widget])
        self.preview.pageAdded.connect(self._page_added)
        self._run_preset: Preset | None = None
        self._run_label = ""
        self.hand_edited: dict[str, Any] = {}  # path -> value the user set by hand since the preset was loaded
        self.switch_notes: dict[str, str] = {}  # section -> what its last new choice kept or changed
        self.dirty = False  # edited since loaded or saved
        self._waiting_for_engine = False
        self.load(preset)

    def _contents(self) -> QWidget:
        contents = QWidget()
        column = QVBoxLayout(contents)
        column.setContentsMargins(4, 6, 2, 6)
        column.addWidget(self.banner)
        column.addWidget(self.problems)
        for name, title, _ in FORMS:
            section = Section(title)
            section.addWidget(self.forms[name])
            if name == "task":
                section.addWidget(self.preview)
            section.expand(animate=False)
            column.addWidget(section)
        column.addStretch(1)
        return contents

    # ---- loading and editing -------------------------------------------------

    def load(self, preset: Preset) -> None:
        """Show ``preset`` in every form (the run on screen is not touched)."""
        self.data = preset_to_dict(preset)
        self.hand_edited, self.switch_notes, self.dirty = {}, {}, False
        self.loaded_name = self.data.get("name")
        for name in self.forms:
            self._rebuild(name)
        self._validate()

    def _rebuild(self, form: str) -> None:
        data = self.data
        if form == "experiment":
            entries = scalar_entries(data, ("name", "description"))
        elif form == "training":
            entries = section_entries("training", data["training"], skip=SET_BY_DEVICE) + scalar_entries(
                data, ("seed",)
            )
        elif form == "device":
            entries = [e for e in section_entries("training", data["training"]) if e.path == "training.device"]
        else:
            entries = self.links.entries(form, section_entries(form, data.get(form, {})))
        self.forms[form].build(entries)
        self._show_switch_note(form)
        self._align_labels()

    def _page_added(self, page: QWidget) -> None:
        """A picture the preview built once the settings asked for it (an episode's images)."""
        if isinstance(page, PlotPanel):
            self.wheel.watch(page.plot_widget)

    def _device_editor(self, entry: FieldEntry, emit: Callable[..., None]) -> QWidget:
        return device_editor(str(entry.value), emit, int(self.data["training"].get("processes", 1)))

    def _show_switch_note(self, form: str) -> None:
        row = self.forms[form].rows.get(f"{form}.{SECTIONS[form].key}") if form in SECTIONS else None
        if row is not None and self.switch_notes.get(form):
            row.description = "\n".join(filter(None, [row.description, self.switch_notes[form]]))
            row.set_note(row.description)

    def _align_labels(self) -> None:
        """One label column for every section, so the controls line up down the panel."""
        rows = [row for form in self.forms.values() for row in form.rows.values()]
        width = max((row.label.sizeHint().width() for row in rows), default=0)
        for row in rows:
            row.label.setMinimumWidth(width)
        self._fit_width()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self._fit_width()  # the rows' widths are known once the style has polished them
        engine = engine_loader.ENGINE
        if not engine.ready and not self._waiting_for_engine:
            self._waiting_for_engine = True
            engine.loaded.connect(self._engine_loaded)
            engine.start_after_paint(self.window())

    def _engine_loaded(self) -> None:
        """The devices torch finds (the picker offered only the CPU until now), and the choices' own descriptions."""
        focused = QApplication.focusWidget()
        for form in ("device", "algorithm"):
            if focused is None or not self.forms[form].isAncestorOf(focused):  # never take a control away mid-edit
                self._rebuild(form)
        self._validate()

    def _fit_width(self) -> None:
        """Never narrower than the rows need: a squeezed form would cut its controls off at the right."""
        contents = self.widget()
        if contents is not None:
            frame = 2 * self.frameWidth() + self.verticalScrollBar().sizeHint().width()
            self.setMinimumWidth(contents.minimumSizeHint().width() + frame)

    def _field_changed(self, path: str, value: Any) -> None:
        section, _, key = path.partition(".")
        switching = section in SECTIONS and key == SECTIONS[section].key
        set_value(self.data, path, value)
        self.hand_edited[path] = value
        self.dirty = True
        if switching:
            self._keeping_place(path, lambda: (self._switch(section), self._follow_design()))
        self._validate()

    def _keeping_place(self, path: str, rebuild: Callable[[], object]) -> None:
        """Rebuild forms without the view jumping: the scroll position stays, and so does the focus on ``path``'s
        control (its old control is deleted, and Qt would move the focus to the next one and scroll to it)."""
        scrolled = self.verticalScrollBar().value()
        had_focus = self.forms[_form_of(path)].rows[path].editor.hasFocus()
        rebuild()
        if had_focus:
            self.forms[_form_of(path)].rows[path].editor.setFocus()
        self.verticalScrollBar().setValue(scrolled)

    def _switch(self, section: str, note: str = "") -> None:
        """A new family/model/algorithm: its own defaults and the user's edits that apply; a model that fits."""
        switched = switch_section(section, self.data[section], self.hand_edited)
        self.data[section] = switched.table
        self.switch_notes[section] = " ".join(filter(None, [note, switched.note]))
        self._rebuild(section)
        if section != "task":
            return
        self._rebuild("sampling")  # the ranges a curriculum may narrow are the family's
        model = model_for_task(self.data)
        if model is not None:
            self.data["model"] = model.table
            self._switch("model", model.note)

    def _follow_design(self) -> None:
        """A name and description the user has not written say what the experiment now is."""
        follow = {"name": design_name, "description": design_description}
        for key, make in follow.items():
            if key not in self.hand_edited:
                self.data[key] = make(self.data)
        self._rebuild("experiment")

    def choose(self, path: str, name: str) -> None:
        """Pick ``name`` in the combo box of ``path`` (a family, model or algorithm), as a user would."""
        combo = self.forms[_form_of(path)].rows[path].editor
        combo.setCurrentIndex(combo.findData(name))

    def mark_saved(self) -> None:
        """The settings on screen are now a preset file's."""
        self.dirty, self.loaded_name = False, self.data.get("name")

    @property
    def renamed(self) -> bool:
        """The name is no longer the loaded preset's (the user wrote one, or it follows the design)."""
        return self.data.get("name") != self.loaded_name

    def set_value(self, path: str, value: Any) -> None:
        """Change one value as if typed into its control, and show it there."""
        self._field_changed(path, value)
        self._rebuild(_form_of(path))
        self._mark_errors()
        self.links.refresh()

    # ---- validation ------------------------------------------------------------

    def _validate(self) -> None:
        try:
            preset = preset_from_dict(copy.deepcopy(self.data))
            if engine_loader.ENGINE.ready:
                from studio.engine.distributed import check_processes  # imports torch

                check_processes(preset.training, resolve_device(preset.training.device))
            else:  # whether the device is here, and can run the processes asked for, once torch has loaded
                check_device_name(preset.training.device)
            check_combination(preset.task, preset.model, preset.algorithm)
            self._checked, self._config_errors = preset, []
        except ConfigError as error:
            self._checked, self._config_errors = None, list(error.errors)
        self._sampler_errors = []  # until the preview has tried the new settings
        self._publish()
        self._update_preview()
        self.links.refresh()

    def _sampler_checked(self, errors: list[FieldError]) -> None:
        """The preview's sampler refused the settings (say, a data folder that does not exist)."""
        if errors or self._sampler_errors:
            self._sampler_errors = errors
            self._publish()

    def _data_described(self, tasks: PreviewTasks) -> None:
        """What only the data tells: the kind of a CSV's tasks (does the algorithm apply?), the input size
        (can the network be built for it?)."""
        new = [e for e in data_errors(self.data, tasks.kind, tasks.dims) if e not in self._config_errors]
        if new:
            self._sampler_errors = self._sampler_errors + new
            self._publish()

    def add_problems(self, errors: list[FieldError]) -> None:
        """Mark what the engine refused when a run started (until the next edit)."""
        self._sampler_errors = self._sampler_errors + list(errors)
        self._publish()

    def _publish(self) -> None:
        self.errors = self._config_errors + self._sampler_errors
        self.valid_preset = None if self.errors else self._checked
        self._mark_errors()
        self._update_banner()
        self.edited.emit()

    def _mark_errors(self) -> None:
        by_path: dict[str, list[str]] = {}
        for error in self.errors:
            path = "training.device" if error.path == "training.processes" else field_path(error.path)
            by_path.setdefault(path, []).append(
                f"{error.path} {error.message}" if path != error.path else error.message
            )
        shown = set()
        for form in self.forms.values():
            for path, row in form.rows.items():
                row.mark("; ".join(by_path.get(path, [])) or None)
                shown.add(path)
        others = [str(e) for e in self.errors if field_path(e.path) not in shown]
        self.problems.setText("\n".join(others))
        self.problems.setVisible(bool(others))

    def _update_preview(self) -> None:
        try:
            task = preset_from_dict({"task": copy.deepcopy(self.data["task"])}).task
        except ConfigError as error:
            self.preview.show_tasks(None, str(error.errors[0]))
            return
        self.preview.show_tasks(task)

    @property
    def problem_text(self) -> str:
        """Every problem, one per line, worded as ``studio run`` prints them."""
        return "\n".join(str(e) for e in self.errors)

    # ---- which run is on screen --------------------------------------------------

    def show_run(self, label: str, preset: Preset | None) -> None:
        """Say which run the plots show (``preset=None``: none yet)."""
        self._run_label, self._run_preset = label, preset
        self._update_banner()

    def _update_banner(self) -> None:
        if self._run_preset is None:
            text, tone = "No run on screen yet. Press Start to train with these settings.", "#555"
        elif self.valid_preset == self._run_preset:
            text, tone = f"On screen: {self._run_label}, trained with these settings.", "#2e7d32"
        else:
            text, tone = f"On screen: {self._run_label}. Settings edited since; they apply to the next run.", "#b26a00"
        self.banner.setText(text)
        self.banner.setStyleSheet(f"color: {tone}; padding: 2px;")


def _form_of(path: str) -> str:
    """Which form shows ``path``."""
    if path in ("training.device", "training.processes"):
        return "device"
    if path == "seed":
        return "training"
    section = path.partition(".")[0]
    return section if "." in path else "experiment"
