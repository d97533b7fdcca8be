"""The presets that ship with the studio."""

from __future__ import annotations

from pathlib import Path

from studio.config import ConfigError, read_toml

_HERE = Path(__file__).resolve().parent


def presets_dir() -> Path:
    """``studio/presets`` in an installed wheel, ``presets/`` in a source checkout."""
    for candidate in (_HERE / "presets", _HERE.parent / "presets"):
        if candidate.is_dir():
            return candidate
    return _HERE.parent / "presets"


def bundled_presets() -> dict[str, Path]:
    """Preset name (file stem) to path, sorted by name."""
    folder = presets_dir()
    return {p.stem: p for p in sorted(folder.glob("*.toml"))} if folder.is_dir() else {}


def resolve_preset_path(text: str) -> Path:
    """A path as given, or the name of a bundled preset (``maml-sine``)."""
    path = Path(text)
    if path.exists() or path.suffix == ".toml" or "/" in text:
        return path
    bundled = bundled_presets()
    if text in bundled:
        return bundled[text]
    raise ConfigError(f"{text}: no such file, and not a bundled preset ({', '.join(bundled) or 'none found'})")


def describe(path: Path) -> str:
    """A preset's one-line title (its ``name``)."""
    try:
        data = read_toml(path)
    except ConfigError:
        return "(unreadable)"
    text = str(data.get("name") or data.get("description") or "").strip()
    return text.splitlines()[0] if text else ""


DEFAULT_PRESET = "maml-sine"
