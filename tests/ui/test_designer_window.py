"""The designer's window around the form: panels labelled for the tasks the settings describe, toolbar words
that say what they do and buttons that stay put."""

from __future__ import annotations

import re

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget

from studio.ui.toolbar import IDLE, PAUSED
from tests.ui import runs_fixtures
from tests.ui.conftest import SHORT, button, open_window, preset_with

pristine, library_window = runs_fixtures.pristine, runs_fixtures.library_window  # fixtures


def wait_for_preview(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.experiment.preview.up_to_date, timeout=20_000)


def test_before_a_classification_run_the_panels_speak_of_cross_entropy(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    wait_for_preview(qtbot, window)
    assert "MSE" in window.loss_panel.plot.getAxis("left").labelText
    window.experiment.choose("task.family", "blobs2d")
    qtbot.waitUntil(lambda: window.experiment.preview.tasks.kind == "classification", timeout=20_000)
    assert "cross-entropy" in window.loss_panel.plot.getAxis("left").labelText
    assert "cross-entropy" in window.adaptation_panel.plot.getAxis("left").labelText
    task_fit = window.task_fit_panel
    assert task_fit.stack.currentWidget() is task_fit.decision  # decision regions, not "true function"


def test_clear_plots_says_what_it_does(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    clear = button(window, "resetButton")
    assert clear.text() == "Clear plots" and "settings stay" in clear.toolTip()


def test_toolbar_buttons_stay_put_when_pause_becomes_resume(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    stop = button(window, "stopButton")
    window.toolbar.apply(IDLE, "")
    qtbot.wait(10)
    before = stop.mapTo(window, stop.rect().topLeft())
    window.toolbar.apply(PAUSED, "")
    qtbot.wait(10)
    assert button(window, "pauseButton").text() == "Resume"
    assert stop.mapTo(window, stop.rect().topLeft()) == before


def type_into(qtbot, window, path: str, text: str) -> str:
    """Type ``text`` over a field's value, leave the field; the message under it ('' when none)."""
    editor = window.experiment.forms[path.partition(".")[0]].rows[path].editor
    editor.setFocus()
    editor.lineEdit().selectAll()
    qtbot.keyClicks(editor.lineEdit(), text)
    window.setFocus()
    qtbot.wait(10)
    assert editor.text() == text  # what was typed stays, with the message under it
    row = window.experiment.forms[path.partition(".")[0]].rows[path]
    return row.error.text() if row.error.isVisibleTo(window) else ""


def test_bad_numbers_are_marked_at_the_field_as_typed(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    assert type_into(qtbot, window, "task.shots", "0") == "must be >= 1, got 0"
    assert not button(window, "startButton").isEnabled()
    assert type_into(qtbot, window, "task.shots", "abc") != ""
    assert type_into(qtbot, window, "algorithm.inner_lr", "-1") == "must be > 0, got -1.0"  # not a clamped 0.0
    assert type_into(qtbot, window, "task.shots", "5") == ""
    assert window.experiment.valid_preset is None  # inner_lr is still wrong
    assert type_into(qtbot, window, "algorithm.inner_lr", "0.02") == ""
    assert window.experiment.valid_preset.task.shots == 5 and window.experiment.valid_preset.algorithm.inner_lr == 0.02


def test_the_harmonic_preview_draws_its_curves_through_the_support_points(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    window.experiment.choose("task.family", "harmonic")
    preview = window.experiment.preview
    qtbot.waitUntil(lambda: preview.up_to_date and len(preview.tasks.curves) > 0, timeout=20_000)
    for line, dots in zip(preview.lines, preview.dots):
        x, y = line.getData()
        support_x, support_y = dots.getData()
        assert x.min() <= support_x.min() and support_x.max() <= x.max()
        drawn = np.interp(support_x, x, y)  # where the drawn polyline passes at each support point
        assert np.abs(drawn - support_y).max() < 0.02 * max(1.0, np.abs(y).max())


def wheel(widget, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """One notch of the mouse wheel (away from the user) over the middle of ``widget``."""
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_over_the_preview_scrolls_the_form_and_zoom_needs_ctrl(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    window.resize(1280, 720)
    preview = window.experiment.preview
    qtbot.waitUntil(lambda: preview.up_to_date and len(preview.tasks.curves) > 0, timeout=20_000)
    bar = window.experiment.verticalScrollBar()
    view = preview.plot.getViewBox()
    shown = view.viewRange()
    wheel(preview.plot_widget.viewport())
    assert bar.value() > 0 and view.viewRange() == shown  # the form scrolled, the preview did not zoom
    wheel(preview.plot_widget.viewport(), Qt.KeyboardModifier.ControlModifier)
    assert view.viewRange() != shown
    preview.resample()
    qtbot.waitUntil(lambda: preview.up_to_date, timeout=20_000)
    assert all(view.autoRangeEnabled())  # a new draw is shown whole, not through the old zoom


def test_the_wheel_over_an_episode_of_images_scrolls_the_form_too(qtbot, tmp_path):
    """The preview builds its image grid only once a family of images asks for it (start-up, issue #11)."""
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    window.resize(1280, 720)
    preview = window.experiment.preview
    assert window.findChild(QWidget, "previewImageGrid") is None
    window.experiment.choose("task.family", "glyphs")
    qtbot.waitUntil(lambda: preview.up_to_date and preview.stack.currentWidget() is preview.grid, timeout=30_000)
    bar = window.experiment.verticalScrollBar()
    bar.setValue(0)
    view = preview.grid.plot.getViewBox()
    shown = view.viewRange()
    wheel(preview.grid.plot_widget.viewport())
    assert bar.value() > 0 and view.viewRange() == shown


def test_choosing_a_family_keeps_the_form_where_it_was_scrolled(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    window.resize(1280, 720)
    bar = window.experiment.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 200)
    for family in ("glyphs", "blobs2d", "tabular_csv", "polynomial", "sinusoid"):
        window.activateWindow()
        qtbot.waitActive(window)
        combo = window.experiment.forms["task"].rows["task.family"].editor
        combo.setFocus()  # as after picking from it with the mouse
        qtbot.waitUntil(combo.hasFocus)
        bar.setValue(150)
        window.experiment.choose("task.family", family)
        qtbot.wait(100)
        assert bar.value() == 150, family


def test_at_1280_by_720_the_form_fits_and_the_plots_keep_their_height(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.experiment.preview.up_to_date, timeout=20_000)
    qtbot.wait(50)
    assert window.width() <= 1280 and window.height() <= 720
    assert not window.experiment.horizontalScrollBar().isVisible()  # nothing cut off at the right
    plots = (window.loss_panel, window.adaptation_panel, window.task_fit_panel.regression)
    assert min(panel.plot_widget.height() for panel in plots) >= 160


def menu_texts(menu) -> list[str]:
    texts = []
    for action in menu.actions():
        texts.append(action.text())
        if action.menu() is not None:
            texts += menu_texts(action.menu())
    return texts


def test_menus_and_the_runs_table_use_words_not_identifiers(qtbot, library_window):
    window = library_window
    texts = [t for action in window.menuBar().actions() for t in [action.text(), *menu_texts(action.menu())]]
    assert "Tasks drawn" in texts
    identifiers = [t for t in texts if re.search(r"\b[a-z]+_[a-z_]+\b", t) and not t.startswith(("&Bundled", "/"))]
    assert [t for t in identifiers if ":" not in t] == []  # bundled presets are listed as 'file-name: description'
    table = window.library.panel.table
    shown = {table.item(row, column).text() for row in range(table.rowCount()) for column in (1, 2)}
    assert {"MAML", "Sinusoids"} <= shown and "maml" not in shown and "sinusoid" not in shown


def test_a_many_way_glyph_preview_draws_each_glyph_large_enough_to_see(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    window.experiment.choose("task.family", "glyphs")
    for path, value in {"task.classes": 120, "task.drawings": 6, "task.ways": 12, "task.image_size": 16}.items():
        window.experiment.set_value(path, value)
    grid = window.experiment.preview.grid
    qtbot.waitUntil(lambda: window.experiment.preview.up_to_date and len(grid.cells) == 12 * 6, timeout=30_000)
    qtbot.wait(50)
    view = grid.plot.getViewBox()
    (x0, x1), (y0, y1) = view.viewRange()
    pixels_per_unit = min(view.width() / (x1 - x0), view.height() / (y1 - y0))
    assert grid.cell_size * pixels_per_unit >= 20  # was 8 px per glyph with the grid capped at 260 px
