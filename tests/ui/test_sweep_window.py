"""The Sweep window: a sweep built from the form runs, its plots follow it, brushing filters, trials go back."""

from __future__ import annotations

import pytest

from studio.ui.sweep_window import SweepWindow
from tests.ui.conftest import open_window, preset_with

TINY = ["training.iterations=4", "training.eval_every=2", "training.eval_tasks=4", "training.meta_batch_size=2"]


@pytest.fixture
def main_window(qtbot, tmp_path):
    return open_window(qtbot, tmp_path, preset_with([*TINY, 'training.device="cpu"']))


def _sweep_window(qtbot, main_window) -> SweepWindow:
    main_window.findChild(type(main_window.menuBar().actions()[0]), "newSweepAction").trigger()
    sweep_window = main_window.sweep_windows[-1]
    qtbot.addWidget(sweep_window)
    return sweep_window


def test_bad_ranges_are_refused_at_their_row_before_anything_starts(qtbot, main_window):
    sweep_window = _sweep_window(qtbot, main_window)
    row = sweep_window.fields.rows["algorithm.inner_steps"]
    row.vary.setChecked(True)
    row.low.setValue(3)
    row.high.setValue(2)
    assert not sweep_window.start()
    assert "low < high" in row.error.text() and row.error.isVisibleTo(sweep_window)
    assert sweep_window.process is None
    row.vary.setChecked(False)  # nothing ticked is refused too
    assert not sweep_window.start()
    assert "names no setting to vary" in sweep_window.status.text()


def test_a_sweep_from_the_form_runs_and_its_views_follow_it(qtbot, main_window):
    sweep_window = _sweep_window(qtbot, main_window)
    lr = sweep_window.fields.rows["algorithm.inner_lr"]
    lr.vary.setChecked(True)
    lr.low.setValue(0.001)
    lr.high.setValue(0.5)
    sweep_window.fields.rows["algorithm.inner_steps"].vary.setChecked(True)
    sweep_window.fields.rows["algorithm.inner_steps"].high.setValue(3)
    sweep_window.settings.editors["trials"].setValue(3)
    sweep_window.settings.editors["sampler"].setCurrentText("random")
    sweep_window.settings.editors["pruner"].setCurrentText("none")
    assert sweep_window.start()
    with qtbot.waitSignal(sweep_window.finished, timeout=240_000) as ended:
        pass
    assert ended.args == [0]
    finished = [r for r in sweep_window.rows if r.state == "complete"]
    assert len(finished) == 3
    assert sorted(sweep_window.coordinates.lines) == [r.number for r in finished]  # one line per trial
    assert sweep_window.table.rowCount() == 3

    # brushing the objective axis down to the best trial's place leaves only it in the table
    best = min(finished, key=lambda r: r.value)
    objective_axis = len(sweep_window.found_axes) - 1
    where = sweep_window.found_axes[-1].position(best.value)
    sweep_window.coordinates.set_brush(objective_axis, max(0.0, where - 1e-6), min(1.0, where + 1e-6))
    assert sweep_window.visible_trials() == [best.number]

    # "use these settings" puts that trial's values into the experiment form
    sweep_window.table.selectRow(sweep_window.rows.index(best))
    sweep_window.use_selected()
    algorithm = main_window.experiment.data["algorithm"]
    assert algorithm["inner_lr"] == pytest.approx(best.params["algorithm.inner_lr"])
    assert algorithm["inner_steps"] == best.params["algorithm.inner_steps"]
