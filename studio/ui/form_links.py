"""Where one section's form depends on another section's settings.

- ``algorithm.adapt_layers``: a row per layer group of the network the
  current task and model build (:mod:`studio.ui.layer_editor`);
- ``sampling.curriculum_parameters``: a check box per range of the current
  task family; the sampling rows a strategy does not use are greyed out;
- a task's first file or folder field: what the data holds, as the preview
  found it off the UI thread (classes and images per split, groups).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

from studio.config import (
    SECTIONS,
    ConfigError,
    FieldError,
    ModelConfig,
    preset_from_dict,
    public_fields,
    section_class,
    spec_of,
)
from studio.config.compatibility import combination_errors
from studio.ui import engine_loader
from studio.ui.forms import FieldEntry, SectionForm
from studio.ui.layer_editor import LayerChecks, adapted_groups, model_groups
from studio.ui.path_editor import PathEditor
from studio.views.preview_tasks import PreviewTasks

CHOICES = ("task", "model", "algorithm")
ADAPT_LAYERS = "algorithm.adapt_layers"
CURRICULUM_PARAMETERS = "sampling.curriculum_parameters"
STRATEGY_FIELDS = {  # the sampling settings each strategy reads (the strategy itself always applies)
    "uniform": (),
    "curriculum": ("curriculum_parameters", "curriculum_start", "curriculum_until", "curriculum_schedule"),
    "prioritized": ("pool_size", "pool_refresh", "temperature", "uniform_floor"),
}


class FormLinks:
    """Keeps the linked controls of ``forms`` in step with the preset ``data()`` and the preview's findings."""

    def __init__(self, data: Callable[[], dict[str, Any]], forms: dict[str, SectionForm]):
        self.data = data
        self.forms = forms
        self.dims: tuple[int, int] | None = None  # the family's input and output sizes, once the preview knows
        self.layers: LayerChecks | None = None
        self.summary = ""

    def editors(self) -> dict[str, Callable[[FieldEntry, Callable[[Any], None]], Any]]:
        return {ADAPT_LAYERS: self._layer_editor}

    def _layer_editor(self, entry: FieldEntry, emit: Callable[[Any], None]) -> LayerChecks:
        self.layers = LayerChecks(entry.value, emit)
        self._fill_layers(self.layers)
        return self.layers

    def entries(self, form: str, entries: list[FieldEntry]) -> list[FieldEntry]:
        """``entries`` with the choices that depend on other sections filled in."""
        if form != "sampling":
            return entries
        ranges = tuple(range_fields(self.data().get("task", {})))
        return [dataclasses.replace(e, choices=ranges) if e.path == CURRICULUM_PARAMETERS else e for e in entries]

    def refresh(self) -> None:
        """After every edit: layer rows, greyed sampling rows, the data summary."""
        self._refresh_layers()
        self._grey_sampling_rows()
        self._show_summary()
        self._offer_columns()

    def preview_found(self, tasks: PreviewTasks) -> None:
        self.dims = tasks.dims or self.dims
        self.summary = "" if tasks.errors else tasks.summary
        self.refresh()

    def _refresh_layers(self) -> None:
        row = self.forms["algorithm"].rows.get(ADAPT_LAYERS)
        if row is None or row.editor is not self.layers:  # an algorithm without layer-wise adaptation
            self.layers = None
            return
        self._fill_layers(self.layers)

    def _fill_layers(self, layers: LayerChecks) -> None:
        data = self.data()
        value = data.get("algorithm", {}).get("adapt_layers", [])
        layers.value = list(value) if isinstance(value, (list, tuple)) else []
        groups, adapted = self._groups(data, layers.value)
        layers.set_groups(groups, adapted, bool(data.get("algorithm", {}).get("learn_inner_lr", False)))

    def _groups(self, data: dict[str, Any], value: list[str]) -> tuple[dict[str, int] | None, set[str] | None]:
        if self.dims is None:
            return None, None
        try:
            model = preset_from_dict({"model": copy.deepcopy(data.get("model", {}))}).model
            return model_groups(model, *self.dims), adapted_groups(model, self.dims, value)
        except (ConfigError, ValueError, RuntimeError):  # settings the network cannot be built from
            return None, None

    def _grey_sampling_rows(self) -> None:
        rows = self.forms["sampling"].rows if "sampling" in self.forms else {}
        sampling = self.data().get("sampling", {})
        used = STRATEGY_FIELDS.get(sampling.get("strategy", "uniform"), tuple(rows))
        if "curriculum_schedule" in used and sampling.get("curriculum_schedule") == "step":
            used = (*used, "curriculum_stages")
        for path, row in rows.items():
            key = path.partition(".")[2]
            active = key == "strategy" or key in used
            row.label.setEnabled(active)
            row.editor.setEnabled(active)

    def _offer_columns(self) -> None:
        """Fields naming CSV columns offer the columns of the file their sibling field names (once the engine,
        which reads them, has loaded: the form is refreshed then)."""
        if not engine_loader.ENGINE.ready:
            return
        task = self.data().get("task", {})
        for row in self.forms["task"].rows.values() if "task" in self.forms else ():
            source = getattr(row.editor, "set_columns", None) and row.spec.columns_of
            if source:
                from studio.engine.tasks.tabular_data import csv_header  # the package imports torch

                row.editor.set_columns(csv_header(str(task.get(source, ""))))

    def _show_summary(self) -> None:
        """Under the data's file or folder; for families without one (generated data) under the family."""
        rows = self.forms["task"].rows
        paths = [row for row in rows.values() if _is_path_row(row)]
        for index, row in enumerate(paths):
            row.set_note(self.summary if index == 0 else "")
        family = rows.get(f"task.{SECTIONS['task'].key}")
        if family is not None:
            family.set_note("\n".join(filter(None, [family.description, "" if paths else self.summary])))


def data_errors(data: dict[str, Any], kind: str | None, dims: tuple[int, int] | None) -> list[FieldError]:
    """What only the data tells about the chosen family, model and algorithm (each valid on its own): whether the
    algorithm applies to the kind of tasks it holds (a CSV's target decides), whether the network fits its inputs."""
    try:
        task, model, algorithm = (getattr(preset_from_dict({s: copy.deepcopy(data[s])}), s) for s in CHOICES)
    except (ConfigError, KeyError):
        return []
    if kind is None:
        return []
    return combination_errors(task, model, algorithm, kind) or network_errors(model, dims)


def network_errors(model: ModelConfig, dims: tuple[int, int] | None) -> list[FieldError]:
    """What building ``model`` for tasks of ``dims`` (inputs, outputs) refuses (on torch's meta device: no memory)."""
    if dims is None:
        return []
    try:
        import torch  # dims come from the preview, which draws once the engine has loaded

        from studio.engine.models import build_model

        with torch.device("meta"):
            build_model(model, *dims)
    except ConfigError as error:
        return list(error.errors)
    return []


def range_fields(task_table: dict[str, Any]) -> list[str]:
    """The ``[low, high]`` settings of the task family ``task_table`` chooses (a curriculum narrows these)."""
    try:
        cls = section_class("task", task_table)
    except ConfigError:
        return []
    return [f.name for f in public_fields(cls) if spec_of(f).is_range]


def _is_path_row(row: Any) -> bool:
    return isinstance(row.editor, PathEditor)
