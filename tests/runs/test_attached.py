"""A run left running by its window (DETACH) outlives its parent's pipes and is followed from its folder."""

from __future__ import annotations

import json
import os
import signal

import pytest

from studio.engine.events import FinishReason, RunFinished, RunStarted, StepMetrics
from studio.export.library import delete_run, read_run
from studio.runs.attached import AttachedRun, why_not_followable
from studio.runs.journal import EVENTS_FILE
from studio.runs.messages import RunRequest
from studio.runs.process import ChildRun
from studio.views.followed import FollowedRecords
from tests.runs.test_process import preset, wait_for


@pytest.fixture
def left_running(tmp_path):
    """A long run in a child, left running after a few iterations, its parent's pipes closed; killed at the end."""
    run_dir = tmp_path / "run"
    child = ChildRun(RunRequest(preset(100_000), str(run_dir)))
    child.start()
    wait_for(lambda: child.last_iteration >= 3)
    assert why_not_followable(run_dir) is not None  # its window shows it: nothing to follow yet
    child.detach()
    wait_for(lambda: (run_dir / EVENTS_FILE).is_file())
    child.process.stdin.close()  # the window's process has gone: without DETACH this would stop the run
    yield child, run_dir
    if child.process.poll() is None:
        child.process.kill()
    child.process.wait()


def test_a_run_left_running_goes_on_and_is_followed_and_stopped(left_running):
    child, run_dir = left_running
    assert child.process.poll() is None and os.getsid(child.pid) == child.pid  # alive, in a session of its own
    child.process.send_signal(signal.SIGHUP)  # a closing terminal
    assert why_not_followable(run_dir) is None and read_run(run_dir).status == "running"
    followed, joined = AttachedRun(run_dir), FollowedRecords(run_dir)
    followed.start()
    wait_for(lambda: followed.last_iteration >= 8, 40)
    followed.pause()  # through control.jsonl; the run says it waits in events.jsonl
    assert followed.wait_parked(60)
    followed.stop()
    assert followed.wait(60) is not None and not followed.exit.died
    records = joined.add(followed.drain())
    steps = [r.iteration for r in records if isinstance(r, StepMetrics)]
    assert steps == list(range(1, steps[-1] + 1))  # metrics.csv's rows, then the file's: each iteration once
    assert sum(isinstance(r, RunStarted) for r in records) == 1
    assert isinstance(records[-1], RunFinished) and records[-1].reason == FinishReason.STOPPED
    assert json.loads((run_dir / "summary.json").read_text())["status"] == "stopped"
    assert child.process.wait(60) == 0
    delete_run(run_dir)  # the two files of following are a run's own, not strangers that keep it from deletion
    assert not run_dir.exists()
