"""Commands that do not train never import torch, so `studio --help` answers at once (issue #11, start-up)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import studio

ROOT = Path(__file__).resolve().parents[1]

# Runs each command line through the real entry point in one fresh interpreter and reports, per command, its exit
# code and whether torch had been imported by then.
PROBE = """
import contextlib, io, json, sys
from studio.cli import main
report = []
for args in json.loads(sys.argv[1]):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            code = main(args)
        except SystemExit as stop:
            code = stop.code
    report.append([args, code, "torch" in sys.modules])
print(json.dumps(report))
"""


def commands_and_torch(commands: list[list[str]]) -> list[list]:
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "STUDIO_RUNS_DIR": str(ROOT / "no-such-runs")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(commands)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_commands_that_do_not_train_never_import_torch(tmp_path):
    (tmp_path / "empty").mkdir()
    commands = [
        ["--help"],
        ["--version"],
        ["presets"],
        ["run", "--help"],
        ["export", "--help"],
        ["eval", "--help"],
        ["compare", "--help"],
        ["sweep", "--help"],
        ["runs", "--dir", str(tmp_path / "empty")],
        ["run", "maml-sine", "--bogus"],  # argument errors
        ["eval", "run-folder", "--tasks", "many"],
    ]
    report = commands_and_torch(commands)
    assert [code for _, code, _ in report] == [0] * 9 + [2, 2]
    assert [args for args, _, torch_loaded in report if torch_loaded] == []


def test_training_imports_torch_and_listing_the_run_it_wrote_does_not(tmp_path):
    out = tmp_path / "run"
    args = ["run", "maml-sine", "--iterations", "1", "--set", "training.eval_tasks=2", "--out", str(out), "--quiet"]
    ((_, code, torch_loaded),) = commands_and_torch([args + ["--device", "cpu"]])
    assert code == 0 and torch_loaded and (out / "model.safetensors").is_file()
    listing = commands_and_torch([["runs", "--dir", str(tmp_path)], ["runs", "--json", "--dir", str(tmp_path)]])
    assert listing == [[args, 0, False] for args, _, _ in listing]  # listing a real run folder needs no torch


def test_the_python_api_names_resolve_on_first_use():
    from studio.engine import training
    from studio.export import model_files

    assert studio.engine.Training is training.Training and studio.engine.run is training.run
    assert studio.load_model is model_files.load_model
    assert all(getattr(studio.export, name) is not None for name in studio.export.__all__)
    assert {"engine", "load_model"} <= set(dir(studio))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = studio.nothing
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = studio.export.nothing
