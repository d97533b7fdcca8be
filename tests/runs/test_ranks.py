"""How a run of several processes ends, as its driver tells it (no launch: torchrun's report is given)."""

from __future__ import annotations

import pytest

from studio.config import FieldError
from studio.runs.messages import RunFailed, RunRequest
from studio.runs.ranks import RankedRun, rank_threads
from tests.runs.test_process import preset


def torchrun_report(*failures: tuple[int, int]) -> str:
    """torchrun's failure report for ``(rank, exit code)`` pairs, the cause last (as torchrun prints it)."""
    entries = [
        f"  rank      : {rank} (local_rank: {rank})\n  exitcode  : {code} (pid: {100 + rank})"
        for rank, code in failures
    ]
    return "ChildFailedError:\nFailures:\n" + "\n".join(f"[{i}]:\n{entry}" for i, entry in enumerate(entries)) + "\n"


REPORT = torchrun_report((0, 3), (1, -9))  # rank 1 was killed; rank 0 stopped for the lost peer (exit 3)


def ended(code: int, log: str = "", failure: RunFailed | None = None):
    run = RankedRun(RunRequest(preset(10), None), 2)
    run.log, run._failure = log, failure
    return run._exit_of(code)


def test_the_message_names_the_rank_that_failed_then_says_what_rank_0_saw():
    lost = RunFailed("rank 0 lost contact with another process of the run; stopped at iteration 7")
    failed = ended(1, REPORT, lost).failure
    assert failed.message == f"process rank 1 of 2 was killed by signal 9; {lost.message}"
    assert "rank      : 1" in failed.details  # torchrun's report, for a bug report


def test_refused_settings_keep_their_fields_and_a_killed_launch_died():
    refused = RunFailed("training.meta_batch_size is 1 ...", "", (FieldError("training.meta_batch_size", "is 1"),))
    assert ended(2, REPORT, refused).failure == refused
    killed = ended(-9, REPORT)
    assert killed.died and killed.describe() == "killed by SIGKILL"
    assert ended(0).failure is None


def test_each_rank_gets_its_share_of_the_threads():
    assert rank_threads(8, 2) == 4 and rank_threads(1, 2) == 1 and rank_threads(0, 1) >= 1


def test_every_rank_leaves_the_process_group_before_it_exits_even_when_its_run_fails(tmp_path, monkeypatch):
    """Left to the interpreter's exit, gloo's threads were torn down mid-way: a rank aborted about 1 run in 5."""
    from studio.runs import child
    from studio.runs.wire import encode

    left = []
    monkeypatch.setattr(child, "leave", lambda: left.append(True))
    request_file = tmp_path / "request.json"
    request_file.write_text(encode(RunRequest(preset(3), None)), encoding="utf-8")
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv(child.REQUEST_FILE_ENV, str(request_file))
    assert child.serve_rank(None, None) == 0 and left == [True]

    monkeypatch.setattr(child, "serve_request", lambda *args: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        child.serve_rank(None, None)
    assert left == [True, True]
