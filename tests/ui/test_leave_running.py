"""Closing the window with "Leave running": the run's process trains on, and a new window follows and stops it."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from studio.config import load_preset
from studio.engine.events import StepMetrics
from studio.export.library import read_run
from studio.runs.attached import why_not_followable
from studio.runs.journal import CONTROL_FILE, append_line
from studio.runs.messages import Control, ControlAction, Parked
from studio.runs.process import ChildRun
from studio.runs.rest import REST_FILE
from studio.runs.wire import encode
from studio.ui.close_choice import CloseChoice
from studio.ui.runs_panel import RunsPanel
from studio.ui.toolbar import PAUSED, RUNNING
from studio.ui.worker import RunSession
from tests.library_helpers import make_killed_run, quick_preset
from tests.ui.conftest import FAST, LONG, SHORT, button, click, open_window, preset_with, wait_for_iteration


@contextlib.contextmanager
def left_running(qtbot, tmp_path) -> Iterator[tuple[ChildRun, Path]]:
    """A long run started in a window that then closed leaving it running: its child and folder (killed after)."""
    window = open_window(qtbot, tmp_path, preset_with(LONG))
    window.ask_close = lambda count: CloseChoice.LEAVE_RUNNING
    click(qtbot, window, "startButton")
    wait_for_iteration(qtbot, window, 5)
    child, run_dir = window.session.child, window.session.run_dir
    try:
        window.close()
        assert not window.isVisible() and child.process.poll() is None
        yield child, run_dir
    finally:
        if child.process.poll() is None:
            child.process.kill()
            child.process.wait()


def test_a_run_left_running_is_followed_by_a_new_window_and_stopped_there(qtbot, tmp_path):
    with left_running(qtbot, tmp_path) as (child, run_dir):
        left_at = child.last_iteration
        assert read_run(run_dir).status == "running"  # what `studio runs` and the runs panel show
        later = open_window(qtbot, tmp_path, preset_with(SHORT))  # follows the newest run left running
        qtbot.waitUntil(lambda: later.data.iteration > left_at + 5, timeout=60_000)
        assert later.state == RUNNING and later.session.run_dir == run_dir and later.data.started is not None
        with qtbot.waitSignal(later.runFinished, timeout=60_000) as ended:
            click(qtbot, later, "stopButton")
        assert ended.args[0] == "stopped"
        steps = later.data.steps.column(0)
        np.testing.assert_array_equal(steps, np.arange(1, len(steps) + 1))  # each iteration once, from the first
        assert json.loads((run_dir / "summary.json").read_text())["status"] == "stopped"
        assert child.process.wait(60) == 0


def test_a_run_paused_by_a_window_now_gone_is_followed_as_paused_and_resumes_from_here(qtbot, tmp_path):
    with left_running(qtbot, tmp_path) as (_, run_dir):
        # a window that followed it paused it, then went away without a word (it crashed)
        append_line(run_dir / CONTROL_FILE, encode(Control(ControlAction.PAUSE)))
        later = open_window(qtbot, tmp_path, preset_with(SHORT))
        qtbot.waitUntil(lambda: later.state == PAUSED, timeout=60_000)
        assert later.session.run_dir == run_dir and button(later, "pauseButton").text() == "Resume"
        held = later.data.iteration
        click(qtbot, later, "pauseButton")  # Resume
        qtbot.waitUntil(lambda: later.data.iteration > held + 5, timeout=60_000)
        assert later.state == RUNNING
        with qtbot.waitSignal(later.runFinished, timeout=60_000):
            click(qtbot, later, "stopButton")


class Sent:
    """A followed run's process as its session sees it: the records it sent since the last look, still running."""

    exit = None

    def __init__(self):
        self.records: list = []

    def drain(self) -> list:
        records, self.records = self.records, []
        return records


class AsSent:
    """A followed run's records, shown as they come (its earlier metrics joined already)."""

    def add(self, records: list) -> list:
        return records


def test_a_followed_run_is_paused_once_its_last_progress_record_says_it_waits(qtbot, tmp_path):
    sent = Sent()
    session = RunSession(quick_preset(), tmp_path, child=sent)
    session.followed = AsSent()
    sent.records = [StepMetrics(4, 0.5, 10.0, 1.0), Parked(4), StepMetrics(5, 0.5, 10.0, 1.0)]
    session.drain()
    assert not session.paused  # it parked, then went on
    sent.records = [StepMetrics(6, 0.5, 10.0, 1.0), Parked(6)]
    session.drain()
    assert session.paused


def test_follow_is_offered_for_a_running_run_not_on_screen(qtbot, tmp_path):
    running = make_killed_run(tmp_path / "runs" / "elsewhere", 3, age=None)  # its lock names a live process
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.refresh(tmp_path / "runs")
    panel.select([running])
    assert panel.follow_button.isEnabled()
    with qtbot.waitSignal(panel.followRun) as asked:
        panel.follow_button.click()
    assert asked.args[0].path == running
    panel.refresh(active=[running])  # the run this window trains is on screen already
    panel.select([running])
    assert not panel.follow_button.isEnabled()
    assert "not left running" in why_not_followable(running)  # no events.jsonl: its own window shows it


def test_a_seed_series_left_running_trains_every_seed_the_waiting_ones_in_a_process_of_their_own(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(["training.iterations=100", "training.eval_every=50", *FAST]))
    window.ask_close = lambda count: CloseChoice.LEAVE_RUNNING
    window.slots.limit = 1  # seeds 1 and 2 wait while seed 0 trains
    window.seeds.spin.setValue(3)
    click(qtbot, window, "startButton")
    wait_for_iteration(qtbot, window, 5)
    folders = list(window.seeds.folders)
    child = window.session.child
    window.close()
    assert child.process.poll() is None and (folders[0].parent / REST_FILE).is_file()
    qtbot.waitUntil(lambda: all((f / "summary.json").is_file() for f in folders), timeout=240_000)
    assert [json.loads((f / "summary.json").read_text())["status"] for f in folders] == ["completed"] * 3
    assert [load_preset(f / "preset.toml").seed for f in folders] == [0, 1, 2]
    qtbot.waitUntil(lambda: not (folders[0].parent / REST_FILE).exists(), timeout=30_000)
