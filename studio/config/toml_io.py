"""Reading and writing presets as TOML files, and ``--set`` overrides."""

from __future__ import annotations

import copy
import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from studio.config.errors import ConfigError, did_you_mean
from studio.config.fields import public_fields, spec_of
from studio.config.files import atomic_write_text
from studio.config.parse import preset_from_dict, preset_to_dict, section_class
from studio.config.preset import SCALAR_NAMES, SECTION_NAMES, Preset
from studio.config.registry import SECTIONS

MAX_PRESET_BYTES = 1_000_000


def read_toml(path: str | os.PathLike) -> dict[str, Any]:
    """Parse a TOML file; errors name the file, and the line and column where known."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no such file")
    if path.is_dir():
        raise ConfigError(f"{path}: is a folder, expected a .toml preset file")
    if path.stat().st_size > MAX_PRESET_BYTES:
        raise ConfigError(f"{path}: is {path.stat().st_size} bytes; a preset is at most {MAX_PRESET_BYTES}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read as UTF-8 text ({error})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: malformed TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: malformed TOML: nested too deeply") from None


def load_preset(path: str | os.PathLike, overrides: Iterable[str] = ()) -> Preset:
    """Load, override (``section.key=value`` strings) and validate a preset file."""
    data = resolve_relative_paths(read_toml(path), Path(path).resolve().parent)
    try:
        return preset_from_dict(apply_overrides(data, overrides))
    except ConfigError as error:
        raise error from None


def resolve_relative_paths(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """Make the preset's relative file paths (fields marked ``is_path``) relative to ``base``."""
    for section in SECTION_NAMES:
        table = data.get(section)
        if not isinstance(table, dict):
            continue
        try:
            fields = public_fields(section_class(section, table))
        except ConfigError:
            continue  # reported when the preset is validated
        for field in fields:
            value = table.get(field.name)
            if spec_of(field).is_path and isinstance(value, str) and value and not Path(value).is_absolute():
                table[field.name] = str(base / value)
    return data


def preset_to_toml(preset: Preset) -> str:
    """The preset as TOML: top-level values first, then one table per section."""
    data = preset_to_dict(preset)
    lines = [f"{k} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for section, table in data.items():
        if isinstance(table, dict):
            lines += ["", f"[{section}]"] + [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        # JSON's escapes are valid TOML; JSON leaves DEL (U+007F) bare, which TOML forbids
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def save_preset(preset: Preset, path: str | os.PathLike) -> None:
    """Write a fully resolved preset that ``load_preset`` reads back unchanged."""
    atomic_write_text(path, preset_to_toml(preset))


def apply_overrides(data: Mapping[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """Return a copy of ``data`` with each ``"section.key=value"`` applied in order."""
    result = copy.deepcopy(dict(data))
    for text in overrides:
        path, value = _split_override(text)
        set_value(result, path, value)
    return result


def set_value(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` (``seed`` or ``section.key``) in plain preset data, checking the key exists."""
    section, _, key = path.partition(".")
    if not key:
        if section not in SCALAR_NAMES:
            raise ConfigError.at(path, f"is not a known setting{did_you_mean(path, setting_paths(data))}")
        data[section] = value
        return
    if section not in SECTION_NAMES:
        raise ConfigError.at(path, f"is not a known setting{did_you_mean(path, setting_paths(data))}")
    table = data.setdefault(section, {})
    if not isinstance(table, dict):
        raise ConfigError.at(section, "must be a table")
    if section in SECTIONS and key == SECTIONS[section].key and table.get(key) != value:
        _switch_choice(section, table, value)
    names = [f.name for f in public_fields(section_class(section, table))]
    if key not in names:
        raise ConfigError.at(path, f"is not a known setting{did_you_mean(path, setting_paths(data))}")
    table[key] = value


def _switch_choice(section: str, table: dict[str, Any], choice: Any) -> None:
    """Choosing another family/kind/algorithm drops settings the new one does not have."""
    new_names = {f.name for f in public_fields(SECTIONS[section].get(choice))}
    for key in list(table):
        if key not in new_names:
            del table[key]


def setting_paths(data: Mapping[str, Any]) -> list[str]:
    """Every dotted setting path of the preset ``data`` as it stands (its chosen family, kind and algorithm)."""
    paths = list(SCALAR_NAMES)
    for section in SECTION_NAMES:
        table = data.get(section, {})
        try:
            cls = section_class(section, table if isinstance(table, Mapping) else {})
        except ConfigError:
            continue
        paths += [f"{section}.{f.name}" for f in public_fields(cls)]
    return paths


_OVERRIDE = re.compile(r"^\s*([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)?)\s*=(.*)$", re.S)


def _split_override(text: str) -> tuple[str, Any]:
    match = _OVERRIDE.match(text)
    if not match:
        raise ConfigError(f"--set {text!r}: expected KEY=VALUE, for example task.shots=5")
    return match.group(1), parse_value(match.group(2).strip())


def parse_value(text: str) -> Any:
    """A TOML value (``5``, ``0.1``, ``[1, 2]``, ``true``, ``"x"``), else the bare text as a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        return text
