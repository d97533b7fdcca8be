"""``studio runs``, ``studio compare``, ``studio export`` and ``studio run --seeds``: output and exit codes."""

import csv
import json
import math
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from studio.cli import main
from studio.export import deploy
from studio.export.aggregate import mean_std_ci
from tests.library_helpers import make_killed_run, make_run

FAST = ["--iterations", "6", "--set", "training.eval_every=3", "--set", "training.eval_tasks=5", "--device", "cpu"]
FAST += ["--set", "model.hidden=[8]", "--set", "training.meta_batch_size=3", "--quiet"]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    make_run(root / "alpha")
    make_killed_run(root / "beta", iterations=7)
    return root


def cli(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_runs_lists_the_folder_as_a_table(capsys, root):
    code, out, _ = cli(capsys, "runs", "--dir", root)
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:4] == ["name", "status", "algorithm", "family"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["alpha"][1:5] == ["finished", "maml", "sinusoid", "12/12"] and "±" in rows["alpha"]
    assert rows["beta"][1:5] == ["resumable", "maml", "sinusoid", "7/12"]
    code, out, _ = cli(capsys, "runs", "--dir", root, "--json")
    assert code == 0 and {r["name"]: r["status"] for r in json.loads(out)} == {"alpha": "finished", "beta": "resumable"}


def test_runs_reads_the_configured_folder_and_says_when_it_is_empty(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(tmp_path))
    assert cli(capsys, "runs")[:2] == (0, f"no runs in {tmp_path}\n")
    code, _, err = cli(capsys, "runs", "--dir", tmp_path / "nowhere")
    assert code == 2 and err == f"studio: error: {tmp_path / 'nowhere'}: no such runs folder\n"


def test_compare_writes_a_report(capsys, root, tmp_path):
    code, out, _ = cli(capsys, "compare", root / "alpha", root / "beta", "--out", tmp_path / "report.html")
    assert code == 0 and out == f"report: {tmp_path / 'report.html'}\n"
    assert "Comparison of 2 runs" in (tmp_path / "report.html").read_text()
    code, _, err = cli(capsys, "compare", root / "alpha", tmp_path, "--out", tmp_path / "r.html")
    assert code == 2 and "not a run folder" in err and not (tmp_path / "r.html").exists()
    code, _, err = cli(capsys, "compare", root / "alpha", "--out", tmp_path / "r.html", "--smoothing", "1.5")
    assert code == 2 and "smoothing must be in [0, 1)" in err


def test_export_csv_json_and_svg(capsys, root, tmp_path):
    code, out, _ = cli(capsys, "export", root / "alpha", "--format", "csv", "--out", tmp_path / "a.csv")
    assert code == 0 and len(list(csv.reader((tmp_path / "a.csv").open()))) == 13
    code, _, _ = cli(
        capsys,
        "export",
        root / "alpha",
        root / "beta",
        "--format",
        "csv",
        "--layout",
        "long",
        "--out",
        tmp_path / "l.csv",
    )
    rows = list(csv.DictReader((tmp_path / "l.csv").open()))
    assert code == 0 and sum(r["metric"] == "meta_loss" for r in rows) == 12 + 7
    code, _, _ = cli(capsys, "export", root / "alpha", "--format", "json", "--out", tmp_path / "a.json")
    assert code == 0 and json.loads((tmp_path / "a.json").read_text())["runs"][0]["rows"] == 12
    args = ["--format", "svg", "--out", tmp_path / "a.svg", "--metric", "eval_loss_step1", "--log-y"]
    code, out, _ = cli(capsys, "export", root / "alpha", root / "beta", *args)
    svg = ET.parse(tmp_path / "a.svg").getroot()
    labels = [g.get("id") for g in svg.iter("{http://www.w3.org/2000/svg}g") if g.get("id", "").startswith("curve ")]
    assert code == 0 and out == f"wrote {tmp_path / 'a.svg'}\n" and labels == ["curve alpha", "curve beta"]


def test_export_figures_as_png_pdf_and_svg(capsys, root, tmp_path):
    from PIL import Image

    args = ["--format", "png", "--out", tmp_path / "f.png", "--size", "4x3", "--dpi", "100"]
    code, out, _ = cli(capsys, "export", root / "alpha", root / "beta", *args)
    assert code == 0 and out == f"wrote {tmp_path / 'f.png'}\n" and Image.open(tmp_path / "f.png").size == (400, 300)
    code, _, _ = cli(capsys, "export", root / "alpha", "--format", "pdf", "--out", tmp_path / "f.pdf")
    assert code == 0 and (tmp_path / "f.pdf").read_bytes().startswith(b"%PDF-")
    args = ["--format", "svg", "--out", tmp_path / "f.svg", "--figure", "adaptation"]
    code, _, _ = cli(capsys, "export", root / "alpha", *args)
    groups = [g.get("id") or "" for g in ET.parse(tmp_path / "f.svg").getroot().iter("{http://www.w3.org/2000/svg}g")]
    assert code == 0 and "curve alpha ± 95% CI" in groups and sum(g.startswith("axes_") for g in groups) == 1
    code, _, err = cli(capsys, "export", root / "alpha", "--format", "png", "--out", tmp_path / "s.png", "--figure",
                       "seeds")  # fmt: skip
    assert code == 2 and "nothing to draw yet" in err and not (tmp_path / "s.png").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "png", "--out", "x.svg"], "a --format png file must end in .png"),
        (["--format", "pdf", "--out", "x.pdf", "--size", "7by4"], "size must be WIDTHxHEIGHT in inches"),
        (["--format", "png", "--out", "x.png", "--dpi", "5"], "dpi must be 50 to 1200, got 5"),
        (["--format", "csv"], "--format csv needs --out PATH"),
        (["--format", "svg", "--out", "x.svg", "--metric", "nope"], "no metric 'nope'"),
        (["--format", "torchscript"], "give one RUN_DIR and --out FILE"),
        (["--format", "torchscript", "--out", "m.pt", "--task", "-3"], "held-out task index"),
    ],
)
def test_export_errors_exit_2_with_one_line(capsys, root, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "export", root / "alpha", *args)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_export_of_a_folder_that_is_no_run_exits_2(capsys, tmp_path):
    code, _, err = cli(capsys, "export", tmp_path, "--format", "json", "--out", tmp_path / "x.json")
    assert code == 2 and "not a run folder" in err


def test_export_torchscript_and_missing_onnx(capsys, root, tmp_path, monkeypatch):
    code, out, _ = cli(capsys, "export", root / "alpha", "--format", "torchscript", "--out", tmp_path / "m.pt")
    assert code == 0 and (tmp_path / "m.pt").is_file() and (tmp_path / "m.pt.json").is_file()
    monkeypatch.setattr(deploy, "_importable", lambda name: False)
    code, _, err = cli(capsys, "export", root / "alpha", "--format", "onnx", "--out", tmp_path / "m.onnx")
    assert code == 2 and "pip install 'meta-learning-studio[onnx]'" in err


def test_export_tensorboard_without_the_package(capsys, root, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    run = shutil.copytree(root / "alpha", tmp_path / "alpha")
    code, _, err = cli(capsys, "export", run, "--format", "tensorboard")
    assert code == 2 and "pip install 'meta-learning-studio[tensorboard]'" in err


def test_run_with_seeds_runs_each_in_its_folder_and_prints_the_groups_mean_and_ci(capsys, tmp_path):
    args = ["run", "maml-sine", "--seeds", "2", "--seed", "3", "--out", tmp_path / "group", *FAST]
    code, out, _ = cli(capsys, *[a for a in args if a != "--quiet"])
    assert code == 0 and sorted(p.name for p in (tmp_path / "group").iterdir()) == ["seed-3", "seed-4"]
    finals = []
    for seed in (3, 4):
        summary = json.loads((tmp_path / "group" / f"seed-{seed}" / "summary.json").read_text())
        assert summary["seed"] == seed
        finals.append(summary["final_evaluation"]["loss_mean"][-1])
    mean, std, ci = mean_std_ci(finals)
    last = out.splitlines()[-1]
    assert last == f"seeds 3, 4: final query loss {mean:.4f} ± {ci:.4f} (mean ± 95% CI over 2 runs, std {std:.4f})"
    assert math.isfinite(ci)


def test_run_with_seeds_in_parallel_trains_each_in_a_child_and_prints_the_same_summary(tmp_path):
    group = tmp_path / "group"
    args = ["run", "maml-sine", "--seeds", "2", "--parallel", "2", "--seed", "3", "--out", str(group), *FAST[:-1]]
    command = [sys.executable, "-m", "studio", *args, "--iterations", "2"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("2 seeds, up to 2 at once")
    assert sorted(p.name for p in group.iterdir()) == ["seed-3", "seed-4"]
    finals = []
    for seed in (3, 4):
        summary = json.loads((group / f"seed-{seed}" / "summary.json").read_text())
        assert summary["seed"] == seed and summary["status"] == "completed" and summary["iterations"] == 2
        assert f"seed {seed}: completed 2 iterations: eval @ 2" in done.stdout
        finals.append(summary["final_evaluation"]["loss_mean"][-1])
    mean, std, ci = mean_std_ci(finals)
    assert lines[-1] == f"seeds 3, 4: final query loss {mean:.4f} ± {ci:.4f} (mean ± 95% CI over 2 runs, std {std:.4f})"


def test_run_seeds_errors(capsys, tmp_path):
    code, _, err = cli(capsys, "run", "maml-sine", "--seeds", "0", "--out", tmp_path / "g", *FAST)
    assert code == 2 and "--seeds N needs a preset and N >= 1" in err and not (tmp_path / "g").exists()
    code, _, err = cli(capsys, "run", "--resume", tmp_path, "--seeds", "2")
    assert code == 2 and "cannot --resume" in err
    code, _, err = cli(capsys, "run", "maml-sine", "--parallel", "2", "--out", tmp_path / "g", *FAST)
    assert code == 2 and "--parallel P needs --seeds N" in err and not (tmp_path / "g").exists()
