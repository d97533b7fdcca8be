"""Runs in child processes through the driver: pause, step, stop, SIGKILL then resume, a refusal, two at once.

Each child pays a torch import (a few seconds), so each test starts as few as it can.
"""

from __future__ import annotations

import csv
import json
import signal
import time
from pathlib import Path

from studio.engine.events import FinishReason, RunFinished, StepMetrics
from studio.runs.local import LocalRun
from studio.runs.messages import RunFailed, RunRequest
from studio.runs.process import ChildRun
from tests.engine.helpers import tiny_preset
from tests.runs.faulty_child import command

START_S = 120  # a child's torch import on a loaded 2-core machine


def preset(iterations: int, **training):
    return tiny_preset(training={"iterations": iterations, "eval_every": 10, "checkpoint_every": 5, **training})


def iterations(records) -> list[int]:
    return [r.iteration for r in records if isinstance(r, StepMetrics)]


def wait_for(condition, seconds: float = START_S) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def settled(child: ChildRun, quiet_s: float = 0.6) -> int:
    """Wait until no new iteration has come for ``quiet_s``; the last iteration."""
    last, since = child.last_iteration, time.monotonic()
    while time.monotonic() - since < quiet_s:
        time.sleep(0.05)
        if child.last_iteration != last:
            last, since = child.last_iteration, time.monotonic()
    return last


def rows(run_dir: Path) -> list[dict[str, str]]:
    with (run_dir / "metrics.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_pause_step_resume_and_stop_through_the_driver(tmp_path):
    child = ChildRun(RunRequest(preset(100_000), str(tmp_path / "run"), paused=True, steps=1))
    child.start()
    wait_for(lambda: child.last_iteration == 1)
    assert settled(child) == 1  # Step from the start: exactly one meta-iteration, then it waits
    child.step()
    wait_for(lambda: child.last_iteration == 2)
    assert settled(child) == 2
    child.resume()
    wait_for(lambda: child.last_iteration >= 8)
    child.pause()
    reached = settled(child)
    child.stop()
    ended = child.wait(60)
    assert ended is not None and ended.code == 0 and not ended.died
    records = child.drain()
    assert iterations(records) == list(range(1, reached + 1))
    finished = records[-1]
    assert isinstance(finished, RunFinished) and finished.reason is FinishReason.STOPPED
    assert finished.iteration == reached and finished.final.iteration == reached
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["status"] == "stopped" and len(rows(tmp_path / "run")) == reached


def test_sigkill_reports_the_signal_and_resuming_matches_an_uninterrupted_run(tmp_path):
    whole = LocalRun(RunRequest(preset(30), str(tmp_path / "whole")))
    for _ in whole.records():
        pass
    killed = tmp_path / "killed"
    child = ChildRun(RunRequest(preset(100_000), str(killed)))  # only the budget differs, and is extended below
    child.start()
    wait_for(lambda: child.last_iteration >= 12)
    child.kill()
    ended = child.wait(30)
    assert ended.died and ended.signal == signal.SIGKILL and ended.code is None
    assert ended.last_iteration == iterations(child.drain())[-1] >= 12
    resumed = ChildRun(RunRequest(None, str(killed), resume=True, overrides=("training.iterations=30",)))
    resumed.start()
    ended = resumed.wait(START_S)
    assert ended.code == 0 and ended.finished.reason is FinishReason.COMPLETED
    assert 10 <= resumed.started.start_iteration <= ended.last_iteration - 1
    keep = ("iteration", "meta_loss", "eval_loss_step0", "eval_loss_step2")
    expected = [{k: r[k] for k in keep} for r in rows(tmp_path / "whole")]
    assert [{k: r[k] for k in keep} for r in rows(killed)] == expected


def test_settings_the_engine_refuses_come_back_as_field_errors(tmp_path):
    bad = tiny_preset(training={"init_weights": str(tmp_path / "missing.safetensors")})
    child = ChildRun(RunRequest(bad, str(tmp_path / "run")))
    child.start()
    ended = child.wait(START_S)
    assert ended.code == 2 and ended.failure is not None and not ended.died
    assert isinstance(child.drain()[-1], RunFailed)
    assert [e.path for e in ended.failure.field_errors] == ["training.init_weights"]
    assert ended.failure.details == "" and not (tmp_path / "run").exists()


def test_two_runs_train_at_once_and_both_finish(tmp_path):
    count = 2
    children = [ChildRun(RunRequest(preset(20).replace(seed=k), str(tmp_path / f"seed-{k}"))) for k in range(count)]
    for child in children:
        child.start()
    wait_for(lambda: all(child.last_iteration >= 1 for child in children))
    assert all(child.running for child in children)  # both are training, neither waits for the other
    for child in children:
        ended = child.wait(START_S)
        assert ended.code == 0 and ended.finished.reason is FinishReason.COMPLETED
    assert [len(rows(tmp_path / f"seed-{k}")) for k in range(count)] == [20] * count


def test_a_segfault_in_the_child_is_reported_as_a_death_with_its_signal(tmp_path):
    child = ChildRun(RunRequest(preset(100), str(tmp_path / "run")), command=command("crash", 7))
    child.start()
    ended = child.wait(START_S)
    assert ended.died and ended.signal == signal.SIGSEGV and ended.last_iteration == 7
    assert ended.describe() == "killed by SIGSEGV"
