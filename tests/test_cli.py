"""The ``studio`` command: runs, evaluations, and a clear message with exit code 2 for bad input."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

import studio
from studio.cli import main

ROOT = Path(__file__).resolve().parents[1]
MAML_SINE = str(ROOT / "presets" / "maml-sine.toml")
FAST = ["--iterations", "12", "--set", "training.eval_every=6", "--set", "training.eval_tasks=5", "--device", "cpu"]


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "first"
    assert main(["run", MAML_SINE, "--out", str(out), "--quiet", *FAST]) == 0
    return out


def test_run_writes_a_complete_reloadable_run_folder(trained_run):
    names = {p.name for p in trained_run.iterdir()}
    assert {"preset.toml", "metrics.csv", "model.safetensors", "model.json", "summary.json"} <= names
    preset = studio.load_preset(trained_run / "preset.toml")
    assert preset.training.iterations == 12 and preset.training.device == "cpu"
    rows = list(csv.DictReader((trained_run / "metrics.csv").open()))
    assert [int(r["iteration"]) for r in rows] == list(range(1, 13))
    assert [r["iteration"] for r in rows if r["eval_loss_step1"]] == ["6", "12"]
    summary = json.loads((trained_run / "summary.json").read_text())
    assert summary["status"] == "completed" and summary["iterations"] == 12 and summary["device"] == "cpu"
    assert summary["final_evaluation"]["steps"] == [0, 1] and summary["torch_version"] == torch.__version__


def test_model_file_holds_the_state_dict_and_load_model_rebuilds_it(trained_run):
    tensors = load_file(trained_run / "model.safetensors")
    assert sorted(tensors) == ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]
    model = studio.load_model(trained_run)
    assert isinstance(model, torch.nn.Sequential)
    for name, value in model.state_dict().items():
        assert torch.equal(value, tensors[name])
    assert model(torch.zeros(3, 1)).shape == (3, 1)


def test_eval_prints_every_step_with_a_confidence_interval(capsys, trained_run):
    code, out, _ = run_cli(capsys, "eval", str(trained_run), "--tasks", "20", "--steps", "3")
    assert code == 0
    lines = [line.split() for line in out.splitlines()[2:]]
    assert [int(line[0]) for line in lines] == [0, 1, 2, 3]
    assert all(line[2] == "±" and float(line[3]) > 0 for line in lines)
    code, out, _ = run_cli(capsys, "eval", str(trained_run), "--tasks", "20", "--steps", "3", "--json")
    assert json.loads(out)["tasks"] == 20


def test_run_refuses_to_overwrite_an_earlier_run(capsys, trained_run):
    code, _, err = run_cli(capsys, "run", MAML_SINE, "--out", str(trained_run), *FAST)
    assert code == 2 and "already holds a run" in err


def test_presets_lists_each_bundled_preset_with_its_title(capsys):
    code, out, _ = run_cli(capsys, "presets")
    assert code == 0
    assert any(line.startswith("maml-sine") and "Finn et al. 2017" in line for line in out.splitlines())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "missing.toml"], "missing.toml: no such file"),
        (["run", MAML_SINE, "--set", "task.shots=0"], "task.shots must be >= 1, got 0"),
        (["run", MAML_SINE, "--set", "task.shotz=3"], "task.shotz is not a known setting (did you mean 'task.shots'?)"),
        (["run", MAML_SINE, "--set", "task.amplitude=[5, 1]"], "task.amplitude must be [low, high] with low <= high"),
        (["run", MAML_SINE, "--set", "training.meta_lr=fast"], 'training.meta_lr must be a number, got "fast"'),
        (["run", MAML_SINE, "--set", "shots"], "expected KEY=VALUE"),
        (
            ["run", MAML_SINE, "--device", "cuda:7"]
            if torch.cuda.is_available()
            else ["run", MAML_SINE, "--device", "cuda"],
            "CUDA device",
        ),
        (["run", MAML_SINE, "--device", "tpu"], "training.device is 'tpu'; expected auto, cpu, cuda, cuda:N or mps"),
        (["eval", "no-such-run"], "no-such-run"),
        (["frobnicate.toml"], "frobnicate.toml: no such file"),
    ],
)
def test_bad_input_gets_a_message_and_exit_code_2(capsys, tmp_path, args, message):
    code, _, err = run_cli(capsys, *args)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_malformed_toml_reports_line_and_column(capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[task\n')
    code, _, err = run_cli(capsys, "run", str(bad))
    assert code == 2 and "malformed TOML" in err and "line 2" in err


def test_console_script_and_module_run_end_to_end(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "run"
    train = subprocess.run(
        [sys.executable, "-m", "studio", "run", MAML_SINE, "--out", str(out), *FAST],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert train.returncode == 0, train.stderr
    assert "completed at iteration 12" in train.stdout and f"run folder: {out}" in train.stdout
    assert "[" not in train.stdout.splitlines()[1] or "/12" in train.stdout  # plain lines, not a redrawn bar
    bad = subprocess.run(
        [sys.executable, "-m", "studio", "run", MAML_SINE, "--set", "task.shots=0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert bad.returncode == 2 and bad.stderr.strip() == "studio: error: task.shots must be >= 1, got 0"
