"""The run library: status detection, records, rename, delete-with-check, and which settings differ."""

import json
import os
import shutil
from pathlib import Path

import pytest

from studio.config import ConfigError
from studio.export import library as library_module
from studio.export.hyperparameters import differing_keys, flatten_preset, hyperparameter_table, key_hyperparameters
from studio.export.library import (
    RUN_FILES,
    default_runs_dir,
    delete_run,
    filter_runs,
    group_by_seed,
    is_run_folder,
    read_run,
    rename_run,
    run_name,
    scan_runs,
)
from studio.export.run_metrics import read_metrics
from tests.library_helpers import make_killed_run, make_run


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """A runs folder with one run of each status."""
    root = tmp_path_factory.mktemp("runs")
    make_run(root / "finished")
    make_run(root / "stopped", stop_at=6)
    make_killed_run(root / "resumable", iterations=8)
    make_killed_run(root / "failed", iterations=3)
    make_killed_run(root / "running", iterations=3, age=None)
    (root / "not-a-run").mkdir()
    (root / "not-a-run" / "notes.txt").write_text("hello")
    return root


def test_status_of_each_kind_of_run_folder(library):
    records = {r.path.name: r for r in scan_runs(library)}
    assert {name: r.status for name, r in records.items()} == {
        "finished": "finished",
        "stopped": "stopped",
        "resumable": "resumable",
        "failed": "failed",
        "running": "running",
    }
    assert records["resumable"].resumable and records["stopped"].resumable and not records["failed"].resumable
    assert "checkpoint" in records["failed"].message


def test_a_finished_record_carries_what_the_table_shows(library):
    record = read_run(library / "finished")
    assert (record.name, record.algorithm, record.family, record.seed) == ("finished", "maml", "sinusoid", 0)
    assert record.iterations == record.total_iterations == 12
    summary = json.loads((library / "finished" / "summary.json").read_text())
    assert record.final_loss == summary["final_evaluation"]["loss_mean"][-1]
    assert record.final_ci95 == summary["final_evaluation"]["loss_ci95"][-1]
    assert record.duration_seconds == summary["train_seconds"]
    assert record.hyperparameters["task.shots"] == 5 and record.hyperparameters["algorithm.inner_steps"] == 1
    assert " ± " in record.final_text and len(record.date) == 16


def test_an_incomplete_run_reports_its_progress_from_the_metrics(library):
    record = read_run(library / "resumable")
    assert record.iterations == 8 and record.duration_seconds > 0
    x, losses = read_metrics(library / "resumable").series("eval_loss_step1")
    assert x.tolist() == [4] and record.final_loss == losses[-1]  # its latest evaluation
    assert read_run(library / "failed").final_loss is None  # stopped before any evaluation


def test_a_summary_older_than_the_metrics_no_longer_decides(tmp_path, library):
    run = shutil.copytree(library / "finished", tmp_path / "extended")
    summary = json.loads((run / "summary.json").read_text())
    (run / "summary.json").write_text(json.dumps({**summary, "iterations": 10}))  # as if resumed past it
    os.utime(run / "metrics.csv", (1, 1))
    assert read_run(run).status == "resumable"


def test_a_finished_run_is_read_from_its_summary_without_parsing_its_metrics(tmp_path, library, monkeypatch):
    """The Runs panel reads every run at each refresh: parsing metrics.csv takes 2-5 ms per thousand rows."""
    expected = read_run(library / "finished")
    run = shutil.copytree(library / "finished", tmp_path / "extended")
    summary = json.loads((run / "summary.json").read_text())
    (run / "summary.json").write_text(json.dumps({**summary, "iterations": 10}))  # as if resumed past it
    parsed = []
    for reader in ("read_metrics", "read_metrics_tail"):
        original = getattr(library_module, reader)
        monkeypatch.setattr(
            library_module, reader, lambda path, *a, read=original: parsed.append(Path(path).name) or read(path, *a)
        )
    assert read_run(library / "finished") == expected and parsed == []
    assert read_run(run).iterations == 12 and "extended" in parsed  # the summary no longer covers the rows


def test_a_long_training_runs_progress_comes_from_the_end_of_its_metrics(tmp_path, library, monkeypatch):
    """Its last rows, when they hold an evaluation; the whole file only when they do not."""
    run = shutil.copytree(library / "resumable", tmp_path / "long")
    expected = read_run(run)
    whole = []
    monkeypatch.setattr(library_module, "read_metrics", lambda path, *a: whole.append(path) or read_metrics(path, *a))
    assert read_run(run) == expected and whole == []  # this run's file is short: its end holds the evaluation
    real_tail = library_module.read_metrics_tail
    monkeypatch.setattr(library_module, "read_metrics_tail", lambda path: real_tail(path, size=40))  # 1 row
    assert read_run(run) == expected and len(whole) == 1  # no evaluation in that last row: the whole file


def test_lines_that_are_no_iteration_do_not_make_a_summary_stale(tmp_path, library):
    run = shutil.copytree(library / "finished", tmp_path / "odd-lines")
    text = (run / "metrics.csv").read_text()
    header = text.splitlines()[0]
    (run / "metrics.csv").write_text(f"{text}\n{header}\n13,0.5")  # a blank line, a header again, a torn row
    record = read_run(run)
    assert record.status == "finished" and record.final_loss == read_run(library / "finished").final_loss


def test_a_preset_edited_in_place_is_read_again(tmp_path, library):
    run = shutil.copytree(library / "finished", tmp_path / "renamed")
    assert read_run(run).preset_name != "Edited"
    text = (run / "preset.toml").read_text()
    (run / "preset.toml").write_text(text.replace("name = ", 'name = "Edited"\nold_name = ', 1))
    assert read_run(run).preset_name == "Edited"


def test_the_window_can_mark_its_own_runs_as_running(library):
    (record,) = [r for r in scan_runs(library, active=[library / "stopped"]) if r.path.name == "stopped"]
    assert record.status == "running" and not record.resumable


def test_is_run_folder_and_scan_errors(library, tmp_path):
    assert is_run_folder(library / "finished") and not is_run_folder(library / "not-a-run")
    assert not is_run_folder(library / "missing")
    with pytest.raises(ConfigError, match="no such runs folder"):
        scan_runs(tmp_path / "nowhere")
    with pytest.raises(ConfigError, match="not a run folder"):
        read_run(library / "not-a-run")
    assert [r.path.name for r in scan_runs(library / "finished")] == ["finished"]  # a run folder itself


def test_runs_grouped_one_level_down_are_found(tmp_path, library):
    shutil.copytree(library / "finished", tmp_path / "group" / "seed-0")
    assert [r.path.name for r in scan_runs(tmp_path)] == ["seed-0"]


def test_default_runs_dir_is_configurable(monkeypatch):
    monkeypatch.delenv("STUDIO_RUNS_DIR", raising=False)
    assert str(default_runs_dir()) == "runs"
    monkeypatch.setenv("STUDIO_RUNS_DIR", "/data/my-runs")
    assert str(default_runs_dir()) == "/data/my-runs"


def test_rename_writes_a_name_file_and_the_folder_stays(tmp_path, library):
    run = shutil.copytree(library / "finished", tmp_path / "r")
    rename_run(run, "  baseline, lr 1e-3 ")
    assert run_name(run) == read_run(run).name == "baseline, lr 1e-3"
    assert json.loads((run / "run.json").read_text()) == {"name": "baseline, lr 1e-3"}
    rename_run(run, "")
    assert run_name(run) == "r"
    with pytest.raises(ConfigError, match="one line"):
        rename_run(run, "two\nlines")
    with pytest.raises(ConfigError, match="not a run folder"):
        rename_run(library / "not-a-run", "x")


def test_delete_removes_only_a_real_run_folder(tmp_path, library):
    run = shutil.copytree(library / "stopped", tmp_path / "doomed")
    rename_run(run, "to go")
    delete_run(run)
    assert not run.exists()
    with pytest.raises(ConfigError, match="not a run folder; nothing was deleted"):
        delete_run(library / "not-a-run")
    assert (library / "not-a-run" / "notes.txt").exists()


def test_delete_refuses_a_run_folder_holding_other_files_or_a_running_run(tmp_path, library):
    run = shutil.copytree(library / "finished", tmp_path / "mixed")
    (run / "thesis.tex").write_text("keep me")
    with pytest.raises(ConfigError, match=r"holds files a run does not write \(thesis.tex\)"):
        delete_run(run)
    assert (run / "thesis.tex").exists() and all((run / f).exists() for f in RUN_FILES if f != "learner.safetensors")
    with pytest.raises(ConfigError, match="still training"):
        delete_run(library / "running")
    assert (library / "running").exists()


def test_differing_keys_and_the_hyperparameter_table():
    a = {"seed": 0, "name": "a", "task": {"shots": 5, "x_range": [-5, 5]}, "algorithm": {"inner_lr": 0.01}}
    b = {"seed": 1, "name": "a", "task": {"shots": 5, "x_range": [-5, 6]}, "algorithm": {"inner_lr": 0.01}}
    c = {**b, "seed": 0, "training": {"meta_lr": 0.1}, "description": "other prose"}
    assert differing_keys([a]) == []
    assert differing_keys([a, b]) == ["seed", "task.x_range"]
    assert differing_keys([a, b, c]) == ["seed", "task.x_range", "training.meta_lr"]
    assert flatten_preset(a)["task.x_range"] == (-5, 5)
    columns, rows, differ = hyperparameter_table([a, c], only_differing=True)
    assert columns == ["task.x_range", "training.meta_lr"] and rows == [[(-5, 5), None], [(-5, 6), 0.1]]
    assert differ == set(columns)
    assert list(key_hyperparameters(a)) == ["task.shots", "algorithm.inner_lr", "seed"]  # KEY_SETTINGS order


def test_filter_and_group_records(library, tmp_path):
    records = scan_runs(library)
    assert [r.path.name for r in filter_runs(records, "FINISHED maml")] == ["finished"]
    assert len(filter_runs(records, "sinusoid shots=5")) == 5 and filter_runs(records, "protonet") == []
    assert len(filter_runs(records, "")) == 5
    shutil.copytree(library / "finished", tmp_path / "a")
    other = shutil.copytree(library / "finished", tmp_path / "b")
    (other / "preset.toml").write_text((other / "preset.toml").read_text().replace("seed = 0", "seed = 4"))
    shutil.copytree(library / "finished", tmp_path / "c")
    (tmp_path / "c" / "preset.toml").write_text(
        (tmp_path / "c" / "preset.toml").read_text().replace("shots = 5", "shots = 6")
    )
    groups = group_by_seed([read_run(tmp_path / name) for name in "abc"])
    assert [[r.path.name for r in group] for group in groups] == [["a", "b"], ["c"]]
