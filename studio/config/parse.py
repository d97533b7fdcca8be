"""Turning plain data (parsed TOML, ``--set`` values) into a valid :class:`Preset`.

Every problem found is collected as a :class:`FieldError` naming its field, so
a user sees all of them at once, worded the same in the window and the CLI.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Mapping
from typing import Any

from studio.config.errors import ConfigError, FieldError, did_you_mean
from studio.config.fields import public_fields, spec_of
from studio.config.preset import FIXED_SECTIONS, SCALAR_NAMES, SCHEMA_VERSION, SECTION_NAMES, Preset
from studio.config.registry import SECTIONS

SWEEP_TABLE = "sweep"  # read by studio.config.sweep (studio sweep); a run of the preset ignores it


def preset_from_dict(data: Mapping[str, Any]) -> Preset:
    """Validate ``data`` (as read from TOML) and build the preset, or raise :class:`ConfigError`."""
    errors: list[FieldError] = []
    if not isinstance(data, Mapping):
        raise ConfigError("a preset must be a table of keys and values")
    _check_keys(data, SCALAR_NAMES + SECTION_NAMES + (SWEEP_TABLE,), "", errors)
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        errors.append(FieldError("schema_version", f"must be {SCHEMA_VERSION}, got {version!r}"))
    values = _fields_from(Preset, data, "", errors, skip=SECTION_NAMES + ("schema_version",))
    for section in SECTION_NAMES:
        values[section] = _section_from(section, data.get(section, {}), errors)
    if errors:
        raise ConfigError(errors)
    return Preset(**values)


def section_class(section: str, table: Mapping[str, Any]) -> type:
    """The settings class a section's table selects (raises for an unknown choice)."""
    if section in FIXED_SECTIONS:
        return FIXED_SECTIONS[section]
    registry = SECTIONS[section]
    default = getattr(Preset(), section)
    return registry.get(table.get(registry.key, getattr(default, registry.key)))


def _section_from(section: str, table: Any, errors: list[FieldError]) -> Any:
    if not isinstance(table, Mapping):
        errors.append(FieldError(section, f"must be a table ([{section}]), got {_show(table)}"))
        return None
    try:
        cls = section_class(section, table)
    except ConfigError as error:
        errors.extend(error.errors)
        return None
    names = tuple(f.name for f in public_fields(cls))
    _check_keys(table, names, f"{section}.", errors)
    return cls(**_fields_from(cls, table, f"{section}.", errors))


def _check_keys(table: Mapping[str, Any], known: tuple[str, ...], prefix: str, errors: list[FieldError]) -> None:
    for key in table:
        if key not in known:
            hint = did_you_mean(str(key), known)
            if hint:
                hint = hint.replace("'", f"'{prefix}", 1)
            errors.append(FieldError(f"{prefix}{key}", f"is not a known setting{hint}"))


def _fields_from(cls: type, table: Mapping[str, Any], prefix: str, errors: list[FieldError], skip: tuple = ()) -> dict:
    hints = typing.get_type_hints(cls)
    values = {}
    for f in public_fields(cls):
        if f.name in skip or f.name not in table:
            continue
        path = f"{prefix}{f.name}"
        try:
            values[f.name] = check_value(path, table[f.name], hints[f.name], spec_of(f))
        except ConfigError as error:
            errors.extend(error.errors)
    return values


def check_value(path: str, value: Any, kind: Any, spec: Any) -> Any:
    """Coerce one value to the field's type and check it against its spec."""
    origin = typing.get_origin(kind)
    if origin is tuple:
        return _check_tuple(path, value, typing.get_args(kind), spec)
    coerced = _coerce_scalar(path, value, kind)
    _check_bounds(path, coerced, spec)
    if spec.choices is not None and coerced not in spec.choices:
        hint = did_you_mean(str(coerced), spec.choices)
        raise ConfigError.at(path, f"must be one of {', '.join(spec.choices)}, got {_show(value)}{hint}")
    return coerced


def _check_tuple(path: str, value: Any, args: tuple, spec: Any) -> tuple:
    if not isinstance(value, (list, tuple)):
        raise ConfigError.at(path, f"must be a list, got {_show(value)}")
    item_type = args[0]
    if spec.is_range and len(value) != 2:
        raise ConfigError.at(path, f"must be a range [low, high], got {_show(value)}")
    if len(value) > 10_000:
        raise ConfigError.at(path, f"must have at most 10000 items, got {len(value)}")
    items = tuple(check_value(f"{path}[{i}]", v, item_type, spec) for i, v in enumerate(value))
    if spec.is_range and items[0] > items[1]:
        raise ConfigError.at(path, f"must be [low, high] with low <= high, got {_show(list(value))}")
    return items


_TYPE_WORDS = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}


def _coerce_scalar(path: str, value: Any, kind: type) -> Any:
    wrong = ConfigError.at(path, f"must be {_TYPE_WORDS.get(kind, kind.__name__)}, got {_show(value)}")
    if kind is bool:
        if not isinstance(value, bool):
            raise wrong
        return value
    if isinstance(value, bool):
        raise wrong
    if kind is int and isinstance(value, int):
        return value
    if kind is float and isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ConfigError.at(path, f"must be a finite number, got {value}")
        return float(value)
    if kind is str and isinstance(value, str):
        return value
    raise wrong


def _check_bounds(path: str, value: Any, spec: Any) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return
    if spec.minimum is not None:
        if spec.exclusive_minimum and value <= spec.minimum:
            raise ConfigError.at(path, f"must be > {_num(spec.minimum)}, got {value!r}")
        if value < spec.minimum:
            raise ConfigError.at(path, f"must be >= {_num(spec.minimum)}, got {value!r}")
    if spec.maximum is not None and value > spec.maximum:
        raise ConfigError.at(path, f"must be <= {_num(spec.maximum)}, got {value!r}")


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(x)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"' if len(value) < 60 else f'"{value[:57]}..."'
    if isinstance(value, Mapping):
        return "a table"
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def preset_to_dict(preset: Preset) -> dict[str, Any]:
    """Plain data for TOML: tuples become lists, sections become tables."""
    data: dict[str, Any] = {"schema_version": preset.schema_version}
    for name in ("name", "description", "seed"):
        data[name] = getattr(preset, name)
    for section in SECTION_NAMES:
        data[section] = _plain(dataclasses.asdict(getattr(preset, section)))
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
