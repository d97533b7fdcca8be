"""Never lose a run: checkpoints, resume equal to an uninterrupted run, kill -9, damaged checkpoints."""

import csv
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studio.cli import main
from studio.engine import Training
from studio.export import RunRecorder
from studio.export.checkpoints import checkpoints
from studio.export.resume import resume_training
from tests.engine.helpers import tiny_preset

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ["--set", "training.eval_every=10", "--set", "training.eval_tasks=5", "--set", "training.checkpoint_every=5"]
SETTINGS += ["--set", "training.meta_batch_size=5", "--set", "model.hidden=[16, 16]", "--device", "cpu"]


def losses(run_dir: Path) -> dict[int, str]:
    with (run_dir / "metrics.csv").open() as handle:
        return {int(row["iteration"]): row["meta_loss"] for row in csv.DictReader(handle)}


def eval_columns(run_dir: Path) -> dict[int, str]:
    with (run_dir / "metrics.csv").open() as handle:
        return {int(r["iteration"]): r["eval_loss_step1"] for r in csv.DictReader(handle) if r["eval_loss_step1"]}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("full") / "run"
    assert main(["run", "maml-sine", "--out", str(out), "--quiet", "--iterations", "60", *SETTINGS]) == 0
    return out


def test_checkpoints_are_written_and_only_the_last_two_kept(uninterrupted):
    assert [p.name for p in checkpoints(uninterrupted)] == [
        "checkpoint-00000055.safetensors",
        "checkpoint-00000060.safetensors",
    ]


def test_stopped_then_resumed_run_matches_the_uninterrupted_one_row_for_row(tmp_path, uninterrupted):
    from studio.config import load_preset

    preset = load_preset(uninterrupted / "preset.toml")
    training = Training(preset)
    recorder = RunRecorder.for_training(tmp_path, training)
    for event in training.events(should_stop=lambda: training.iteration >= 23):
        recorder.record(event)
    assert training.iteration == 23
    resumed, notes = resume_training(tmp_path)
    assert notes == [] and resumed.iteration == 23
    recorder = RunRecorder.for_training(tmp_path, resumed, resume=True)
    for event in resumed.events():
        recorder.record(event)
    assert losses(tmp_path) == losses(uninterrupted)
    expected = eval_columns(uninterrupted)
    assert {i: v for i, v in eval_columns(tmp_path).items() if i % 10 == 0} == expected


def test_kill_9_at_random_moments_then_resume_matches(tmp_path, uninterrupted):
    out = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable,
        "-m",
        "studio",
        "run",
        "maml-sine",
        "--out",
        str(out),
        "--quiet",
        "--iterations",
        "60",
        *SETTINGS,
    ]
    rng = random.Random(0)
    for _kill in range(3):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        target = rng.randint(6, 45)
        while time.monotonic() < deadline and process.poll() is None:
            if checkpoints(out) and max(losses(out), default=0) >= target:
                break
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL  # it was still training: the kill landed mid-run
        assert target <= max(losses(out)) < 60 and checkpoints(out)
        rows = (out / "metrics.csv").read_text().splitlines()
        assert all(len(row.split(",")) == len(rows[0].split(",")) for row in rows[:-1])  # no half rows but the last
        command = [sys.executable, "-m", "studio", "run", "--resume", str(out), "--quiet"]
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert losses(out) == losses(uninterrupted)


def test_a_damaged_newest_checkpoint_falls_back_to_the_previous(tmp_path, uninterrupted, capsys):
    run = tmp_path / "run"
    run.mkdir()
    for path in uninterrupted.iterdir():
        (run / path.name).write_bytes(path.read_bytes())
    newest = checkpoints(run)[-1]
    newest.write_bytes(newest.read_bytes()[:100])
    training, notes = resume_training(run)
    assert training.iteration == 55
    assert notes and newest.name in notes[0] and "damaged" in notes[0]


def test_resume_of_a_folder_without_checkpoints_says_so(tmp_path, capsys):
    (tmp_path / "preset.toml").write_text((ROOT / "presets" / "maml-sine.toml").read_text())
    assert main(["run", "--resume", str(tmp_path)]) == 2
    assert "no readable checkpoint to resume from" in capsys.readouterr().err


def test_preset_and_resume_together_are_refused(capsys, tmp_path):
    assert main(["run", "maml-sine", "--resume", str(tmp_path)]) == 2
    assert "give either a preset or --resume RUN_DIR" in capsys.readouterr().err


def test_ctrl_c_saves_a_checkpoint_and_says_how_to_resume(tmp_path, capsys, monkeypatch):
    from studio.engine import training as training_module

    real_step = training_module.Training.step

    def interrupting_step(self):
        if self.iteration == 7:
            raise KeyboardInterrupt
        return real_step(self)

    monkeypatch.setattr(training_module.Training, "step", interrupting_step)
    code = main(["run", "maml-sine", "--out", str(tmp_path / "run"), "--quiet", "--iterations", "60", *SETTINGS])
    err = capsys.readouterr().err
    assert code == 130
    assert f"Resume with: studio run --resume {tmp_path / 'run'}" in err
    assert checkpoints(tmp_path / "run")[-1].name == "checkpoint-00000007.safetensors"
    assert max(losses(tmp_path / "run")) == 7


def test_training_state_round_trips_through_a_checkpoint(tmp_path):
    from studio.export.checkpoints import latest_checkpoint, save_checkpoint, snapshot

    training = Training(tiny_preset(training={"iterations": 8}))
    for _ in range(4):
        training.step()
    save_checkpoint(tmp_path, *snapshot(training.state_dict()))
    state, _, _ = latest_checkpoint(tmp_path)
    other = Training(tiny_preset(training={"iterations": 8}))
    other.load_state_dict(state)
    assert [training.step().meta_loss for _ in range(4)] == [other.step().meta_loss for _ in range(4)]
