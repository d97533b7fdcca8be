"""Presets side by side: the key hyperparameters of a run, and which settings differ among runs.

Works on the plain dictionaries of ``preset.toml`` files (as ``read_toml``
gives them), so a run whose preset no longer validates (a plugin family not
installed) still shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# shown in the run library's table when the preset has them, in this order
KEY_SETTINGS = (
    "task.shots",
    "task.ways",
    "model.kind",
    "algorithm.inner_lr",
    "algorithm.inner_steps",
    "training.meta_lr",
    "training.meta_batch_size",
    "training.iterations",
    "seed",
)
NOT_COMPARED = ("description",)  # prose, not a setting


def flatten_preset(preset: Mapping[str, object], prefix: str = "") -> dict[str, object]:
    """``{"task.shots": 10, "seed": 0, ...}``: every setting under its dotted path; lists become tuples."""
    flat: dict[str, object] = {}
    for key, value in preset.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_preset(value, f"{path}."))
        else:
            flat[path] = tuple(value) if isinstance(value, list) else value
    return flat


def key_hyperparameters(preset: Mapping[str, object]) -> dict[str, object]:
    """The preset's values of :data:`KEY_SETTINGS` that it has, in that order."""
    flat = flatten_preset(preset)
    return {key: flat[key] for key in KEY_SETTINGS if key in flat}


def differing_keys(presets: Sequence[Mapping[str, object]]) -> list[str]:
    """Dotted paths whose value is not the same in every preset (missing counts as a value), sorted.

    With fewer than two presets nothing differs.
    """
    if len(presets) < 2:
        return []
    flats = [flatten_preset(p) for p in presets]
    keys = sorted(set().union(*flats) - set(NOT_COMPARED))
    missing = object()
    return [key for key in keys if len({repr(flat.get(key, missing)) for flat in flats}) > 1]


def hyperparameter_table(
    presets: Sequence[Mapping[str, object]], only_differing: bool = False
) -> tuple[list[str], list[list[object]], set[str]]:
    """Columns (dotted paths), one row of values per preset (``None`` where absent), and the differing columns.

    The window highlights the differing columns; ``only_differing`` keeps just those.
    """
    flats = [flatten_preset(p) for p in presets]
    differ = set(differing_keys(presets))
    columns = sorted(differ) if only_differing else sorted(set().union(*flats) - set(NOT_COMPARED))
    rows = [[flat.get(column) for column in columns] for flat in flats]
    return columns, rows, differ


def format_value(value: object) -> str:
    """A setting as a table cell: numbers short, tuples as ``[a, b]``."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return "" if value is None else str(value)
