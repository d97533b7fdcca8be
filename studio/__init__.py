"""Meta-Learning Studio: design task distributions, meta-train, watch it live, export.

The Python API::

    import studio
    preset = studio.load_preset("presets/maml-sine.toml")
    for event in studio.engine.run(preset):
        ...
    model = studio.load_model("runs/first")
"""

from importlib.metadata import PackageNotFoundError, version

from studio import engine
from studio.config import ConfigError, Preset, load_preset, save_preset
from studio.export import load_model

try:
    __version__ = version("meta-learning-studio")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"

__all__ = ["ConfigError", "Preset", "__version__", "engine", "load_model", "load_preset", "save_preset"]
