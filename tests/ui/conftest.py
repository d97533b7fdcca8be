"""Fixtures for driving the real window offscreen: short presets, a window recording into tmp_path."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
import pytest
import torch
from PySide6.QtCore import QSettings, QStandardPaths, Qt
from PySide6.QtWidgets import QToolButton

from studio.config import Preset, load_preset
from studio.presets import bundled_presets
from studio.ui.close_choice import CloseChoice
from studio.ui.main_window import MainWindow
from studio.ui.menus import RecentFiles

pg.setConfigOption("exitCleanup", False)  # pyqtgraph's atexit cleanup fights pytest-qt's teardown
QStandardPaths.setTestModeEnabled(True)

FAST = ["training.eval_tasks=10", "training.meta_batch_size=5", 'training.device="cpu"']
SHORT = ["training.iterations=60", "training.eval_every=20", *FAST]
LONG = ["training.iterations=100000", "training.eval_every=50", *FAST]  # stopped by the test
PRESET_PATH = bundled_presets()["maml-sine"]


@pytest.fixture(autouse=True)
def one_torch_thread():
    """The tests' networks are tiny: intra-op threads gain nothing, and on a busy 2-core machine
    OpenMP's spin-waiting made a 60-iteration run take 15 s instead of 0.2 s."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def preset_with(overrides: list[str]) -> Preset:
    return load_preset(PRESET_PATH, overrides)


def open_window(qtbot, tmp_path: Path, preset: Preset) -> MainWindow:
    window = MainWindow(preset)
    window.runs_dir = tmp_path / "runs"
    window.ask_close = lambda count: CloseChoice.STOP
    window.presets.recent = RecentFiles(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.fixture
def window(qtbot, tmp_path) -> MainWindow:
    """The window with a 60-iteration preset (evaluations at 20, 40, 60)."""
    return open_window(qtbot, tmp_path, preset_with(SHORT))


@pytest.fixture
def long_window(qtbot, tmp_path) -> MainWindow:
    """The window with a run too long to finish during a test."""
    return open_window(qtbot, tmp_path, preset_with(LONG))


def button(window: MainWindow, name: str) -> QToolButton:
    found = window.findChild(QToolButton, name)
    assert found is not None, name
    return found


def click(qtbot, window: MainWindow, name: str) -> None:
    widget = button(window, name)
    assert widget.isEnabled(), f"{name} is disabled: {widget.toolTip()}"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def run_to_end(qtbot, window: MainWindow, timeout_ms: int = 60_000) -> str:
    """Press Start and wait for the finished signal; its reason."""
    with qtbot.waitSignal(window.runFinished, timeout=timeout_ms) as blocker:
        click(qtbot, window, "startButton")
    return blocker.args[0]


def wait_for_iteration(qtbot, window: MainWindow, iteration: int, timeout_ms: int = 30_000) -> None:
    qtbot.waitUntil(lambda: window.data.iteration >= iteration, timeout=timeout_ms)


def pause_and_settle(qtbot, window: MainWindow) -> int:
    """Pause, wait until the worker is parked and its records are on screen; the iteration reached."""
    click(qtbot, window, "pauseButton")
    assert window.session.wait_parked(30)
    qtbot.waitUntil(lambda: window.data.iteration == window.session.last_iteration, timeout=5000)
    return window.data.iteration
