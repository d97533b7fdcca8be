"""The window is on screen before torch (or matplotlib, which only exports draw with) is imported, and the engine loads
behind it (issue #11 item 5, #13 item 23).

The first test launches ``studio`` in a fresh interpreter, where torch really is not imported yet; the others
run in this process (torch imported long ago) with an engine loader that waits until the test lets it finish.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox

from studio.ui import engine_loader
from studio.ui.engine_loader import EngineLoader
from studio.ui.panels.preview import LOADING, PreviewPanel
from tests.ui.conftest import SHORT, click, open_window, preset_with

ROOT = Path(__file__).resolve().parents[2]

# `studio` with no arguments, through the CLI, up to the event loop; then, in the loop: what was imported and shown
# at the window's first paint, and what the preview and device picker show once the engine has loaded.
LAUNCH_PROBE = r"""
import json, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from studio import cli
from studio.ui import engine_loader, launch

report = {}

def preview_state(window):
    preview = window.experiment.preview
    return {"note": preview.note.text() if preview.stack.currentWidget() is preview.note else None,
            "curves": len(preview.tasks.curves), "up_to_date": preview.up_to_date}

class FirstPaint(QObject):
    def eventFilter(self, window, event):
        if event.type() == QEvent.Type.Paint:
            window.removeEventFilter(self)
            report["paint"] = {"torch": "torch" in sys.modules, "optuna": "optuna" in sys.modules,
                               "matplotlib": "matplotlib" in sys.modules, **preview_state(window)}
        return False

def run_event_loop(app):
    window = next(w for w in app.topLevelWidgets() if w.objectName() == "studioMainWindow")
    first_paint = FirstPaint()
    window.installEventFilter(first_paint)

    def when_drawn():
        if not window.experiment.preview.up_to_date:
            return QTimer.singleShot(20, when_drawn)
        devices = window.findChild(QObject, "deviceCombo")
        report["loaded"] = {"torch": "torch" in sys.modules, **preview_state(window),
                            "auto": devices.itemText(0)}
        app.quit()

    engine_loader.ENGINE.loaded.connect(when_drawn)
    engine_loader.ENGINE.failed.connect(lambda message: report.update(failed=message) or app.quit())
    QTimer.singleShot(90_000, app.quit)  # a hung load ends the probe (the test then fails on what is missing)
    app.exec()
    print(json.dumps(report))
    return 0

launch.run_event_loop = run_event_loop
sys.exit(cli.main([]))
"""


# quits while torch is being imported on the loading thread
QUIT_PROBE = r"""
import sys
from PySide6.QtCore import QTimer
from studio import cli
from studio.ui import engine_loader, launch

def run_event_loop(app):
    def quit_while_loading():
        if engine_loader.ENGINE.thread is None:
            return QTimer.singleShot(10, quit_while_loading)
        print("loading" if engine_loader.ENGINE.thread.is_alive() else "loaded already")
        app.quit()  # at once: while torch's libraries load

    quit_while_loading()
    return app.exec()

launch.run_event_loop = run_event_loop
sys.exit(cli.main([]))
"""


def launch_probe(probe: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),  # the recent-files list is written under it
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "STUDIO_RUNS_DIR": str(tmp_path / "runs"),
    }
    return subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180
    )


def test_the_window_is_painted_before_torch_is_imported_and_the_preview_draws_once_it_is(tmp_path):
    done = launch_probe(LAUNCH_PROBE, tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["paint"] == {
        "torch": False, "optuna": False, "matplotlib": False, "note": LOADING, "curves": 0, "up_to_date": False
    }  # fmt: skip
    assert report["loaded"]["torch"] and report["loaded"]["note"] is None and report["loaded"]["curves"] == 5
    assert report["loaded"]["auto"].startswith("auto (picks ")


def test_quitting_while_torch_loads_ends_the_process_cleanly(tmp_path):
    """The process waits for the import to finish: torch's static initialisers racing the exit aborted it."""
    done = launch_probe(QUIT_PROBE, tmp_path)
    assert done.stdout.split() == ["loading"] and done.returncode == 0, done.stderr[-2000:]


@pytest.fixture
def held_engine(monkeypatch):
    """The window's engine loader, held loading until the test sets the returned event."""
    release = threading.Event()
    loader = EngineLoader(load=lambda: release.wait(60))
    monkeypatch.setattr(engine_loader, "ENGINE", loader)
    yield loader, release
    release.set()


def device_items(window) -> list[str]:
    combo = window.findChild(QComboBox, "deviceCombo")
    return [combo.itemText(i) for i in range(combo.count())]


def test_the_preview_says_the_engine_is_loading_then_draws(qtbot, tmp_path, held_engine):
    loader, release = held_engine
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    preview: PreviewPanel = window.experiment.preview
    qtbot.waitUntil(lambda: loader.thread is not None)  # started once the window was painted
    qtbot.wait(200)
    assert not loader.ready and preview.stack.currentWidget() is preview.note and preview.note.text() == LOADING
    assert preview.tasks.curves == () and device_items(window)[:2] == ["auto (detecting devices…)", "cpu: CPU"]
    assert not any("GPU" in item for item in device_items(window))  # GPUs are known once torch is
    release.set()
    qtbot.waitUntil(lambda: preview.up_to_date, timeout=20_000)
    assert loader.ready and len(preview.tasks.curves) == 5 and preview.stack.currentWidget() is preview.plot_widget
    assert device_items(window)[0].startswith("auto (picks ")
    assert "detecting" not in " ".join(device_items(window))


def test_a_device_that_is_not_here_is_marked_once_the_engine_has_loaded(qtbot, tmp_path, held_engine):
    _, release = held_engine
    window = open_window(qtbot, tmp_path, preset_with([*SHORT, 'training.device="cuda:7"']))
    assert "training.device" not in {e.path for e in window.experiment.errors}  # the name is well formed
    release.set()
    qtbot.waitUntil(lambda: window.experiment.preview.up_to_date, timeout=20_000)
    assert any(e.path == "training.device" and "cuda" in e.message for e in window.experiment.errors)


def test_start_before_the_engine_has_loaded_trains_in_the_child(qtbot, tmp_path, held_engine):
    loader, _ = held_engine
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    with qtbot.waitSignal(window.runFinished, timeout=120_000) as finished:
        click(qtbot, window, "startButton")
    assert finished.args == ["completed"] and window.data.iteration == 60
    assert not loader.ready  # the window never needed the engine for it


def test_a_failed_load_says_why_in_the_preview(qtbot, tmp_path, monkeypatch):
    def broken() -> None:
        raise ImportError("libtorch_cpu.so: cannot open shared object file")

    monkeypatch.setattr(engine_loader, "ENGINE", EngineLoader(load=broken))
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    preview = window.experiment.preview
    qtbot.waitUntil(lambda: "could not load" in preview.note.text(), timeout=10_000)
    assert "libtorch_cpu.so" in preview.note.text() and preview.stack.currentWidget() is preview.note


def test_a_preview_on_its_own_draws_the_settings_it_was_given_while_loading(qtbot, held_engine):
    loader, release = held_engine
    preview = PreviewPanel()
    qtbot.addWidget(preview)
    preview.show_tasks(preset_with(SHORT).task)
    assert preview.note.text() == LOADING and not preview.up_to_date
    loader.start()
    release.set()
    qtbot.waitUntil(lambda: preview.up_to_date, timeout=20_000)
    assert len(preview.tasks.curves) == 5


def test_a_window_built_before_torch_was_imported_elsewhere_draws_once_it_is(qtbot, tmp_path, monkeypatch):
    """An app that embeds the window imports torch itself between building and showing it: the loader then
    imports nothing, and must still say the engine is there (the preview waited on 'Loading the engine…')."""
    imported = {"torch": False}
    monkeypatch.setattr(engine_loader, "torch_imported", lambda: imported["torch"])
    monkeypatch.setattr(engine_loader, "ENGINE", EngineLoader())
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    preview = window.experiment.preview
    assert preview.note.text() == LOADING
    imported["torch"] = True  # ... by the embedding app, before the first paint
    qtbot.waitUntil(lambda: preview.up_to_date, timeout=20_000)
    assert engine_loader.ENGINE.thread is None and len(preview.tasks.curves) == 5
