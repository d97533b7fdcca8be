"""Runs train in their own process: the window supervises them and outlives them."""

from __future__ import annotations

import csv
import os
import signal
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from studio.runs.local import LocalRun
from studio.runs.messages import RunRequest
from studio.ui.toolbar import FINISHED, RUNNING
from tests.ui.conftest import FAST, click, open_window, pause_and_settle, preset_with, wait_for_iteration

CLOCK = ("elapsed_s", "tasks_per_s")
KILLABLE = ["training.iterations=300", "training.eval_every=50", "training.checkpoint_every=5", *FAST]


def rows(run_dir: Path) -> list[dict[str, str]]:
    """``metrics.csv`` without the columns that time the run."""
    with (run_dir / "metrics.csv").open(encoding="utf-8") as handle:
        return [{k: v for k, v in row.items() if k not in CLOCK} for row in csv.DictReader(handle)]


def command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_sigkill_of_the_run_leaves_the_window_up_and_continue_finishes_it_as_if_never_killed(qtbot, tmp_path):
    preset = preset_with(KILLABLE)
    whole = LocalRun(RunRequest(preset, str(tmp_path / "whole")))
    for _ in whole.records():
        pass
    window = open_window(qtbot, tmp_path, preset)
    window.library.offer_resume_at_start = False
    click(qtbot, window, "startButton")
    session = window.session
    wait_for_iteration(qtbot, window, 12)
    # asked once it trains: right after the spawn, /proc/PID/cmdline can read back empty (not yet exec'd)
    assert session.child.pid != os.getpid() and "studio.runs.child" in command_line(session.child.pid)
    reached = pause_and_settle(qtbot, window)
    with qtbot.waitSignal(window.runFinished, timeout=30_000) as ended:
        os.kill(session.child.pid, signal.SIGKILL)
    assert ended.args == ["died"] and window.state == FINISHED
    assert window.status.state.text() == f"Died at iteration {reached} (killed by SIGKILL)"
    assert session.exit.signal == signal.SIGKILL and session.exit.died
    click(qtbot, window, "resetButton")  # the window still answers
    offer = window.findChild(QMessageBox, "resumeOffer")
    assert offer is not None and offer.isVisible() and "Died at iteration" in offer.text()
    with qtbot.waitSignal(window.runStarted, timeout=5_000):
        assert window.library.resume_offer.accept()
    assert window.state == RUNNING and window.session.run_dir == session.run_dir
    with qtbot.waitSignal(window.runFinished, timeout=120_000) as finished:
        pass
    assert finished.args == ["completed"]
    assert len(rows(session.run_dir)) == 300 and rows(session.run_dir) == rows(tmp_path / "whole")  # row for row
