"""What the form does when a family, model or algorithm is chosen (plain preset data; no Qt).

A new choice starts from its own defaults (ANIL adapts the head alone; a
sinusoid shows 10 shots, not the glyphs' 1): only the settings the user
edited by hand, and the new choice also has, are kept, and the form says
which.  Image families take a model that reads images; a name and
description the user has not written follow the design.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studio.config import SECTIONS, ConfigError, section_class
from studio.config.compatibility import INPUT_WORDS, fitting_models
from studio.ui.forms import plain_defaults
from studio.views.labels import choice_label


@dataclass(frozen=True)
class Switched:
    """A section's new table and what to tell the user about it ('' when nothing)."""

    table: dict[str, Any]
    note: str


def switch_section(section: str, table: dict[str, Any], edits: dict[str, Any]) -> Switched:
    """``table`` (already naming its new choice) as the new choice's defaults plus the values the user set by
    hand (``edits``: path -> value, kept even while another choice did not have the field) that it has."""
    defaults = plain_defaults(section, table)
    key = SECTIONS[section].key
    kept = {k: edits[f"{section}.{k}"] for k in defaults if k != key and f"{section}.{k}" in edits}
    said = ", ".join(f"{k} = {_show(v)}" for k, v in kept.items())
    return Switched({**defaults, **kept}, f"Kept your {said}; the rest are its defaults." if kept else "")


def model_for_task(data: dict[str, Any]) -> Switched | None:
    """A model kind (as ``table``) that takes the chosen family's inputs, if the current one does not."""
    try:
        task, model = section_class("task", data["task"]), section_class("model", data["model"])
    except (ConfigError, KeyError):
        return None
    fitting = fitting_models(task.input_kind)
    if task.input_kind in model.input_kinds or not fitting:
        return None
    inputs = INPUT_WORDS.get(task.input_kind, task.input_kind)
    note = f"Switched from '{model().kind}' to '{fitting[0]}': '{task().family}' tasks are {inputs}."
    return Switched({SECTIONS["model"].key: fitting[0]}, note)


def design_name(data: dict[str, Any]) -> str:
    """``anil-blobs2d``: the algorithm on the family."""
    return f"{data.get('algorithm', {}).get('name', '')}-{data.get('task', {}).get('family', '')}"


def design_description(data: dict[str, Any]) -> str:
    """'ANIL on 2-D blobs; network: MLP (fully connected).' from the choices' labels."""
    chosen = {section: str(data.get(section, {}).get(SECTIONS[section].key, "")) for section in SECTIONS}
    words = {section: choice_label(section, name) for section, name in chosen.items()}
    return f"{words['algorithm']} on {words['task']}; network: {words['model']}."


def _show(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
