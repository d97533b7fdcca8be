"""Run folders for the Runs panel tests: written once per session, copied into each test's runs folder."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

from studio.cli import main
from studio.config import save_preset
from tests.library_helpers import make_killed_run, quick_preset
from tests.ui.conftest import SHORT, open_window, preset_with


def column(run_dir: Path, name: str) -> np.ndarray:
    """One column of a run's ``metrics.csv``, read with the csv module (not the code under test)."""
    with (run_dir / "metrics.csv").open(encoding="utf-8") as handle:
        return np.array([float(row[name]) if row[name] else np.nan for row in csv.DictReader(handle)])


@pytest.fixture(scope="session")
def pristine(tmp_path_factory) -> Path:
    """Two finished CLI runs (inner_lr 0.05 and 0.02), a killed run with a checkpoint, one without."""
    root = tmp_path_factory.mktemp("pristine")
    preset = root.parent / "quick.toml"
    save_preset(quick_preset(), preset)
    for name, extra in (("alpha", []), ("beta", ["--set", "algorithm.inner_lr=0.02"])):
        assert main(["run", str(preset), "--out", str(root / name), "--quiet", *extra]) == 0
    make_killed_run(root / "killed", 7)
    make_killed_run(root / "broken", 3, checkpoint_every=100)
    return root


@pytest.fixture
def library_window(qtbot, tmp_path, pristine):
    """The window over a copy of :func:`pristine` (the resume offer made but not shown)."""
    shutil.copytree(pristine, tmp_path / "runs")
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    window.library.resume_offer.ask = lambda record: None
    qtbot.waitUntil(lambda: len(window.library.panel.records) == 4, timeout=10_000)
    return window
