"""``run.lock``: a run whose process was killed (SIGKILL: no summary, fresh files) is not taken for a running one,
by the library, ``studio runs`` and the window alike."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from studio.cli import main
from studio.export.library import read_run
from studio.export.run_lock import LOCK_FILE, Liveness, liveness, process_alive, read_lock, write_lock
from tests.library_helpers import make_run, write_dead_lock

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pids are checked with POSIX signals")
LONG_RUN = ["--iterations", "100000", "--set", "training.checkpoint_every=2", "--set", "training.eval_every=1000"]
LONG_RUN += ["--set", "training.eval_tasks=5", "--set", "model.hidden=[8]", "--device", "cpu", "--quiet"]


def test_liveness_of_each_kind_of_lock(tmp_path):
    assert liveness(tmp_path) == Liveness.NONE
    write_lock(tmp_path)
    assert read_lock(tmp_path).pid == os.getpid() and liveness(tmp_path) == Liveness.ALIVE
    write_dead_lock(tmp_path)
    assert liveness(tmp_path) == Liveness.DEAD
    lock = json.loads((tmp_path / LOCK_FILE).read_text())
    (tmp_path / LOCK_FILE).write_text(json.dumps({**lock, "host": socket.gethostname() + "-elsewhere"}))
    assert liveness(tmp_path) == Liveness.UNKNOWN
    (tmp_path / LOCK_FILE).write_text("{half a lo")
    assert liveness(tmp_path) == Liveness.NONE


def test_a_killed_process_not_yet_reaped_is_dead():
    child = subprocess.Popen(["sleep", "30"])
    assert process_alive(child.pid)
    child.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 5
    while process_alive(child.pid) and time.monotonic() < deadline:  # a zombie until waited for
        time.sleep(0.02)
    assert process_alive(child.pid) is False
    child.wait()
    assert process_alive(0) is False


def test_a_finished_run_leaves_no_lock(tmp_path):
    make_run(tmp_path / "done")
    assert not (tmp_path / "done" / LOCK_FILE).exists()


def test_a_run_killed_with_sigkill_is_resumable_at_once(tmp_path, capsys):
    run_dir = tmp_path / "runs" / "killed"
    command = [sys.executable, "-m", "studio", "run", "maml-sine", "--out", str(run_dir), *LONG_RUN]
    child = subprocess.Popen(command, env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        deadline = time.monotonic() + 120
        while not list(run_dir.glob("checkpoint-*.safetensors")) and time.monotonic() < deadline:
            assert child.poll() is None, "the run ended by itself"
            time.sleep(0.1)
        assert read_run(run_dir).status == "running"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    record = read_run(run_dir)  # metrics.csv was written a moment ago: only the lock tells
    assert (record.status, record.resumable) == ("resumable", True)
    assert "process is gone" in record.message
    assert main(["runs", "--dir", str(tmp_path / "runs"), "--json"]) == 0
    assert [r["status"] for r in json.loads(capsys.readouterr().out)] == ["resumable"]
