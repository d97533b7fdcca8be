"""Algorithms in the window: every registered one described in the picker, layer-wise adaptation as a row per
layer group, and the conventional baselines drawn beside the meta-learner's adaptation curve."""

from __future__ import annotations

import numpy as np
import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from studio.config import ALGORITHMS, load_preset
from studio.engine.algorithms.layers import layer_groups
from studio.engine.models import build_model
from studio.engine.registry import LEARNERS
from studio.presets import bundled_presets
from tests.ui.conftest import FAST, open_window, preset_with, run_to_end


def test_the_picker_lists_every_algorithm_with_its_description(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(FAST))
    combo = window.findChild(QComboBox, "algorithmCombo")
    names = [combo.itemData(i) for i in range(combo.count())]
    assert names == ALGORITHMS.names()
    for index, name in enumerate(names):
        assert combo.itemData(index, Qt.ItemDataRole.ToolTipRole) == LEARNERS.get(name).description
        assert combo.itemText(index) == ALGORITHMS.label(name) != name  # a human label, not the identifier
    combo.setCurrentIndex(combo.findData("reptile"))
    rows = window.experiment.forms["algorithm"].rows
    assert rows["algorithm.name"].note.text() == LEARNERS.get("reptile").description
    assert {"algorithm.outer_step", "algorithm.inner_optimizer"} <= set(rows)  # its own hyperparameters


def test_layer_wise_adaptation_is_a_row_per_layer_group(qtbot, tmp_path):
    preset = load_preset(bundled_presets()["anil-sine"], ["model.hidden=[8, 8, 8]", *FAST])
    window = open_window(qtbot, tmp_path, preset)
    experiment = window.experiment
    with torch.device("meta"):
        expected = list(layer_groups(build_model(preset.model, 1, 1)))
    editor = experiment.links.layers
    qtbot.waitUntil(lambda: list(editor.rows) == expected, timeout=10_000)
    assert [g for g, box in editor.rows.items() if box.isChecked()] == [expected[-1]]  # ANIL: ["head"]
    editor.rows[expected[0]].setChecked(True)
    assert experiment.data["algorithm"]["adapt_layers"] == [expected[0], expected[-1]]
    assert experiment.valid_preset.algorithm.adapt_layers == (expected[0], expected[-1])
    for group in expected[1:-1]:
        editor.rows[group].setChecked(True)
    assert experiment.data["algorithm"]["adapt_layers"] == []  # every layer: the empty list
    for group in expected:
        editor.rows[group].setChecked(False)
    assert [g for g, box in editor.rows.items() if box.isChecked()] == [expected[-1]]  # one must stay
    experiment.set_value("algorithm.learn_inner_lr", True)
    editor = experiment.links.layers
    assert editor.rates[expected[-1]].text().endswith("learned rate")
    assert not editor.rates[expected[0]].text().endswith("learned rate")
    experiment.set_value("model.hidden", [8, 8])  # the rows follow the network
    qtbot.waitUntil(lambda: len(experiment.links.layers.rows) == 3)


def test_baselines_are_drawn_beside_the_meta_learner(qtbot, tmp_path):
    extra = ['evaluation.baselines=["pretrain", "scratch"]', "evaluation.pretrain_iterations=10"]
    window = open_window(
        qtbot, tmp_path, preset_with(["training.iterations=20", "training.eval_every=10", *FAST, *extra])
    )
    assert run_to_end(qtbot, window) == "completed"
    curves = window.adaptation_panel.baseline_curves
    assert set(curves) == set(window.data.baselines) == {"pretrain", "scratch"}
    for name, evaluation in window.data.baselines.items():
        x, y = curves[name].getOriginalDataset()
        np.testing.assert_array_equal(x, evaluation.steps)
        np.testing.assert_allclose(y, evaluation.loss_mean)
        assert window.adaptation_panel.legend.getLabel(curves[name]).text == f"{name} baseline"
    window.reset()
    assert window.adaptation_panel.baseline_curves == {}
