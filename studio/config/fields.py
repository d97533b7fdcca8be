"""Field metadata: one declaration gives a form control, a CLI message and a check.

A preset field is an ordinary dataclass field whose ``metadata`` holds a
:class:`Spec`.  Forms read ``label``/``help``/``minimum``/``maximum``;
validation reads the same numbers, so the window and the command line can
never disagree about what is valid.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

SPEC_KEY = "studio"


@dataclass(frozen=True)
class Spec:
    """What a user needs to know about one field."""

    label: str
    help: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] | None = None
    is_range: bool = False  # a [low, high] pair
    step: float | None = None  # suggested increment for spin boxes and sliders
    advanced: bool = False
    is_path: bool = False  # a file or folder; relative paths in a preset file are relative to that file
    columns_of: str | None = None  # names columns of the CSV file that this sibling field gives (forms offer them)
    angle: bool = False  # radians: forms show and read multiples of π (2π, not 6.28)


def param(default: Any, label: str, help: str, **spec: Any) -> Any:
    """Declare a preset field with its label, help text and valid range."""
    meta = {SPEC_KEY: Spec(label=label, help=help, **spec)}
    return dataclasses.field(default=default, metadata=meta)


def spec_of(field: dataclasses.Field) -> Spec:
    """The :class:`Spec` of a field, or a plain one built from its name."""
    spec = field.metadata.get(SPEC_KEY)
    if spec is None:
        return Spec(label=field.name.replace("_", " ").capitalize(), help="")
    return spec


def public_fields(cls: type) -> list[dataclasses.Field]:
    """Fields a user sets, in declaration order."""
    return [f for f in dataclasses.fields(cls) if f.init]


def range_param(
    default: tuple[float, float],
    label: str,
    help: str,
    minimum: float = -1000.0,
    maximum: float = 1000.0,
    step: float = 0.1,
    angle: bool = False,
) -> Any:
    """A [low, high] range field (a two-handled slider in the window); ``angle``: in radians."""
    return param(default, label, help, is_range=True, minimum=minimum, maximum=maximum, step=step, angle=angle)
