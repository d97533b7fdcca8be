"""The File menu: open and save presets, open a run folder, the bundled presets, recent files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu

from studio.presets import bundled_presets, describe

RECENT_KEY = "recentPresets"
MAX_RECENT = 8
TOML_FILTER = "Presets (*.toml);;All files (*)"


class RecentFiles:
    """Preset files opened or saved lately, newest first, kept in the user's Qt settings."""

    def __init__(self, settings: QSettings | None = None):
        self.settings = settings or QSettings("meta-learning-studio", "studio")

    def paths(self) -> list[Path]:
        stored = self.settings.value(RECENT_KEY, []) or []
        stored = [stored] if isinstance(stored, str) else list(stored)
        return [Path(p) for p in stored if Path(p).is_file()]

    def add(self, path: Path) -> None:
        path = Path(path).resolve()
        kept = [str(path)] + [str(p) for p in self.paths() if p.resolve() != path]
        self.settings.setValue(RECENT_KEY, kept[:MAX_RECENT])


def build_file_menu(
    window: QMainWindow,
    open_preset: Callable[[Path], None],
    save_as: Callable[[Path], None],
    recent_files: Callable[[], RecentFiles],
    open_run: Callable[[], None] | None = None,
) -> QMenu:
    """File: Open, Save as, Open run folder (``open_run`` asks for one), bundled presets, recent files, Quit.
    ``recent_files`` is read when the menu opens (tests give the window another store after building it)."""
    menu = window.menuBar().addMenu("&File")
    menu.addAction("&Open preset…", QKeySequence.StandardKey.Open, lambda: _ask_open(window, open_preset))
    menu.addAction("Save preset &as…", QKeySequence.StandardKey.SaveAs, lambda: _ask_save(window, save_as))
    if open_run is not None:
        action = menu.addAction("Open &run folder…", QKeySequence("Ctrl+Shift+O"), open_run)
        action.setToolTip("Show a run folder's curves, restore its settings, continue it if it did not finish")
    bundled = menu.addMenu("&Bundled presets")
    for name, path in bundled_presets().items():
        action = bundled.addAction(f"{name}: {describe(path)}")
        action.triggered.connect(lambda _=False, p=path: open_preset(p))
    recent = menu.addMenu("&Recent files")
    recent.setObjectName("recentMenu")
    recent.aboutToShow.connect(lambda: _fill_recent(recent, recent_files(), open_preset))
    menu.addSeparator()
    menu.addAction("&Quit", QKeySequence.StandardKey.Quit, window.close)
    return menu


def _fill_recent(menu: QMenu, recent: RecentFiles, open_preset: Callable[[Path], None]) -> None:
    menu.clear()
    for path in recent.paths():
        action = menu.addAction(str(path))
        action.triggered.connect(lambda _=False, p=path: open_preset(p))
    if menu.isEmpty():
        menu.addAction("(none yet)").setEnabled(False)


def _ask_open(window: QMainWindow, open_preset: Callable[[Path], None]) -> None:
    path, _ = QFileDialog.getOpenFileName(window, "Open preset", "", TOML_FILTER)
    if path:
        open_preset(Path(path))


def _ask_save(window: QMainWindow, save_as: Callable[[Path], None]) -> None:
    path, _ = QFileDialog.getSaveFileName(window, "Save preset as", "experiment.toml", TOML_FILTER)
    if path:
        save_as(Path(path) if Path(path).suffix else Path(path).with_suffix(".toml"))
