"""The task designer: every family previewable, decision regions of 2-D tasks, the tasks a sampler drew
(a curriculum widening its range), and the sampling and evaluation sections in the form."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.config import load_preset
from studio.engine.tasks import build_family
from studio.presets import bundled_presets
from studio.ui.panels.base import class_color
from studio.views.preview_sampling import GRID_POINTS
from tests.ui.conftest import FAST, open_window, run_to_end

SHORT_RUN = ["training.iterations=20", "training.eval_every=10", *FAST]


def window_for(qtbot, tmp_path, preset: str, extra: tuple[str, ...] = ()):
    return open_window(qtbot, tmp_path, load_preset(bundled_presets()[preset], [*SHORT_RUN, *extra]))


def wait_for_preview(qtbot, window):
    preview = window.experiment.preview
    qtbot.waitUntil(lambda: preview.up_to_date, timeout=20_000)
    return preview


@pytest.mark.parametrize("preset", ["maml-harmonic", "maml-sine-line", "maml-polynomial"])
def test_one_dimensional_regression_families_preview_their_functions(qtbot, tmp_path, preset):
    window = window_for(qtbot, tmp_path, preset)
    preview = wait_for_preview(qtbot, window)
    assert preview.stack.currentWidget() is preview.plot_widget
    batch = build_family(window.experiment.valid_preset.task).sample(5, torch.Generator().manual_seed(0))
    for index, dots in enumerate(preview.dots):
        np.testing.assert_allclose(dots.getOriginalDataset()[1], batch.y_support[index, :, 0].numpy(), rtol=1e-6)
        assert len(preview.lines[index].getOriginalDataset()[0]) == GRID_POINTS


def test_blobs_are_previewed_by_class_and_runs_draw_decision_regions(qtbot, tmp_path):
    window = window_for(qtbot, tmp_path, "maml-blobs2d")
    preview = wait_for_preview(qtbot, window)
    points = preview.tasks.points
    assert len(points.support) == 3 * 5 and len(points.query) == 3 * 15
    brushes = [b.color().name() for b in preview.class_support.data["brush"]]
    assert brushes == [class_color(k) for k in points.support_labels]
    assert run_to_end(qtbot, window) == "completed"
    record, view = window.data.fit, window.task_fit_panel.decision
    assert window.task_fit_panel.stack.currentWidget() is view and record.iteration == 20
    np.testing.assert_array_equal(view.maps["after"].classes, record.after.argmax(axis=-1))
    np.testing.assert_array_equal(view.maps["before"].classes, record.before.argmax(axis=-1))
    assert view.maps["after"].image.image.shape == (*record.after.shape[:2], 3)
    np.testing.assert_allclose(view.maps["after"].support.data["x"], record.support_points[:, 0])
    assert len(view.maps["after"].query.data) == len(record.query_points)
    assert b"<svg" in window.exports.panel("task_fit", tmp_path / "regions.svg").read_bytes()


def test_a_table_is_previewed_by_its_groups_and_one_tasks_rows(qtbot, tmp_path):
    window = window_for(qtbot, tmp_path, "maml-tabular-stores")
    preview = wait_for_preview(qtbot, window)
    family = build_family(window.experiment.valid_preset.task)
    tabular, table = preview.tabular, preview.tasks.table
    assert preview.stack.currentWidget() is tabular
    assert table.groups_per_split == {name: len(groups) for name, groups in family.splits.items()}
    sizes, groups = tabular.counts
    assert groups.sum() == len(family.rows_per_group()) == 40 and sizes.tolist() == [30.0]
    assert tabular.table.rowCount() == 5 + 10 and tabular.table.columnCount() == 5
    header = [tabular.table.horizontalHeaderItem(c).text() for c in range(5)]
    assert header == ["price", "promotion", "temperature", "region", "sales"]
    region = {tabular.table.item(r, 3).text() for r in range(15)}
    assert len(region) == 1 and region <= {"north", "south", "east", "west"}  # a store stays in its region
    note = window.experiment.forms["task"].rows["task.path"].note.text()
    assert note.startswith("40 groups: meta-train 24 · validation 8 · test 8; 30 rows each")
    for suffix in ("png", "svg"):  # the table page exports like a plot
        data = window.exports.panel("preview", tmp_path / f"preview.{suffix}").read_bytes()
        assert data.startswith(b"\x89PNG") if suffix == "png" else b"<svg" in data


def test_tasks_drawn_show_each_parameter_and_the_curriculum_widening(qtbot, tmp_path):
    curriculum = [
        'sampling.strategy="curriculum"', 'sampling.curriculum_parameters=["amplitude"]', "sampling.curriculum_until=40",
    ]  # fmt: skip
    window = window_for(qtbot, tmp_path, "maml-sine", tuple(curriculum))
    assert run_to_end(qtbot, window) == "completed"
    drawn, panel = window.data.drawn, window.tasks_drawn_panel
    assert set(panel.histograms) == set(drawn.values) == {"amplitude", "phase"}
    for name, values in drawn.values.items():
        assert panel.histograms[name].counts.sum() == len(values) == 20 * 5
    amplitude = panel.histograms["amplitude"]
    assert drawn.width == pytest.approx(0.1 + 0.9 * 20 / 40)
    assert amplitude.now.isVisible() and amplitude.now.value() == pytest.approx(0.1 + drawn.width * 4.9)
    assert drawn.values["amplitude"].max() <= amplitude.now.value() + 1e-9
    assert not panel.histograms["phase"].now.isVisible()
    assert f"curriculum at {drawn.width:.0%}" in panel.title.text


def test_sampling_and_evaluation_sections_are_in_the_form(qtbot, tmp_path):
    window = window_for(qtbot, tmp_path, "maml-sine")
    experiment = window.experiment
    sampling = experiment.forms["sampling"].rows
    assert {"sampling.strategy", "sampling.curriculum_parameters", "sampling.pool_size"} <= set(sampling)
    assert set(sampling["sampling.curriculum_parameters"].editor.boxes) == {"amplitude", "phase", "x_range"}
    assert not sampling["sampling.pool_size"].editor.isEnabled()  # uniform sampling reads no pool
    experiment.set_value("sampling.strategy", "prioritized")
    sampling = experiment.forms["sampling"].rows
    assert sampling["sampling.pool_size"].editor.isEnabled()
    assert not sampling["sampling.curriculum_start"].editor.isEnabled()
    baselines = experiment.forms["evaluation"].rows["evaluation.baselines"].editor
    baselines.boxes["scratch"].setChecked(True)
    assert experiment.valid_preset.evaluation.baselines == ("scratch",)
    experiment.set_value("task.family", "blobs2d")  # the curriculum's choices follow the family's ranges
    assert set(experiment.forms["sampling"].rows["sampling.curriculum_parameters"].editor.boxes) == {"center_range"}
