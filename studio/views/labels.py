"""What a user reads for the identifiers the studio uses inside (``tasks_drawn``, ``blobs2d``, ``protonet``).

Families, models and algorithms are labelled by their settings classes (the
``label`` each declares, through the registry); the window's panels here.
Menus, pickers and tables take their words from this one place.
"""

from __future__ import annotations

from studio.config import SECTIONS

PANEL_LABELS = {
    "loss": "Loss plot",
    "adaptation": "Adaptation curve",
    "task_fit": "Task fit",
    "tasks_drawn": "Tasks drawn",
    "preview": "Task preview",
}


def panel_label(key: str) -> str:
    return PANEL_LABELS.get(key) or key.replace("_", " ").capitalize()


def choice_label(section: str, name: str) -> str:
    """The label of a family (``task``), model or algorithm name; the name itself where none is declared."""
    return SECTIONS[section].label(name) if section in SECTIONS else name
