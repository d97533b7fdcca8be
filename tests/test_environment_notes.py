"""environment.json (what produced a run) and notes/tags (what the researcher says about it)."""

import json
import shutil
import subprocess

import pytest

from studio.cli import main
from studio.config import ConfigError, load_preset
from studio.export.annotations import add_tag, read_annotations, remove_tag, set_note
from studio.export.environment import data_manifest, environment, environment_differences
from studio.export.library import filter_runs, scan_runs
from studio.export.report import build_report
from studio.presets import resolve_preset_path

TINY = ["--set", "training.meta_batch_size=2", "--set", "training.eval_tasks=4", "--iterations", "2"]


def _git(folder, *args):
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


@pytest.fixture()
def tabular(tmp_path):
    """A tabular preset and its CSV in a fresh git work tree."""
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(resolve_preset_path("maml-tabular-stores"), folder / "stores.toml")
    (folder / "data").mkdir()
    shutil.copy(resolve_preset_path("maml-tabular-stores").parent / "data" / "stores.csv", folder / "data")
    _git(folder, "init", "-q")
    _git(folder, "-c", "user.name=t", "-c", "user.email=t@t", "add", ".")
    _git(folder, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "data")
    return folder


def test_a_cli_run_records_its_environment_with_git_state_and_data(tabular, tmp_path):
    out = tmp_path / "run"
    assert main(["run", str(tabular / "stores.toml"), "--out", str(out), *TINY, "--quiet"]) == 0
    document = json.loads((out / "environment.json").read_text())
    head = subprocess.run(["git", "-C", str(tabular), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    assert document["git"]["commit"] == head.strip() and document["git"]["dirty"] is False
    assert "run" in document["command"] and document["torch"] and document["python"]
    assert any(p.startswith("torch==") for p in document["packages"])
    [entry] = document["data"]["files"]
    assert entry["path"].endswith("stores.csv") and entry["bytes"] == (tabular / "data" / "stores.csv").stat().st_size


def test_a_dirty_tree_is_recorded_with_its_diff(tabular, tmp_path):
    (tabular / "stores.toml").write_text((tabular / "stores.toml").read_text() + "\n# tried something\n")
    assert main(["run", str(tabular / "stores.toml"), "--out", str(tmp_path / "run"), *TINY, "--quiet"]) == 0
    git = json.loads((tmp_path / "run" / "environment.json").read_text())["git"]
    assert git["dirty"] is True and "+# tried something" in git["diff"]


def test_the_data_manifest_changes_when_a_data_file_changes(tabular):
    preset = load_preset(tabular / "stores.toml")
    before = environment(preset, "cpu")["data"]
    csv = tabular / "data" / "stores.csv"
    csv.write_text(csv.read_text().replace("\n", "\n", 1) + "\n")
    after = environment(preset, "cpu")["data"]
    assert before["sha256"] != after["sha256"]
    assert before["files"][0]["sha256"] != after["files"][0]["sha256"]
    folder_manifest = data_manifest([tabular / "data"])
    assert [f["path"] for f in folder_manifest["files"]] == [str(csv)]


def test_environment_differences_name_what_changed():
    a = {"torch": "2.3.0", "python": "3.11.7", "packages": ["numpy==1.26.0", "optuna==4.0"], "git": {"commit": "abc"}}
    b = {"torch": "2.4.0", "python": "3.11.7", "packages": ["numpy==2.0.0", "optuna==4.0"], "git": {"commit": "abc"}}
    differences = environment_differences({"a": a, "b": b})
    assert set(differences) == {"torch", "package numpy"}
    assert differences["torch"] == {"a": "2.3.0", "b": "2.4.0"}


@pytest.fixture()
def two_runs(tmp_path):
    runs = tmp_path / "runs"
    for name in ("alpha", "beta"):
        assert main(["run", "maml-sine", "--out", str(runs / name), *TINY, "--quiet"]) == 0
    return runs


def test_notes_and_tags_are_kept_in_the_run_folder_listed_filtered_and_reported(two_runs, capsys):
    alpha, beta = two_runs / "alpha", two_runs / "beta"
    assert main(["runs", "--note", str(alpha), "inner lr too high?"]) == 0
    assert main(["runs", "--tag", str(alpha), "baseline"]) == 0
    assert read_annotations(alpha).note == "inner lr too high?" and read_annotations(alpha).tags == ("baseline",)
    capsys.readouterr()
    assert main(["runs", "--dir", str(two_runs), "--filter", "#baseline"]) == 0
    table = capsys.readouterr().out
    assert "alpha" in table and "beta" not in table and "#baseline  inner lr too high?" in table
    html = build_report([alpha, beta])
    assert "<h2>Notes</h2>" in html and "inner lr too high?" in html
    remove_tag(alpha, "baseline")
    assert filter_runs(scan_runs(two_runs), "#baseline") == []


def test_bad_tags_and_folders_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="no spaces"):
        add_tag(tmp_path, "two words")
    with pytest.raises(ConfigError, match="no such run folder"):
        set_note(tmp_path / "missing", "x")


def test_compare_highlights_environment_differences(two_runs):
    path = two_runs / "beta" / "environment.json"
    document = json.loads(path.read_text())
    document["torch"] = "0.0-other"
    path.write_text(json.dumps(document))
    html = build_report([two_runs / "alpha", two_runs / "beta"])
    assert "<h2>Environment</h2>" in html and '<td class="differs">0.0-other</td>' in html
