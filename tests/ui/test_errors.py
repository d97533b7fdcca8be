"""An exception in the run's process: a dialog with message and details, the window still usable, results kept."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QMessageBox

from studio.export import load_model
from tests.runs.faulty_child import command
from tests.ui.conftest import button, run_to_end


def test_an_engine_error_opens_a_dialog_and_keeps_the_partial_run(qtbot, window, tmp_path):
    window.child_command = command("step", 7)
    assert run_to_end(qtbot, window) == "error"
    dialog = window.last_error
    assert isinstance(dialog, QMessageBox) and dialog.isVisible()
    assert "RuntimeError: the engine broke" in dialog.text()
    assert "failing_step" in dialog.detailedText()  # the traceback, for a bug report
    assert window.data.iteration == 7 and window.state == "finished"
    assert button(window, "startButton").isEnabled()
    assert json.loads((window.session.run_dir / "summary.json").read_text())["status"] == "error"
    exported = window.exports.model(tmp_path / "partial")
    load_model(exported)
    assert len((exported / "metrics.csv").read_text().splitlines()) - 1 == 7
    dialog.close()
    window.child_command = None
    assert run_to_end(qtbot, window) == "completed"  # the app survived


def test_settings_the_engine_refuses_at_start_are_marked(qtbot, window):
    window.child_command = command("refuse")
    assert run_to_end(qtbot, window) == "error"
    assert window.last_error.text() == "algorithm.name 'maml' does not apply to these tasks"
    assert window.last_error.detailedText() == ""  # a settings problem, not a bug: no traceback
    row = window.experiment.forms["algorithm"].rows["algorithm.name"]
    assert row.error.text() == "'maml' does not apply to these tasks"
    assert not button(window, "startButton").isEnabled()
    assert not any(window.runs_dir.iterdir())  # no empty run folder left behind
