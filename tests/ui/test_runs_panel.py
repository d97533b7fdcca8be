"""The Runs panel: runs written by the CLI listed with their status, filter, rename, delete; selected runs
overlaid on the plots with the plot controls; their settings side by side."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PySide6.QtCore import Qt

from studio.export.hyperparameters import differing_keys
from studio.export.smoothing import ema, shared_range, slider_weight
from studio.ui.close_choice import CloseChoice
from studio.ui.main_window import MainWindow
from studio.ui.run_overlay import run_key
from studio.ui.runs_table import NAME
from tests.ui import runs_fixtures
from tests.ui.conftest import SHORT, preset_with
from tests.ui.runs_fixtures import column

pristine, library_window = runs_fixtures.pristine, runs_fixtures.library_window  # fixtures


class LeftClick:
    """What a legend sample's ``mouseClickEvent`` reads of a click."""

    def button(self) -> Qt.MouseButton:
        return Qt.MouseButton.LeftButton

    def accept(self) -> None:
        pass


def click_legend(legend, item) -> None:
    sample = next(sample for sample, _ in legend.items if sample.item is item)
    sample.mouseClickEvent(LeftClick())


def statuses(panel) -> dict[str, str]:
    return {record.path.name: record.status for record in panel.records}


def visible_names(panel) -> set[str]:
    table = panel.table
    return {table.item(r, NAME).text() for r in range(table.rowCount()) if not table.isRowHidden(r)}


def test_the_runs_folder_is_read_once_the_window_has_been_painted(qtbot, tmp_path, pristine):
    """A long list of runs must not delay the window's first frame (start-up, issue #11)."""
    shutil.copytree(pristine, tmp_path / "runs")
    window = MainWindow(preset_with(SHORT))
    window.runs_dir = tmp_path / "runs"
    window.ask_close = lambda count: CloseChoice.STOP
    window.library.resume_offer.ask = lambda record: None
    qtbot.addWidget(window)
    qtbot.wait(200)
    assert window.library.panel.records == []  # built, never shown: nothing read
    window.show()
    qtbot.waitUntil(lambda: len(window.library.panel.records) == 4, timeout=10_000)


def test_runs_are_listed_filtered_renamed_and_deleted(qtbot, library_window, tmp_path):
    window, panel = library_window, library_window.library.panel
    assert statuses(panel) == {"alpha": "finished", "beta": "finished", "killed": "resumable", "broken": "failed"}
    assert window.library.resume_offer.offered.path.name == "killed"
    panel.filter.setText("resumable")
    assert visible_names(panel) == {"killed"}
    panel.filter.setText("maml inner_lr=0.02")
    assert visible_names(panel) == {"beta"}
    panel.filter.clear()
    panel.table.name_item(run_key(tmp_path / "runs" / "alpha")).setText("baseline")  # as typed into the cell
    assert {r.name for r in panel.records} == {"baseline", "beta", "killed", "broken"}
    assert (tmp_path / "runs" / "alpha").is_dir()  # renaming keeps the folder
    panel.select([tmp_path / "runs" / "broken"])
    panel.confirm_delete = lambda records: False
    assert panel.delete() == [] and (tmp_path / "runs" / "broken").is_dir()
    asked = []
    panel.confirm_delete = lambda records: asked.append([r.name for r in records]) or True
    assert panel.delete() == [tmp_path / "runs" / "broken"]
    assert asked == [["broken"]]
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["alpha", "beta", "killed"]
    assert statuses(panel) == {"alpha": "finished", "beta": "finished", "killed": "resumable"}


def test_selected_runs_are_overlaid_with_plot_controls(qtbot, library_window, tmp_path):
    window, library = library_window, library_window.library
    alpha, beta = tmp_path / "runs" / "alpha", tmp_path / "runs" / "beta"
    library.panel.select([alpha, beta])
    curves = {path.name: library.overlay.curve_of(path) for path in (alpha, beta)}
    assert curves["alpha"].colour != curves["beta"].colour
    for name, curve in curves.items():
        x, y = curve.main.getOriginalDataset()
        np.testing.assert_array_equal(x, column(tmp_path / "runs" / name, "iteration"))
        np.testing.assert_allclose(y, column(tmp_path / "runs" / name, "meta_loss"))
        assert curve.main.isVisible() and window.loss_panel.legend.getLabel(curve.main) is not None
        assert window.adaptation_panel.legend.getLabel(curve.final) is not None
    # the check box in the list hides a run; a click on its legend entry shows it again
    library.panel.table.name_item(run_key(beta)).setCheckState(Qt.CheckState.Unchecked)
    assert not curves["beta"].main.isVisible() and not curves["beta"].final.isVisible()
    click_legend(window.loss_panel.legend, curves["beta"].main)
    assert curves["beta"].main.isVisible()
    assert curves["beta"].final.isVisible()
    assert library.panel.table.name_item(run_key(beta)).checkState() == Qt.CheckState.Checked
    # smoothing: the drawn curve is the EMA, the raw one stays (faint)
    controls = library.loss_controls
    controls.slider.setValue(60)
    raw = column(alpha, "meta_loss")
    np.testing.assert_allclose(curves["alpha"].main.getOriginalDataset()[1], ema(raw, slider_weight(60)))
    np.testing.assert_allclose(curves["alpha"].raw.getOriginalDataset()[1], raw)
    assert curves["alpha"].raw.isVisible()
    # log axes, wall-time x, same y range, crosshair read-out
    controls.log_y.setChecked(False)
    controls.log_x.setChecked(True)
    assert not window.loss_panel.plot.getAxis("left").logMode and window.loss_panel.plot.getAxis("bottom").logMode
    controls.log_x.setChecked(False)
    controls.x_choice.setCurrentText("wall time")
    np.testing.assert_allclose(curves["alpha"].main.getOriginalDataset()[0], column(alpha, "elapsed_s"))
    controls.same_y.setChecked(True)
    named = [i.getOriginalDataset()[1] for i in window.loss_panel.plot.listDataItems() if i.name() and i.isVisible()]
    low, high = window.loss_panel.plot.getViewBox().viewRange()[1]
    assert (low, high) == pytest.approx(shared_range([y for y in named if y is not None]))
    x, y = curves["beta"].main.getData()
    assert library.loss_controls.crosshair.point_at(x[5], y[5]).endswith(f"beta: {y[5]:.4g} at {x[5]:.4g}")
    # their settings side by side: exactly the differing keys highlighted
    table = library.panel.settings
    assert table.highlighted_columns() == set(differing_keys([r.preset for r in library.panel.selected()]))
    assert table.highlighted_columns() == {"algorithm.inner_lr"}


def test_a_run_folder_opened_from_disk_restores_its_settings(qtbot, library_window, tmp_path):
    window, library = library_window, library_window.library
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(tmp_path / "runs" / "beta", elsewhere)
    record = library.open_run_folder(elsewhere)
    assert record.status == "finished" and [r.path for r in library.panel.selected()] == [elsewhere]
    np.testing.assert_allclose(
        library.overlay.curve_of(elsewhere).main.getOriginalDataset()[1], column(elsewhere, "meta_loss")
    )
    assert window.experiment.data["algorithm"]["inner_lr"] == 0.02  # "run again with these settings"
    assert library.open_run_folder(tmp_path) is None and window.last_error is not None


def test_notes_and_tags_are_edited_in_the_runs_panel_kept_in_the_folder_and_filterable(library_window):
    from studio.export.annotations import Annotations, read_annotations
    from studio.ui.notes_dialog import NotesDialog

    panel = library_window.library.panel
    first = panel.records[0]
    panel.select([first.path])
    typed = NotesDialog(first.name, Annotations())
    typed.tags.setText("#baseline tuned")
    typed.note.setPlainText("inner lr too high?")
    panel.ask_notes = lambda record, now: typed.annotations()
    panel.notes_button.click()
    assert read_annotations(first.path) == Annotations("inner lr too high?", ("baseline", "tuned"))
    notes_column = panel.table.columnCount() - 1
    texts = [panel.table.item(row, notes_column).text() for row in range(panel.table.rowCount())]
    assert "#baseline #tuned  inner lr too high?" in texts
    panel.filter.setText("#tuned")
    shown = [row for row in range(panel.table.rowCount()) if not panel.table.isRowHidden(row)]
    assert len(shown) == 1
    panel.ask_notes = lambda record, now: Annotations("x", ("two words",))
    problems = []
    panel.problem.connect(problems.append)
    panel.notes_button.click()
    assert problems and "no spaces" in problems[0]
    assert read_annotations(first.path).tags == ("baseline", "tuned")


def test_a_training_runs_row_shows_its_progress_without_a_new_list(qtbot, tmp_path):
    """The folder's stamp changes only when a run appears, ends or loses its process: a run that trains had its
    duration stuck at the moment the list was read."""
    from studio.ui import runs_panel
    from studio.ui.runs_table import DURATION
    from tests.library_helpers import make_killed_run

    training = make_killed_run(tmp_path / "runs" / "training", 3, age=None)  # fresh files, a live lock: training
    panel = runs_panel.RunsPanel()
    qtbot.addWidget(panel)
    panel.refresh(tmp_path / "runs")
    (record,) = panel.records
    assert record.status == "running" and record.iterations == 3
    panel.select([training])
    metrics = training / "metrics.csv"
    width = len(metrics.read_text().splitlines()[0].split(","))
    with metrics.open("a", encoding="utf-8") as handle:  # the run goes on: iteration 4 at 125 s
        handle.write(",".join(["4", "125.0", "0.5", "100.0"] + [""] * (width - 4)) + "\n")
    for _ in range(runs_panel.PROGRESS_LOOKS):
        panel._look()
    (fresh,) = panel.records
    assert fresh.iterations == 4 and fresh.duration_seconds == 125.0
    assert panel.table.item(0, DURATION).text() == "2:05"
    assert panel.table.selected_keys() == [run_key(training)] and panel.table.rowCount() == 1  # as it was
