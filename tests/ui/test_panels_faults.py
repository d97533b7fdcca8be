"""Faults in the window: a diverged run is marked on the loss plot and explained; skipped meta-batches leave
gaps, not a broken curve; notices about the data reach the status bar and the log."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from studio.engine.events import Notice
from studio.views.run_data import RunData
from tests.runs.faulty_child import command
from tests.ui.conftest import FAST, open_window, preset_with, run_to_end

SHORT_RUN = ["training.iterations=40", "training.eval_every=10", *FAST]


def test_a_diverged_run_is_marked_and_explained(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT_RUN))
    window.child_command = command("nan", 15)
    assert run_to_end(qtbot, window) == "diverged"
    finished = window.data.finished
    assert finished.iteration == 14 and "non-finite at iteration 15" in finished.message
    line = window.loss_panel.divergence
    assert line.isVisible() and line.value() == 15
    assert finished.message in window.statusBar().currentMessage()
    box = window.feedback.last_message
    assert isinstance(box, QMessageBox) and box.isVisible() and box.text() == finished.message
    assert box.windowModality() == Qt.WindowModality.NonModal  # the window stays usable behind it
    assert any(finished.message in line for line in window.run_log.lines())
    box.close()
    window.reset()
    assert not window.loss_panel.divergence.isVisible() and window.run_log.lines() == []


def test_skipped_batches_leave_gaps_in_the_loss_curve(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with([*SHORT_RUN, 'training.on_divergence="skip"']))
    window.child_command = command("nan", 20, 25)
    assert run_to_end(qtbot, window) == "completed"
    x, y = window.loss_panel.meta.getOriginalDataset()
    assert len(x) == 40 and np.isnan(y).sum() == 5 == window.data.skipped == window.data.finished.skipped_batches
    drawn = window.loss_panel.meta.curve.getPath().boundingRect()
    assert drawn.width() > 0 and math.isfinite(drawn.height()) and drawn.height() > 0  # the finite parts are drawn
    assert "5 skipped" in window.loss_panel.legend.getLabel(window.loss_panel.meta).text
    assert "5 meta-batch(es) skipped" in window.statusBar().currentMessage()


def test_notices_reach_the_status_bar_and_the_log(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT_RUN))
    data = RunData()
    for message in ("12 files skipped: broken.png", "3 classes left out"):
        data.add(Notice(message))
    window.feedback.refresh(data)
    assert window.run_log.lines() == ["12 files skipped: broken.png", "3 classes left out"]
    assert window.statusBar().currentMessage() == "3 classes left out"
    window.feedback.refresh(data)  # nothing new: nothing repeated
    assert len(window.run_log.lines()) == 2
