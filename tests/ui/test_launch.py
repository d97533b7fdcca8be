"""`studio` without a display says so in one line; a bad preset raises ConfigError for the CLI to print."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QApplication

from studio import cli
from studio.config import ConfigError
from studio.ui import launch as launch_module
from studio.ui.launch import has_display, launch
from tests.ui.conftest import PRESET_PATH


@pytest.fixture
def no_display(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)


def test_no_display_is_one_line_pointing_to_studio_run(no_display, capsys):
    assert not has_display()
    assert launch() == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and "studio run" in err
    assert cli.main([]) == 1 and "studio run" in capsys.readouterr().err


def test_a_missing_qt_platform_library_is_one_line_naming_the_package(monkeypatch, capsys):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM")
    monkeypatch.setattr(launch_module, "loadable", lambda library: library != "libxcb-cursor.so.0")
    created = []
    monkeypatch.setattr(launch_module, "run_event_loop", lambda app: created.append(app) or 0)
    assert launch() == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert "libxcb-cursor.so.0" in err and "apt install libxcb-cursor0" in err and "studio run" in err
    assert not created
    monkeypatch.setenv("QT_QPA_PLATFORM", "wayland")  # another platform plugin: X11's libraries do not matter
    assert launch_module.missing_platform_library() == ""


def test_a_bad_preset_raises_config_error(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[training]\niterations = 0\n")
    with pytest.raises(ConfigError, match="training.iterations"):
        launch(bad)
    assert cli.main([str(bad)]) == 2
    assert "training.iterations" in capsys.readouterr().err


def test_launch_opens_the_window_with_the_preset(qtbot, monkeypatch, tmp_path):
    from studio.ui.main_window import MainWindow

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(launch_module, "has_display", lambda: True)
    shown = []

    def event_loop(app):
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        shown.extend(w.windowTitle() for w in windows)
        for w in windows:
            w.close()
        return 0

    monkeypatch.setattr(launch_module, "run_event_loop", event_loop)
    monkeypatch.setattr(launch_module, "_quit_on_ctrl_c", lambda app: None)  # keep pytest's Ctrl+C
    assert launch() == 0
    assert len(shown) == 1 and "MAML, sinusoid 10-shot" in shown[0]
    assert launch(PRESET_PATH) == 0 and "maml-sine.toml" in shown[1]


def test_main_window_is_importable_from_the_package():
    import studio.ui
    from studio.ui.main_window import MainWindow

    assert studio.ui.MainWindow is MainWindow
