"""Meta-Learning Studio: design task distributions, meta-train, watch it live, export.

The Python API::

    import studio
    preset = studio.load_preset("presets/maml-sine.toml")
    for event in studio.engine.run(preset):
        ...
    model = studio.load_model("runs/first")
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from studio.config import ConfigError, Preset, load_preset, save_preset

if TYPE_CHECKING:
    from studio import engine
    from studio.export import load_model

try:
    __version__ = version("meta-learning-studio")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"

__all__ = ["ConfigError", "Preset", "__version__", "engine", "load_model", "load_preset", "save_preset"]

# Names that import torch, resolved on first use so that `studio --help` or `studio presets` never pay for it.
_LAZY = {"engine": ("studio.engine", None), "load_model": ("studio.export", "load_model")}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'studio' has no attribute '{name}'")
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
