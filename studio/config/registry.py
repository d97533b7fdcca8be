"""Named choices for a preset section (task families, models, algorithms).

Each choice is a frozen dataclass in its own module of a package; the
registry imports the package's modules on first use, so adding a family or an
algorithm is adding a file, not editing a list.

Other packages extend the studio through the entry-point group
:data:`PLUGIN_GROUP`: each entry point names a module that, when imported,
registers its settings class here and its implementation in
``studio.engine.registry`` (see the README's "Adding a task family").
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import sys
import warnings
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points

from studio.config.errors import ConfigError, did_you_mean


class Registry:
    """Maps a name such as ``"maml"`` to the dataclass holding its settings."""

    def __init__(self, section: str, key: str, package: str):
        self.section = section  # "task"
        self.key = key  # the discriminating field, e.g. "family"
        self.package = package
        self._classes: dict[str, type] = {}
        self._loaded = False

    def register(self, name: str) -> Callable[[type], type]:
        def decorate(cls: type) -> type:
            self._classes[name] = cls
            return cls

        return decorate

    def names(self) -> list[str]:
        self._load()
        return sorted(self._classes)

    def label(self, name: str) -> str:
        """What a user reads for ``name``: its settings class's ``label``, else the name itself."""
        self._load()
        return getattr(self._classes.get(name), "label", "") or name

    def get(self, name: object) -> type:
        self._load()
        if not isinstance(name, str) or name not in self._classes:
            hint = did_you_mean(str(name), self._classes)
            known = ", ".join(self.names())
            raise ConfigError.at(f"{self.section}.{self.key}", f"is '{name}', which is not one of: {known}{hint}")
        return self._classes[name]

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        package = importlib.import_module(self.package)
        for module in pkgutil.iter_modules(package.__path__):
            if not module.name.startswith("_"):
                importlib.import_module(f"{self.package}.{module.name}")
        load_plugins()


PLUGIN_GROUP = "meta_learning_studio.plugins"
_plugins_loaded: set[str] = set()


def load_plugins() -> None:
    """Import every module registered under :data:`PLUGIN_GROUP` (once); a broken one only warns."""
    for entry in _plugin_entries(tuple(sys.path)):
        if entry.value in _plugins_loaded:
            continue
        _plugins_loaded.add(entry.value)
        try:
            entry.load()
        except Exception as error:  # a third party's bug must not stop the studio
            warnings.warn(f"plugin '{entry.name}' ({entry.value}) failed to load: {error}", stacklevel=2)


@functools.cache
def _plugin_entries(path: tuple[str, ...]) -> tuple[EntryPoint, ...]:
    """The plugins installed on the import ``path``, read once: each reading opens every installed package's
    metadata (~6 ms), and each of the six registries asks on first use, three of them before the window opens."""
    return tuple(entry_points(group=PLUGIN_GROUP))


TASKS = Registry("task", "family", "studio.config.tasks")
MODELS = Registry("model", "kind", "studio.config.models")
ALGORITHMS = Registry("algorithm", "name", "studio.config.algorithms")
SECTIONS = {"task": TASKS, "model": MODELS, "algorithm": ALGORITHMS}
