"""``studio run`` and ``studio eval`` on image tasks: notices, accuracy columns, transfer to an image folder."""

from __future__ import annotations

import csv

from studio.cli import main
from tests.engine.image_fixtures import image_root_fixture, one_thread_fixture  # noqa: F401

TINY = [
    "--set", 'task.family="glyphs"', "--set", "task.classes=40", "--set", "task.drawings=6",
    "--set", "task.ways=2", "--set", "task.queries=3", "--set", "task.image_size=16",
    "--set", "model.filters=4", "--set", "training.meta_batch_size=2", "--set", "training.eval_every=2",
    "--set", "training.eval_tasks=4", "--iterations", "2", "--device", "cpu",
]  # fmt: skip


def test_protonet_run_then_eval_on_glyphs_and_on_an_image_folder(tmp_path, image_root, capsys):
    run_dir = tmp_path / "run"
    assert main(["run", "protonet-glyphs", "--out", str(run_dir), *TINY]) == 0
    printed = capsys.readouterr().out
    assert "note: glyphs: 40 classes x 6 drawings at 16x16" in printed
    assert "eval @ 2: query loss" in printed and "accuracy" in printed
    with (run_dir / "metrics.csv").open() as file:
        rows = list(csv.DictReader(file))
    assert "eval_acc_step0" in rows[0] and "eval_acc_step1" not in rows[0]
    assert 0.0 <= float(rows[1]["eval_acc_step0"]) <= 1.0

    assert main(["eval", str(run_dir), "--tasks", "10"]) == 0
    out = capsys.readouterr().out
    assert "10 held-out tasks" in out and "steps  accuracy" in out and "% ±" in out

    transfer = ["--set", "task.family=image_folder", "--set", f"task.root={image_root}", "--set", "task.image_size=16"]
    transfer += ["--set", "task.validation_fraction=0.3", "--set", "task.test_fraction=0.3"]
    assert main(["eval", str(run_dir), "--tasks", "12", *transfer]) == 0
    captured = capsys.readouterr()
    assert "12 held-out tasks" in captured.out and "% ±" in captured.out
    assert "1 unreadable or corrupt image(s) skipped: flat/c0/broken.png" in captured.err

    assert main(["eval", str(run_dir), "--tasks", "12", *transfer, "--set", "task.image_size=28"]) == 2
    assert "the model takes 256" in capsys.readouterr().err


def test_maml_eval_json_has_accuracy_per_step(tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["run", "maml-omniglot-style", "--out", str(run_dir), "--quiet", *TINY]) == 0
    capsys.readouterr()
    assert main(["eval", str(run_dir), "--tasks", "6", "--steps", "2", "--json"]) == 0
    out = capsys.readouterr().out
    assert '"steps": [0, 1, 2]' in out and '"accuracy_mean": [' in out


def test_missing_image_root_is_a_usage_error(tmp_path, capsys):
    args = ["--set", "task.family=image_folder", "--set", f"task.root={tmp_path / 'nowhere'}"]
    assert main(["run", "protonet-glyphs", "--out", str(tmp_path / "r"), *args]) == 2
    err = capsys.readouterr().err
    assert "task.root" in err and "no such folder" in err
