"""The window around a live run: the status bar after Stop, the run in progress in the Runs panel."""

from __future__ import annotations

import json
import socket
import subprocess
import time

from studio.export.run_lock import LOCK_FILE
from studio.ui.run_overlay import run_key
from studio.ui.runs_panel import WATCH_MS, RunsPanel
from tests.library_helpers import make_killed_run
from tests.ui.conftest import click, wait_for_iteration


def status_texts(window) -> str:
    status = window.status
    return " | ".join(label.text() for label in (status.state, status.iteration, status.time))


def test_a_stopped_run_says_stopped_and_has_no_eta(qtbot, long_window):
    window = long_window
    click(qtbot, window, "startButton")
    wait_for_iteration(qtbot, window, 5)
    qtbot.waitUntil(lambda: "ETA" in window.status.time.text(), timeout=5_000)
    with qtbot.waitSignal(window.runFinished, timeout=10_000):
        click(qtbot, window, "stopButton")
    text = status_texts(window)
    assert "Stopped" in text and "ETA" not in text, text
    window.experiment.set_value("task.shots", 4)  # an edit re-applies the window's state
    text = status_texts(window)
    assert "Stopped" in text and "finished" not in text, text


def test_the_run_in_progress_is_listed_in_the_runs_panel(qtbot, long_window):
    window = long_window
    click(qtbot, window, "startButton")
    wait_for_iteration(qtbot, window, 3)
    live = run_key(window.session.run_dir)
    panel = window.library.panel
    qtbot.waitUntil(lambda: live in {run_key(r.path) for r in panel.records}, timeout=5_000)
    assert next(r for r in panel.records if run_key(r.path) == live).status == "running"
    with qtbot.waitSignal(window.runFinished, timeout=10_000):
        click(qtbot, window, "stopButton")
    assert next(r for r in panel.records if run_key(r.path) == live).status == "stopped"


def test_the_runs_panel_sees_a_run_die_without_a_refresh(qtbot, tmp_path):
    run_dir = make_killed_run(tmp_path / "runs" / "victim", 7, age=None)  # fresh files, as if training
    process = subprocess.Popen(["sleep", "60"])
    lock = {"pid": process.pid, "host": socket.gethostname(), "started": time.time()}
    (run_dir / LOCK_FILE).write_text(json.dumps(lock))
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.refresh(tmp_path / "runs")
    assert [r.status for r in panel.records] == ["running"]
    process.kill()
    process.wait()
    qtbot.waitUntil(lambda: [r.status for r in panel.records] == ["resumable"], timeout=3 * WATCH_MS)
    panel.select([run_dir])
    assert panel.continue_button.isEnabled()
