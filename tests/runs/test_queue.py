"""The run queue: a limit on runs at once, runs started as slots free up, threads split, stop and kill for all.

The first tests use stand-in runs (no processes) for the queue's own rules; the last two start real children,
as few as show the point (each pays a torch import).
"""

from __future__ import annotations

import json

from studio.engine.events import FinishReason, RunFinished
from studio.runs import queue as run_queue
from studio.runs.messages import RunRequest
from studio.runs.process import ChildExit, ChildRun
from studio.runs.queue import RunQueue, default_limit, exited_completed, threads_per_run
from tests.engine.helpers import tiny_preset
from tests.runs.test_process import START_S, preset, rows, wait_for


class StandIn:
    """A run that starts and ends when the test says."""

    def __init__(self, request: RunRequest):
        self.request = request
        self.started = self.stopped = self.killed = False
        self.exit: ChildExit | None = None

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.stopped = True

    def kill(self) -> None:
        self.killed = True

    def drain(self) -> list:
        return []

    def end(self, reason: FinishReason = FinishReason.COMPLETED) -> None:
        self.exit = ChildExit(0, None, 1, RunFinished(1, reason, 0.0, 0.0, None), None)


def requests(count: int, device: str = "cpu") -> list[RunRequest]:
    return [RunRequest(tiny_preset(training={"device": device}).replace(seed=k), None) for k in range(count)]


def test_runs_start_as_slots_free_up_and_never_more_than_the_limit():
    queue = RunQueue(limit=2, threads=3, make_run=StandIn)
    for request in requests(5):
        queue.add(request)
    assert len(queue.poll()) == 2 and queue.poll() == []
    first, second = queue.runs
    second.end()
    (third,) = queue.poll()
    assert [run.request.preset.seed for run in queue.running] == [0, 2]
    assert all(run.request.torch_threads == 3 for run in queue.runs)
    first.end()
    third.end()
    assert len(queue.poll()) == 2 and len(queue.running) == 2 and not queue.waiting
    for run in queue.running:
        run.end()
    assert queue.idle and [run.request.preset.seed for run in queue.runs] == [0, 1, 2, 3, 4]


def test_runs_started_outside_the_queue_take_its_slots():
    outside = [1]
    queue = RunQueue(limit=2, make_run=StandIn, others=lambda: outside[0])
    for request in requests(3):
        queue.add(request)
    assert len(queue.poll()) == 1 and queue.room == 0
    outside[0] = 0
    assert len(queue.poll()) == 1 and len(queue.waiting) == 1


def test_stop_all_drops_the_waiting_and_stops_the_running_and_kill_all_kills():
    queue = RunQueue(limit=2, make_run=StandIn)
    for request in requests(4):
        queue.add(request)
    queue.poll()
    queue.runs[0].end()
    queue.stop_all()
    assert not queue.waiting and queue.poll() == []
    assert [run.stopped for run in queue.runs] == [False, True]  # an ended run is not asked again
    queue.kill_all()
    assert queue.runs[1].killed and not queue.runs[0].killed


def test_a_series_starts_no_more_once_a_run_ends_without_completing_even_when_its_slot_frees_at_that_poll():
    queue = RunQueue(limit=2, make_run=StandIn, completed=exited_completed)
    for request in requests(5):
        queue.add(request)
    first, second = queue.poll()
    first.end()
    (third,) = queue.poll()
    assert queue.ended() == [first] and queue.ended() == []  # each ended run is reported once
    second.end(FinishReason.DIVERGED)
    assert queue.poll() == [] and not queue.waiting and queue.failed  # the slot second left stays empty
    third.end()
    assert queue.idle and queue.ended() == [second, third]


class EndsWhileLookedAt(StandIn):
    """A run whose reader thread sets its exit just after the queue first looks: between two reads of ``exit``."""

    def end_soon(self, reason: FinishReason) -> None:
        self._ending, self._reads = reason, 0

    @property
    def exit(self) -> ChildExit | None:
        if getattr(self, "_ending", None) is None:
            return self._exit
        self._reads += 1
        return None if self._reads == 1 else ChildExit(0, None, 1, RunFinished(1, self._ending, 0.0, 0.0, None), None)

    @exit.setter
    def exit(self, value: ChildExit | None) -> None:
        self._exit = value


def test_a_seed_that_fails_while_the_queue_looks_frees_no_slot_before_its_failure_is_noted():
    queue = RunQueue(limit=1, make_run=EndsWhileLookedAt, completed=exited_completed)
    for request in requests(3):
        queue.add(request)
    (first,) = queue.poll()
    first.end_soon(FinishReason.DIVERGED)
    assert queue.poll() == []  # it ended after the queue looked: its slot is not free yet
    assert queue.poll() == [] and queue.failed and not queue.waiting


def test_a_queue_that_is_no_series_goes_on_after_a_run_that_did_not_complete():
    queue = RunQueue(limit=1, make_run=StandIn)
    for request in requests(2):
        queue.add(request)
    (first,) = queue.poll()
    first.end(FinishReason.ERROR)
    assert len(queue.poll()) == 1 and not queue.failed


def test_runs_spread_over_gpus_the_least_busy_first():
    queue = RunQueue(gpus=["cuda:0", "cuda:1"], make_run=StandIn)
    assert queue.limit == 2  # one run per GPU
    for request in [*requests(2, "auto"), *requests(1, "cuda")]:
        queue.add(request)
    queue.poll()
    assert [run.request.preset.training.device for run in queue.runs] == ["cuda:0", "cuda:1"]
    queue.runs[0].end()
    queue.poll()
    assert queue.runs[2].request.preset.training.device == "cuda:0"


def test_the_default_limit_is_a_run_per_two_cores_with_the_cores_split_between_runs(monkeypatch):
    monkeypatch.setattr(run_queue, "cores", lambda: 16)
    assert default_limit() == 8 and threads_per_run(8) == 2 and threads_per_run(3) == 5
    assert default_limit(["cuda:0"]) == 1
    monkeypatch.setattr(run_queue, "cores", lambda: 1)
    assert default_limit() == 1 and threads_per_run(1) == 1


def test_child_processes_never_exceed_the_limit_and_all_finish_with_their_folders(tmp_path):
    queue = RunQueue(limit=2, threads=1)
    for seed in range(3):
        queue.add(RunRequest(preset(6).replace(seed=seed), str(tmp_path / f"seed-{seed}")))
    alive = []
    assert queue.join(3 * START_S, each=lambda: alive.append(sum(r.process.poll() is None for r in queue.runs)))
    assert max(alive) == 2  # two at once, never three
    assert all(run.request.torch_threads == 1 for run in queue.runs)
    for run in queue.runs:
        assert run.exit.code == 0 and run.exit.finished.reason is FinishReason.COMPLETED
    assert [len(rows(tmp_path / f"seed-{seed}")) for seed in range(3)] == [6, 6, 6]


def test_stop_all_ends_running_children_with_saved_folders_and_starts_no_more(tmp_path):
    queue: RunQueue[ChildRun] = RunQueue(limit=1, threads=1)
    for seed in range(2):
        queue.add(RunRequest(preset(100_000).replace(seed=seed), str(tmp_path / f"seed-{seed}")))
    (child,) = queue.poll()
    wait_for(lambda: child.last_iteration >= 2)
    queue.stop_all()
    assert queue.join(START_S)
    assert len(queue.runs) == 1 and not (tmp_path / "seed-1").exists()
    assert child.exit.code == 0 and child.exit.finished.reason is FinishReason.STOPPED
    summary = json.loads((tmp_path / "seed-0" / "summary.json").read_text())
    assert summary["status"] == "stopped" and len(rows(tmp_path / "seed-0")) == child.exit.last_iteration
