"""`studio sweep` end to end: trials are run folders, the study is Optuna's, pruning and workers."""

import json

import optuna
import pytest

from studio.cli import main
from studio.config.sweep import sweep_from_dict
from studio.config.toml_io import read_toml
from studio.export.library import read_run, scan_runs
from studio.presets import resolve_preset_path
from studio.sweeps.study import create_sweep, open_storage
from studio.sweeps.trial import run_trial, suggest

TINY = ["--set", "training.meta_batch_size=2", "--set", "training.eval_tasks=4", "--iterations", "4"]
SINE = resolve_preset_path("maml-sine")


def _sweep(tmp_path, *extra):
    out = tmp_path / "sweep"
    argv = [
        "sweep",
        str(SINE),
        "--vary",
        "algorithm.inner_lr=log(1e-3,0.5)",
        "--vary",
        "algorithm.inner_steps=int(1,2)",
    ]
    code = main(argv + TINY + ["--out", str(out), "--pruner", "none", *extra])
    return code, out


def _load(out):
    return optuna.load_study(study_name=out.name, storage=open_storage(str(out / "study.journal")))


def test_a_sweep_runs_its_trials_as_run_folders_and_reports_the_best(tmp_path, capsys):
    code, out = _sweep(tmp_path, "--trials", "3", "--sampler", "random")
    assert code == 0
    study = _load(out)  # Optuna reads the sweep outside the studio
    values = {t.number: t.value for t in study.trials}
    assert sorted(values) == [0, 1, 2] and all(v is not None for v in values.values())
    summary = json.loads((out / "sweep.json").read_text())
    best = min(values, key=values.get)
    assert summary["best"]["trial"] == best and summary["counts"]["complete"] == 3
    records = scan_runs(out)
    assert len(records) == 3 and {r.status for r in records} == {"finished"}
    best_preset = read_toml(out / f"trial-{best:04d}" / "preset.toml")
    assert best_preset["algorithm"]["inner_lr"] == pytest.approx(study.trials[best].params["algorithm.inner_lr"])
    printed = capsys.readouterr().out
    assert f"best: trial {best}" in printed and "3 trials: 3 complete" in printed


def test_a_grid_sweep_runs_each_combination_once(tmp_path):
    out = tmp_path / "grid"
    argv = [
        "sweep",
        str(SINE),
        "--vary",
        "algorithm.inner_steps=int(1,2)",
        "--vary",
        "algorithm.first_order=[true,false]",
    ]
    assert main(argv + TINY + ["--out", str(out), "--sampler", "grid", "--trials", "50", "--pruner", "none"]) == 0
    combos = [tuple(sorted(t.params.items())) for t in _load(out).trials]
    assert len(combos) == 4 and len(set(combos)) == 4


def test_settings_the_chosen_algorithm_lacks_are_not_asked_for():
    sweep = sweep_from_dict({}, ["algorithm.name=[maml,reptile]", "algorithm.first_order=[true,false]"])
    trial = optuna.trial.FixedTrial({"algorithm.name": "reptile", "algorithm.first_order": True})
    assert suggest(trial, sweep, read_toml(SINE)) == {"algorithm.name": "reptile"}
    trial = optuna.trial.FixedTrial({"algorithm.name": "maml", "algorithm.first_order": True})
    assert suggest(trial, sweep, read_toml(SINE)) == {"algorithm.name": "maml", "algorithm.first_order": True}


class _AlwaysPrune(optuna.pruners.BasePruner):
    def prune(self, study, trial):
        return True


def test_a_pruned_trial_stops_early_and_its_run_folder_says_pruned(tmp_path):
    base = read_toml(SINE)
    base["training"].update(meta_batch_size=2, eval_tasks=4, iterations=20)
    sweep = sweep_from_dict({"pruner": "median", "evaluations": 5}, ["algorithm.inner_lr=log(1e-3,0.5)"])
    study = optuna.create_study(pruner=_AlwaysPrune())
    result = run_trial(study.ask(), sweep, base, tmp_path / "trial-0000")
    assert result.state == "pruned"
    record = read_run(tmp_path / "trial-0000")
    assert record.status == "pruned" and 0 < record.iterations < 20
    assert json.loads((tmp_path / "trial-0000" / "trial.json").read_text())["state"] == "pruned"


def test_a_failing_trial_is_recorded_and_the_sweep_goes_on(tmp_path):
    code, out = _sweep(tmp_path, "--trials", "2", "--objective", "accuracy")  # regression has no accuracy
    assert code == 1  # no trial completed
    study = _load(out)
    assert [t.state for t in study.trials] == [optuna.trial.TrialState.FAIL] * 2
    assert "classification" in study.trials[0].user_attrs["error"]


@pytest.mark.slow
def test_parallel_workers_share_the_budget_and_run_no_trial_twice(tmp_path):
    code, out = _sweep(tmp_path, "--trials", "3", "--parallel", "2", "--sampler", "random")
    assert code == 0
    counted = [t for t in _load(out).trials if t.number < 3]
    assert sorted(t.number for t in counted) == [0, 1, 2]
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in counted)
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert folders == ["trial-0000", "trial-0001", "trial-0002"]
    numbers = [json.loads((out / f / "trial.json").read_text())["trial"] for f in folders]
    assert numbers == [0, 1, 2]


def test_joining_needs_a_storage_and_a_known_sweep(tmp_path, capsys):
    assert main(["sweep", "--join", "nothing"]) == 2
    assert "--join NAME needs --storage" in capsys.readouterr().err
    storage = str(tmp_path / "study.journal")
    sweep = sweep_from_dict({}, ["algorithm.inner_lr=log(1e-3,0.5)"])
    create_sweep("real", sweep, read_toml(SINE), storage, seed=0)
    assert main(["sweep", "--join", "other", "--storage", storage]) == 2
    assert "holds no sweep named 'other'" in capsys.readouterr().err
