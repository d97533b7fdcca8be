"""Choosing a family, model or algorithm in the form: the combinations the engine refuses are refused before
Start with the engine's own message, a new choice brings its own defaults, and the name follows the design."""

from __future__ import annotations

import dataclasses

import pytest

from studio.config import ConfigError, load_preset, preset_from_dict
from studio.engine import Training
from studio.presets import bundled_presets
from tests.ui.conftest import SHORT, button, open_window, preset_with


def field_error(window, path: str) -> str:
    row = window.experiment.forms[path.partition(".")[0]].rows[path]
    return row.error.text() if row.error.isVisibleTo(window) else ""


def engine_message(window) -> str:
    """What the engine says when handed the form's settings without the form's check."""
    data = window.experiment.data
    preset = preset_with(SHORT)
    parts = {k: getattr(preset_from_dict({k: data[k]}), k) for k in ("task", "model", "algorithm")}
    with pytest.raises(ConfigError) as caught:
        Training(dataclasses.replace(preset, **parts))
    return str(caught.value)


def test_protonet_on_a_regression_family_is_refused_before_start_with_the_engines_message(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    window.experiment.choose("algorithm.name", "protonet")
    start = button(window, "startButton")
    assert not start.isEnabled()
    message = engine_message(window)
    assert message.startswith("algorithm.name 'protonet' does not apply to regression tasks")
    assert f"algorithm.name {field_error(window, 'algorithm.name')}" == message
    assert message in start.toolTip()


def test_an_image_family_switches_the_model_to_one_that_reads_images_and_says_so(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    window.experiment.choose("task.family", "glyphs")
    assert window.experiment.data["model"]["kind"] == "conv4"
    note = window.experiment.forms["model"].rows["model.kind"].note
    assert note.isVisibleTo(window) and "Switched from 'mlp' to 'conv4'" in note.text()
    window.experiment.choose("model.kind", "mlp")  # the user insists: refused at the field, as the engine words it
    assert not button(window, "startButton").isEnabled()
    message = engine_message(window)
    assert message == "model.kind 'mlp' takes vectors of numbers, but 'glyphs' tasks are images: use conv4"
    assert f"model.kind {field_error(window, 'model.kind')}" == message
    window.experiment.choose("task.family", "sinusoid")  # back to vectors: the model follows again
    assert window.experiment.data["model"]["kind"] == "mlp"


def test_choosing_anil_applies_its_defaults(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    assert window.experiment.data["algorithm"]["adapt_layers"] == []
    window.experiment.choose("algorithm.name", "anil")
    assert window.experiment.valid_preset.algorithm.adapt_layers == ("head",)


def test_an_explicit_edit_is_kept_where_it_applies_and_the_form_says_so(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    window.experiment.set_value("algorithm.inner_steps", 3)
    window.experiment.choose("algorithm.name", "anil")
    algorithm = window.experiment.valid_preset.algorithm
    assert algorithm.inner_steps == 3 and algorithm.adapt_layers == ("head",)
    note = window.experiment.forms["algorithm"].rows["algorithm.name"].note.text()
    assert "Kept your inner_steps = 3" in note


def test_settings_do_not_carry_over_between_families(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    window.experiment.choose("task.family", "glyphs")
    assert window.experiment.data["task"]["shots"] == 1
    window.experiment.choose("task.family", "sinusoid")
    assert window.experiment.valid_preset.task.shots == 10  # the sinusoid's own default, not the glyphs' 1


def test_name_and_description_follow_the_design_until_the_user_writes_them(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    window.experiment.choose("task.family", "blobs2d")
    window.experiment.choose("algorithm.name", "anil")
    preset = window.experiment.valid_preset
    assert preset.name == "anil-blobs2d" and preset.description == "ANIL on 2-D blobs; network: MLP (fully connected)."
    assert window.presets.run_stem() == "anil-blobs2d"
    window.experiment.set_value("name", "my blobs")
    window.experiment.choose("algorithm.name", "maml")
    assert window.experiment.valid_preset.name == "my blobs"


def test_loading_a_preset_over_unsaved_edits_asks_first(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    asked = []
    window.presets.confirm_discard = lambda: asked.append(True) or False
    window.experiment.set_value("task.shots", 4)
    path = tmp_path / "other.toml"
    path.write_text('name = "other"\n[task]\nfamily = "sinusoid"\nshots = 7\n')
    assert not window.presets.open(path)
    assert asked and window.experiment.data["task"]["shots"] == 4
    window.presets.confirm_discard = lambda: True
    assert window.presets.open(path) and window.experiment.data["task"]["shots"] == 7
    asked.clear()
    assert window.presets.open(path) and not asked  # nothing edited since: no question


def test_an_algorithm_that_does_not_fit_what_a_csv_holds_is_refused_before_start(qtbot, tmp_path):
    preset = load_preset(bundled_presets()["maml-tabular-stores"], SHORT)  # task_type auto: the target decides
    window = open_window(qtbot, tmp_path, preset)
    window.experiment.choose("algorithm.name", "protonet")
    qtbot.waitUntil(lambda: field_error(window, "algorithm.name") != "", timeout=20_000)
    assert not button(window, "startButton").isEnabled()
    assert f"algorithm.name {field_error(window, 'algorithm.name')}" == engine_message(window)
    assert "does not apply to regression tasks" in field_error(window, "algorithm.name")


def test_an_image_too_small_for_conv4_is_refused_before_start(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    window.experiment.choose("task.family", "glyphs")
    window.experiment.set_value("task.classes", 80)
    window.experiment.set_value("task.drawings", 6)
    window.experiment.set_value("task.image_size", 8)
    qtbot.waitUntil(lambda: field_error(window, "task.image_size") != "", timeout=20_000)
    assert not button(window, "startButton").isEnabled()
    assert f"task.image_size {field_error(window, 'task.image_size')}" == engine_message(window)


def test_a_hand_set_value_survives_a_detour_through_a_family_without_it(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    window.experiment.choose("task.family", "glyphs")
    window.experiment.set_value("task.ways", 3)
    window.experiment.choose("task.family", "sinusoid")  # no ways here
    window.experiment.choose("task.family", "blobs2d")
    assert window.experiment.data["task"]["ways"] == 3
    assert "Kept your ways = 3" in window.experiment.forms["task"].rows["task.family"].note.text()
