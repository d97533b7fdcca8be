"""Drive the real window: Start to the end, Pause/Resume, Step, Stop, Reset, closing mid-run."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from studio.ui.close_choice import CloseChoice
from studio.ui.toolbar import FINISHED, IDLE, PAUSED, RUNNING
from tests.ui.conftest import (
    LONG,
    button,
    click,
    open_window,
    pause_and_settle,
    preset_with,
    run_to_end,
    wait_for_iteration,
)


def recorded_rows(window) -> list[dict[str, str]]:
    with (window.session.run_dir / "metrics.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_run_fills_every_panel_with_its_data(qtbot, window):
    assert run_to_end(qtbot, window) == "completed"
    rows = recorded_rows(window)  # what the worker's records wrote, independent of the plots
    assert len(rows) == 60
    x, y = window.loss_panel.meta.getOriginalDataset()
    np.testing.assert_array_equal(x, np.arange(1, 61))
    np.testing.assert_allclose(y, [float(r["meta_loss"]) for r in rows])
    evaluated = [r for r in rows if r["eval_loss_step1"]]
    x, y = window.loss_panel.after.getOriginalDataset()
    np.testing.assert_array_equal(x, [20, 40, 60])
    np.testing.assert_allclose(y, [float(r["eval_loss_step1"]) for r in evaluated])
    summary = json.loads((window.session.run_dir / "summary.json").read_text())
    x, y = window.adaptation_panel.latest.getOriginalDataset()
    np.testing.assert_array_equal(x, [0, 1])
    np.testing.assert_allclose(y, summary["final_evaluation"]["loss_mean"])
    x_first, y_first = window.adaptation_panel.first.getOriginalDataset()
    np.testing.assert_allclose(
        y_first, [float(evaluated[0]["eval_loss_step0"]), float(evaluated[0]["eval_loss_step1"])]
    )
    fit = window.data.fit
    assert fit.iteration == 60
    np.testing.assert_array_equal(window.task_fit_panel.after.getOriginalDataset()[1], fit.after)
    np.testing.assert_array_equal(window.task_fit_panel.truth.getOriginalDataset()[1], fit.y_true)
    assert len(window.task_fit_panel.support.getOriginalDataset()[0]) == 10
    assert not np.allclose(fit.before, fit.after)  # adapting changed the prediction
    assert window.findChild(type(window.status.progress), "progressBar").value() == 60
    assert window.state == FINISHED and button(window, "startButton").isEnabled()


def test_pause_holds_between_iterations_and_resume_continues(qtbot, long_window):
    window = long_window
    click(qtbot, window, "startButton")
    wait_for_iteration(qtbot, window, 5)
    reached = pause_and_settle(qtbot, window)
    assert window.state == PAUSED and button(window, "pauseButton").text() == "Resume"
    qtbot.wait(300)
    assert window.session.last_iteration == reached == window.data.iteration
    click(qtbot, window, "pauseButton")
    assert window.state == RUNNING
    wait_for_iteration(qtbot, window, reached + 3)
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        click(qtbot, window, "stopButton")


def test_step_runs_exactly_one_iteration(qtbot, long_window):
    window = long_window
    click(qtbot, window, "stepButton")
    wait_for_iteration(qtbot, window, 1)
    assert window.session.wait_parked(30)
    qtbot.wait(200)
    assert window.session.last_iteration == 1 and window.data.iteration == 1
    click(qtbot, window, "stepButton")
    wait_for_iteration(qtbot, window, 2)
    assert window.session.wait_parked(30)
    qtbot.wait(200)
    assert window.session.last_iteration == 2 and window.state == PAUSED
    with qtbot.waitSignal(window.runFinished, timeout=30_000) as finished:
        click(qtbot, window, "stopButton")
    assert finished.args == ["stopped"] and window.data.iteration == 2


def test_stop_mid_run_keeps_everything(qtbot, long_window):
    window = long_window
    click(qtbot, window, "startButton")
    wait_for_iteration(qtbot, window, 10)
    with qtbot.waitSignal(window.runFinished, timeout=30_000) as finished:
        click(qtbot, window, "stopButton")
    assert finished.args == ["stopped"]
    reached = window.session.last_iteration
    assert window.data.iteration == reached and len(window.loss_panel.meta.getOriginalDataset()[0]) == reached
    assert window.data.finished.final is not None and window.data.last_evaluation.iteration == reached
    summary = json.loads((window.session.run_dir / "summary.json").read_text())
    assert summary["status"] == "stopped" and summary["iterations"] == reached
    assert len(recorded_rows(window)) == reached


def test_reset_clears_to_a_fresh_run(qtbot, window):
    run_to_end(qtbot, window)
    click(qtbot, window, "resetButton")
    assert window.state == IDLE and window.session is None and window.data.iteration == 0
    assert window.loss_panel.meta.getOriginalDataset()[0] is None
    assert window.task_fit_panel.after.getOriginalDataset()[0] is None
    assert "No run" in window.experiment.banner.text()
    assert run_to_end(qtbot, window) == "completed"


def count_clears(window, monkeypatch) -> list[str]:
    cleared: list[str] = []
    for name in ("loss_panel", "adaptation_panel", "task_fit_panel", "tasks_drawn_panel"):
        panel = getattr(window, name)
        monkeypatch.setattr(
            panel, "clear", lambda panel=panel, name=name: (cleared.append(name), type(panel).clear(panel))
        )
    return cleared


def test_blank_panels_are_not_cleared_again_at_start(qtbot, window, monkeypatch):
    cleared = count_clears(window, monkeypatch)
    assert run_to_end(qtbot, window) == "completed"
    assert cleared == []  # a new window's panels are blank: clearing them only repainted them
    click(qtbot, window, "resetButton")
    assert len(cleared) == 4  # the run drew on them
    assert window.loss_panel.meta.getOriginalDataset()[0] is None
    assert run_to_end(qtbot, window) == "completed"
    assert len(cleared) == 4  # nothing drawn since the Reset
    assert run_to_end(qtbot, window) == "completed"
    assert len(cleared) == 8  # the finished run's plots


def test_reset_while_running_stops_then_clears(qtbot, long_window):
    window = long_window
    click(qtbot, window, "startButton")
    wait_for_iteration(qtbot, window, 3)
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        click(qtbot, window, "resetButton")
    assert window.state == IDLE and window.data.iteration == 0


def test_settings_changed_during_a_run_apply_to_the_next(qtbot, long_window):
    window = long_window
    click(qtbot, window, "startButton")
    wait_for_iteration(qtbot, window, 2)
    assert "trained with these settings" in window.experiment.banner.text()
    window.findChild(
        type(window.experiment.forms["training"].rows["training.iterations"].editor), "iterationsSpin"
    ).setValue(25)
    assert "apply to the next run" in window.experiment.banner.text()
    assert window.data.started.total_iterations == 100_000
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        click(qtbot, window, "stopButton")
    assert run_to_end(qtbot, window) == "completed"
    assert window.data.started.total_iterations == 25 and window.data.iteration == 25


@pytest.mark.parametrize("choice", [CloseChoice.STOP, CloseChoice.CANCEL])
def test_closing_mid_run_asks_then_stops_and_waits(qtbot, tmp_path, choice):
    window = open_window(qtbot, tmp_path, preset_with(LONG))
    asked = []
    window.ask_close = lambda count: asked.append(count) or choice
    click(qtbot, window, "startButton")
    wait_for_iteration(qtbot, window, 3)
    session = window.session
    window.close()
    assert asked == [1]
    if choice == CloseChoice.STOP:
        assert not session.active and session.exit.code == 0 and not window.isVisible()
        assert json.loads((session.run_dir / "summary.json").read_text())["status"] == "stopped"
    else:
        assert window.isVisible() and session.active
        with qtbot.waitSignal(window.runFinished, timeout=30_000):
            click(qtbot, window, "stopButton")
