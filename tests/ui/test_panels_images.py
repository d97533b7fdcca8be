"""Image classification in the window: the preview's episode grid, the held-out episode judged before and after
adapting, accuracy beside the loss, one-point curves of learners without inner steps, the image-folder picker."""

from __future__ import annotations

import numpy as np

from studio.config import load_preset
from studio.engine.tasks import build_family
from studio.presets import bundled_presets
from studio.ui.path_editor import PathEditor
from studio.views.preview_sampling import data_summary
from tests.engine.image_fixtures import write_class
from tests.ui.conftest import FAST, open_window, run_to_end

TINY_GLYPHS = [
    "task.classes=24", "task.drawings=4", "task.ways=2", "task.shots=1", "task.queries=2", "task.image_size=16",
    "model.filters=4", "training.iterations=20", "training.eval_every=10", *FAST,
]  # fmt: skip


def glyph_window(qtbot, tmp_path, preset: str = "maml-omniglot-style", extra: tuple[str, ...] = ()):
    return open_window(qtbot, tmp_path, load_preset(bundled_presets()[preset], [*TINY_GLYPHS, *extra]))


def test_the_preview_shows_one_episode_as_a_grid_of_images(qtbot, tmp_path):
    window = glyph_window(qtbot, tmp_path)
    preview = window.experiment.preview
    qtbot.waitUntil(lambda: preview.up_to_date and preview.tasks.episode is not None, timeout=20_000)
    episode = preview.tasks.episode
    assert preview.stack.currentWidget() is preview.grid
    assert preview.grid.image_count == 2 * (1 + 2) == len(episode.support_labels) + len(episode.query_labels)
    rows = {cell.row for cell in preview.grid.cells}
    assert rows == {0, 1}  # a row per class
    for cell in preview.grid.cells:  # each image sits in the row of its class
        labels = episode.support_labels if cell.part == "support" else episode.query_labels
        assert labels[cell.index] == cell.row
    ticks = preview.grid.plot.getAxis("left")._tickLevels[0]
    assert [text for _, text in ticks] == [f"{i} · {name}" for i, name in enumerate(episode.class_names)]


def test_a_classification_run_shows_the_episode_judged_and_the_accuracy(qtbot, tmp_path):
    window = glyph_window(qtbot, tmp_path)
    assert run_to_end(qtbot, window) == "completed"
    fit, view = window.data.fit, window.task_fit_panel.images
    assert window.task_fit_panel.stack.currentWidget() is view and fit.iteration == 20
    assert view.grid.image_count == len(fit.support_images) + len(fit.query_images)
    assert view.wrong == np.flatnonzero(fit.predicted_after != fit.query_labels).tolist()
    after = (fit.predicted_after == fit.query_labels).mean()
    before = (fit.predicted_before == fit.query_labels).mean()
    assert f"{before:.0%} → {after:.0%} after 1 step(s)" in view.grid.plot.titleLabel.text
    view.marking.setCurrentText("before adapting")
    assert view.wrong == np.flatnonzero(fit.predicted_before != fit.query_labels).tolist()
    accuracy = np.array([e.accuracy_mean[-1] for e in window.data.evaluations()])
    np.testing.assert_allclose(window.loss_panel.accuracy.getOriginalDataset()[1], accuracy)
    assert window.loss_panel.plot.getAxis("right").isVisible()
    panel = window.adaptation_panel
    assert panel.show_accuracy.isVisible()
    panel.show_accuracy.setChecked(True)
    np.testing.assert_allclose(panel.latest.getOriginalDataset()[1], window.data.last_evaluation.accuracy_mean)
    assert window.data.notices and window.run_log.lines()[0] == window.data.notices[0]  # "glyphs: 24 classes ..."


def test_learners_without_inner_steps_plot_one_point_with_its_interval(qtbot, tmp_path):
    window = glyph_window(qtbot, tmp_path, "protonet-glyphs")
    assert run_to_end(qtbot, window) == "completed"
    panel, last = window.adaptation_panel, window.data.last_evaluation
    assert last.steps == (0,)
    x, y = panel.latest.getOriginalDataset()
    np.testing.assert_array_equal(x, [0.0])
    np.testing.assert_allclose(y, last.loss_mean)
    assert panel.upper.getOriginalDataset()[0] is None or len(panel.upper.getOriginalDataset()[0]) == 0
    np.testing.assert_allclose(panel.bars.opts["height"], 2 * np.asarray(last.loss_ci95))  # the CI as an error bar
    assert window.loss_panel.legend.getLabel(window.loss_panel.before) is None  # no "before" without inner steps
    assert "no inner steps" in window.task_fit_panel.images.grid.plot.titleLabel.text


def image_root(tmp_path, classes: int = 20):
    root = tmp_path / "images"
    for c in range(classes):
        write_class(root / f"class{c}", 4, seed=c, size=12)
    return root


def test_the_image_folder_picker_validates_and_counts_each_split(qtbot, tmp_path, monkeypatch):
    window = glyph_window(qtbot, tmp_path)
    experiment = window.experiment
    experiment.set_value("task.family", "image_folder")  # its own defaults: the episode's shape set again
    for path, value in {"task.ways": 2, "task.queries": 2, "task.image_size": 16, "task.rotations": True}.items():
        experiment.set_value(path, value)
    root, empty = image_root(tmp_path), tmp_path / "empty"
    empty.mkdir()
    chosen = iter([str(root), str(empty)])
    monkeypatch.setattr(PathEditor, "choose_folder", staticmethod(lambda parent, caption, start: next(chosen)))
    row = experiment.forms["task"].rows["task.root"]
    assert isinstance(row.editor, PathEditor)
    row.editor.browse.click()
    assert row.editor.text() == str(root)
    qtbot.waitUntil(lambda: experiment.preview.up_to_date and row.note.text() != "", timeout=20_000)
    family = build_family(experiment.valid_preset.task)
    assert row.note.text().startswith(data_summary(family))
    assert "meta-train: 14 classes (x4 turned), 56 images · validation: 2 classes" in row.note.text()
    assert experiment.preview.grid.image_count == 2 * 3
    row.editor.browse.click()  # a folder without images: the engine's message, on the field
    qtbot.waitUntil(lambda: row.error.text() != "", timeout=20_000)
    assert row.error.text().startswith(f"{empty}: no images found")
    assert experiment.valid_preset is None and row.note.text() == ""
