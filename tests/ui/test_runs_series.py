"""Seeds in a row, resuming an unfinished run (offered at start), a checkpoint left by closing mid-run."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QMessageBox

from studio.config import load_preset
from studio.export.checkpoints import checkpoints
from studio.export.library import read_run
from studio.export.smoothing import ema, slider_weight
from tests.library_helpers import make_killed_run, make_run, quick_preset
from tests.ui.conftest import FAST, click, open_window, preset_with, run_to_end, wait_for_iteration
from tests.ui.runs_fixtures import column

SEEDS = ["training.iterations=20", "training.eval_every=10", *FAST]


def test_seeds_spin_runs_consecutive_seeds_shown_as_mean_and_band(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with([*SEEDS, "seed=7"]))
    window.library.seeds.spin.setValue(3)
    with qtbot.waitSignal(window.library.seeds.finished, timeout=180_000) as done:
        click(qtbot, window, "startButton")
    folders = done.args[0]
    assert [load_preset(f / "preset.toml").seed for f in folders] == [7, 8, 9]
    assert len({f.parent for f in folders}) == 1  # one group folder, like `studio run --seeds`
    assert all(read_run(f).status == "finished" for f in folders)
    library = window.library
    assert library.panel.group_seeds.isChecked() and len(library.panel.selected()) == 3
    group = library.overlay.curve_of(folders[0])
    assert group is library.overlay.curve_of(folders[2]) and "3 seeds: geometric mean" in group.main.name()
    logs = np.log(np.array([column(f, "meta_loss") for f in folders]))  # a loss's band is on log loss
    np.testing.assert_allclose(group.main.getOriginalDataset()[1], np.exp(logs.mean(axis=0)))
    spread = logs.std(axis=0, ddof=1)
    library.panel.band.setCurrentText("± std")
    np.testing.assert_allclose(group.upper.getOriginalDataset()[1], np.exp(logs.mean(axis=0) + spread))
    assert min(group.lower.getOriginalDataset()[1]) > 0


def test_an_unfinished_run_is_offered_and_continues_as_if_never_stopped(qtbot, tmp_path):
    preset = quick_preset(checkpoint_every=5)
    whole = make_run(tmp_path / "whole", preset)
    killed = make_killed_run(tmp_path / "runs" / "killed", 7)  # checkpoint at 5, rows up to 7
    window = open_window(qtbot, tmp_path, preset_with(SEEDS))
    qtbot.waitUntil(lambda: window.library.resume_offer.dialog is not None, timeout=10_000)
    offer = window.findChild(QMessageBox, "resumeOffer")
    assert offer is not None and offer.isVisible() and str(killed) in offer.text()
    with qtbot.waitSignal(window.runFinished, timeout=60_000) as ended:
        assert window.library.resume_offer.accept()
    assert ended.args[0] == "completed" and window.session.run_dir == killed
    np.testing.assert_array_equal(column(killed, "iteration"), np.arange(1, 13))
    np.testing.assert_array_equal(column(killed, "meta_loss"), column(whole, "meta_loss"))
    x, _ = window.loss_panel.meta.getOriginalDataset()  # the curve goes back to the start of the run
    np.testing.assert_array_equal(x, np.arange(1, 13))
    assert read_run(killed).status == "finished"


def test_closing_mid_run_leaves_a_checkpoint(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(["training.iterations=100000", *FAST]))
    click(qtbot, window, "startButton")
    wait_for_iteration(qtbot, window, 5)
    run_dir = window.session.run_dir
    window.close()
    assert not window.session.active and checkpoints(run_dir)
    assert read_run(run_dir).status == "stopped" and read_run(run_dir).resumable


def test_the_live_run_is_smoothed_and_drawn_against_wall_time(qtbot, window):
    controls, overlay = window.library.loss_controls, window.library.overlay
    controls.slider.setValue(50)
    run_to_end(qtbot, window)
    qtbot.waitUntil(lambda: overlay.live is not None and overlay.live.main.getOriginalDataset()[0] is not None)
    qtbot.waitUntil(lambda: len(overlay.live.main.getOriginalDataset()[0]) == 60)
    raw = window.data.steps.column(1)
    np.testing.assert_allclose(overlay.live.main.getOriginalDataset()[1], ema(raw, slider_weight(50)))
    assert window.loss_panel.meta.isVisible()  # the panel's own raw curve stays, under the smoothed one
    controls.x_choice.setCurrentText("wall time")
    assert not window.loss_panel.meta.isVisible()
    np.testing.assert_allclose(overlay.live.main.getOriginalDataset()[0], window.data.steps.column(3))
    np.testing.assert_allclose(overlay.live.raw.getOriginalDataset()[1], raw)
