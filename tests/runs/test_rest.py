"""The seeds a closing window leaves waiting: a process of their own starts them when the seeds left running have
ended, and leaves each running in its folder (followable), as the window would have."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

from studio.export import prepare_run_dir
from studio.runs.attached import why_not_followable
from studio.runs.messages import RunRequest
from studio.runs.rest import REST_FILE, leave_rest_running, read_rest, rest_queue, train_rest
from tests.runs.test_process import START_S, preset, wait_for


def requests(group, seeds) -> list[RunRequest]:
    return [RunRequest(preset(20).replace(seed=s), str(prepare_run_dir(group / f"seed-{s}"))) for s in seeds]


def summary(folder) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def test_waiting_seeds_start_only_when_a_slot_frees_and_each_is_left_running_to_the_end(tmp_path):
    group = tmp_path / "series"
    waiting = requests(group, [3, 4])
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])  # a seed left running
    queue = rest_queue(1, [sleeper.pid], waiting)
    try:
        assert queue.poll() == [] and queue.runs == []  # the one slot is taken: nothing starts
    finally:
        sleeper.kill()
        sleeper.wait()
    result = {}
    worker = threading.Thread(target=lambda: result.update(code=train_rest(queue)))
    worker.start()
    worker.join(2 * START_S)
    assert result == {"code": 0}
    for seed in (3, 4):
        folder = group / f"seed-{seed}"
        assert summary(folder)["status"] == "completed" and summary(folder)["seed"] == seed
        assert (folder / "events.jsonl").is_file()  # it was left running: its records went to its folder
        assert why_not_followable(folder) is not None  # and it has ended


def test_the_window_hands_its_waiting_seeds_to_a_process_that_outlives_it(tmp_path):
    group = tmp_path / "series"
    waiting = requests(group, [0])
    process = leave_rest_running(group, waiting, [], limit=1)
    assert read_rest(group / REST_FILE) == ({"limit": 1, "running": [], "gpus": []}, waiting)
    assert process.wait(2 * START_S) == 0
    assert summary(group / "seed-0")["status"] == "completed"
    wait_for(lambda: not (group / REST_FILE).exists(), 10)  # nothing waits any more
