"""The window around a live run: the status bar after Stop, the run in progress in the Runs panel."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time

from studio.export.run_lock import LOCK_FILE
from studio.ui.run_overlay import run_key
from studio.ui.runs_panel import WATCH_MS, RunsPanel
from tests.engine.helpers import tiny_preset
from tests.library_helpers import make_killed_run, make_run
from tests.ui import runs_fixtures
from tests.ui.conftest import SHORT, click, open_window, preset_with, run_to_end, wait_for_iteration
from tests.ui.test_live_data import BLOBS

pristine, library_window = runs_fixtures.pristine, runs_fixtures.library_window  # fixtures


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


def test_runs_of_another_loss_are_not_drawn_on_the_axis(qtbot, library_window, tmp_path):
    window, library = library_window, library_window.library
    blobs = make_run(tmp_path / "runs" / "blobs", tiny_preset(task=BLOBS, training={"iterations": 4, "eval_every": 2}))
    alpha = tmp_path / "runs" / "alpha"
    qtbot.waitUntil(lambda: len(library.panel.records) == 5, timeout=3 * WATCH_MS)
    library.panel.select([blobs])
    assert library.overlay.curve_of(blobs) is not None and "cross-entropy" in axis_label(window)
    library.panel.select([alpha, blobs])
    drawn = [p for p in (alpha, blobs) if library.overlay.curve_of(p) is not None]
    assert len(drawn) == 1 and library.overlay.problems == [
        f"not drawn on the {window.loss_panel.unit} axis: "
        + ("alpha (MSE)" if drawn == [blobs] else "blobs (cross-entropy)")
    ]
    assert run_to_end(qtbot, window) == "completed"  # a regression run on screen: the axis is MSE
    assert "MSE" in axis_label(window) and library.overlay.curve_of(alpha) is not None
    assert library.overlay.curve_of(blobs) is None


def axis_label(window) -> str:
    return window.loss_panel.plot.getAxis("left").labelText


def test_more_runs_than_colours_are_all_drawn(qtbot, tmp_path):
    overlay_window = open_window(qtbot, tmp_path, preset_with(SHORT))
    overlay_window.library.resume_offer.ask = lambda record: None
    first = make_run(tmp_path / "runs" / "run-0", tiny_preset(training={"iterations": 2, "eval_every": 2}))
    for n in range(1, 12):  # the palette has nine colours
        shutil.copytree(first, tmp_path / "runs" / f"run-{n}")
    library = overlay_window.library
    library.refresh()
    library.panel.select(sorted((tmp_path / "runs").iterdir()))
    assert len(library.overlay.curves) == 12
