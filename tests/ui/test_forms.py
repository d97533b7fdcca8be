"""The experiment panel: controls from field metadata, validation as the CLI words it, the preview."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import torch
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox
from superqt import QLabeledDoubleRangeSlider

from studio.config import ALGORITHMS, TASKS, ConfigError, TaskConfig, load_preset, param
from studio.engine.device import available_devices, process_choices
from studio.engine.registry import FAMILIES
from studio.engine.tasks import build_family
from studio.ui.forms import ERROR_COLOR
from studio.ui.panels.preview import PREVIEW_TASKS
from tests.ui.conftest import PRESET_PATH, SHORT, button, open_window, preset_with


def control(window, name, kind=None):
    found = window.findChild(kind or object, name)
    assert found is not None, name
    return found


def cli_message(override: str) -> str:
    """What ``studio run maml-sine --set OVERRIDE`` prints after 'studio: error: '."""
    with pytest.raises(ConfigError) as caught:
        load_preset(PRESET_PATH, [*SHORT, override])
    return str(caught.value)


def test_controls_follow_the_field_metadata(window):
    expected = {
        "taskFamilyCombo": QComboBox,
        "algorithmCombo": QComboBox,
        "deviceCombo": QComboBox,
        "iterationsSpin": QSpinBox,
        "field:task.shots": QSpinBox,
        "field:task.amplitude": QLabeledDoubleRangeSlider,
        "field:task.noise_std": QDoubleSpinBox,
        "field:algorithm.first_order": QCheckBox,
        "field:model.activation": QComboBox,
        "field:model.hidden": QLineEdit,
        "field:seed": QSpinBox,
    }
    for name, kind in expected.items():
        assert isinstance(control(window, name), kind), name
    assert control(window, "field:model.hidden").text() == "40, 40"
    assert control(window, "iterationsSpin").value() == 60
    assert control(window, "field:task.amplitude").value() == pytest.approx((0.1, 5.0))
    algorithms = control(window, "algorithmCombo")
    assert [algorithms.itemData(i) for i in range(algorithms.count())] == ALGORITHMS.names()
    devices = control(window, "deviceCombo")
    listed = [devices.itemData(i) for i in range(devices.count())]
    shared = [(choice.device, choice.processes) for choice in process_choices()]  # several processes (torchrun)
    assert listed == [("auto", 1)] + [(d.name, 1) for d in available_devices()] + shared
    assert devices.currentData() == ("cpu", 1)


def test_an_invalid_field_is_marked_and_disables_start(window):
    start = button(window, "startButton")
    assert start.isEnabled()
    control(window, "field:training.meta_lr").setValue(0.0)
    message = cli_message("training.meta_lr=0")
    assert message.startswith("training.meta_lr must be > 0")
    assert not start.isEnabled() and not button(window, "stepButton").isEnabled()
    assert message in start.toolTip()
    row = window.experiment.forms["training"].rows["training.meta_lr"]
    assert row.error.isVisibleTo(window) and f"training.meta_lr {row.error.text()}" == message

    def label_colour() -> QColor:
        return row.label.palette().color(QPalette.ColorRole.WindowText)

    assert label_colour() == QColor(ERROR_COLOR) == row.error.palette().color(QPalette.ColorRole.WindowText)
    control(window, "field:training.meta_lr").setValue(0.001)
    assert start.isEnabled() and not row.error.isVisibleTo(window)
    assert label_colour() == window.experiment.palette().color(QPalette.ColorRole.WindowText) != QColor(ERROR_COLOR)


def test_an_unparsable_list_gets_the_cli_message(window):
    control(window, "field:model.hidden").setText("40, x")
    assert cli_message('model.hidden="40, x"') in button(window, "startButton").toolTip()
    control(window, "field:model.hidden").setText("64, 32, 16")
    assert window.experiment.valid_preset.model.hidden == (64, 32, 16)


@dataclass(frozen=True)
class WaveTask(TaskConfig):
    """A family registered by a test, to check that nothing in the window knows the sinusoid."""

    family: str = "wave"
    frequency: float = param(1.0, "Frequency", "Cycles per unit.", minimum=0.1, maximum=10.0, step=0.1)


def test_choosing_another_family_rebuilds_the_form(qtbot, tmp_path, monkeypatch):
    TASKS.names()  # load the real families first
    monkeypatch.setitem(TASKS._classes, "wave", WaveTask)
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    control(window, "taskFamilyCombo").setCurrentText("wave")
    rows = window.experiment.forms["task"].rows
    assert "task.frequency" in rows and "task.amplitude" not in rows
    assert window.experiment.valid_preset.task == WaveTask(shots=10, queries=10)
    preview = window.experiment.preview
    qtbot.waitUntil(lambda: preview.up_to_date)
    assert "No preview" in preview.note.text()  # no engine sampler registered for it
    window.experiment.choose("task.family", "sinusoid")
    assert "task.amplitude" in window.experiment.forms["task"].rows
    qtbot.waitUntil(lambda: preview.up_to_date)
    assert preview.stack.currentWidget() is preview.plot_widget


class WaveFamily:
    """An engine sampler that refuses some settings, as one reading a data folder would."""

    def __init__(self, config):
        if config.frequency > 5:
            raise ConfigError.at("task.frequency", "is too high for this sampler")


def test_settings_the_sampler_refuses_are_marked(qtbot, tmp_path, monkeypatch):
    TASKS.names()
    FAMILIES.names()
    monkeypatch.setitem(TASKS._classes, "wave", WaveTask)
    monkeypatch.setitem(FAMILIES._classes, "wave", WaveFamily)
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    control(window, "taskFamilyCombo").setCurrentText("wave")
    control(window, "field:task.frequency").setValue(6.0)
    row = window.experiment.forms["task"].rows["task.frequency"]
    qtbot.waitUntil(lambda: row.error.text() == "is too high for this sampler")
    assert not button(window, "startButton").isEnabled()
    assert "task.frequency is too high" in button(window, "startButton").toolTip()
    control(window, "field:task.frequency").setValue(2.0)
    qtbot.waitUntil(lambda: button(window, "startButton").isEnabled())


def test_preview_draws_the_engines_tasks_and_follows_the_sliders(qtbot, window):
    preview = window.experiment.preview
    qtbot.waitUntil(lambda: preview.up_to_date)
    config = window.experiment.valid_preset.task
    batch = build_family(config).sample(PREVIEW_TASKS, torch.Generator().manual_seed(0))
    for index, dots in enumerate(preview.dots):
        np.testing.assert_allclose(dots.getOriginalDataset()[1], batch.y_support[index, :, 0].numpy(), rtol=1e-6)
    assert len(preview.lines) == PREVIEW_TASKS
    control(window, "field:task.amplitude").setValue((4.9, 5.0))
    qtbot.waitUntil(lambda: preview.up_to_date)
    peaks = [np.abs(line.getOriginalDataset()[1]).max() for line in preview.lines]
    assert min(peaks) > 4.8
    before = preview.lines[0].getOriginalDataset()[1].copy()
    control(window, "resampleButton").click()
    qtbot.waitUntil(lambda: preview.up_to_date)
    assert not np.allclose(before, preview.lines[0].getOriginalDataset()[1])


def test_save_and_open_preset_round_trip(window, tmp_path):
    control(window, "field:task.shots").setValue(5)
    saved = tmp_path / "five-shot.toml"
    assert window.presets.save_as(saved)
    assert load_preset(saved) == window.experiment.valid_preset  # what `studio run` would read
    window.experiment.load(preset_with(SHORT))
    assert control(window, "field:task.shots").value() == 10
    assert window.presets.open(saved)
    assert control(window, "field:task.shots").value() == 5
    assert window.presets.recent.paths()[0] == saved.resolve()


def test_opening_a_broken_preset_shows_the_error(window, tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[task]\nshots = 0\n")
    assert not window.presets.open(broken)
    assert "task.shots must be >= 1, got 0" in window.last_error.text()
    assert control(window, "field:task.shots").value() == 10
