"""The preset file behind the settings: opening one, saving them as one, the recent files, the window's title."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from studio.config import ConfigError, load_preset, save_preset
from studio.runs.folders import run_stem
from studio.ui.experiment import ExperimentPanel
from studio.ui.menus import RecentFiles
from studio.ui.window_parts import Messages


class PresetFiles:
    """``path``: the preset file the settings were last opened from or saved to (``None``: none, or a bundled one
    named on the command line); ``recent``: the files the File menu offers again."""

    def __init__(self, experiment: ExperimentPanel, messages: Messages, set_title: Callable[[str], None]):
        self.experiment = experiment
        self.messages = messages
        self.set_title = set_title
        self.path: Path | None = None
        self.recent = RecentFiles()

    def open(self, path: Path) -> bool:
        """Load a preset file into the forms (a run on screen stays; unsaved edits only if the user agrees)."""
        if self.experiment.dirty and not self.confirm_discard():
            return False
        try:
            preset = load_preset(path)
        except ConfigError as error:
            self.messages.error("Cannot open preset", str(error))
            return False
        self.experiment.load(preset)
        self._named(Path(path))
        return True

    def save_as(self, path: Path) -> bool:
        """Write the current settings as a TOML preset that ``studio run`` reads back."""
        preset = self.experiment.valid_preset
        if preset is None:
            self.messages.error("Cannot save preset", f"Fix the settings first:\n{self.experiment.problem_text}")
            return False
        try:
            save_preset(preset, path)
        except (OSError, ConfigError) as error:
            self.messages.error("Cannot save preset", f"{path}: {error}")
            return False
        self.experiment.mark_saved()
        self._named(Path(path))
        return True

    def update_title(self) -> None:
        where = f" ({self.path.name})" if self.path else ""
        self.set_title(f"Meta-Learning Studio: {self.experiment.data.get('name', '')}{where}")

    def run_stem(self) -> str:
        """A file-name-friendly name for the experiment: the preset file's stem, else its name."""
        name = str(self.experiment.data.get("name") or "")
        return run_stem(self.path if not self.experiment.renamed else None, name)

    def confirm_discard(self) -> bool:
        """Ask before a preset replaces edited settings (tests replace this)."""
        answer = QMessageBox.question(
            self.messages.parent,
            "Unsaved settings",
            "Discard the settings edited since the preset was loaded or saved?",
        )
        return answer == QMessageBox.StandardButton.Yes

    def _named(self, path: Path) -> None:
        self.path = path
        self.recent.add(path)
        self.update_title()
