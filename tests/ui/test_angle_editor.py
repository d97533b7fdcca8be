"""Angle ranges in the form (#13 item 21): a phase range reads 0 to 2π, not 6.2, and keeps 2π exactly."""

from __future__ import annotations

import math
import tomllib

from studio.config import load_preset
from studio.presets import bundled_presets
from studio.ui.angle_editor import AngleRange
from tests.ui.conftest import SHORT, open_window, preset_with


def phase_editor(window) -> AngleRange:
    editor = window.experiment.forms["task"].rows["task.phase"].editor
    assert isinstance(editor, AngleRange)
    return editor


def type_over(qtbot, window, box, text: str) -> None:
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    window.setFocus()
    qtbot.wait(10)


def test_a_phase_range_reads_in_multiples_of_pi_and_keeps_two_pi_exactly(qtbot, window, tmp_path):
    editor = phase_editor(window)
    low, high = editor.boxes
    assert (low.text(), high.text()) == ("0", "π")  # maml-sine's phase range [0, π]
    type_over(qtbot, window, high, "2pi")
    assert high.text() == "2π"
    assert window.experiment.data["task"]["phase"] == [0.0, 6.283185307179586]
    assert window.experiment.valid_preset.task.phase == (0.0, 2 * math.pi)
    saved = tmp_path / "phase.toml"
    assert window.presets.save_as(saved)
    assert tomllib.loads(saved.read_text())["task"]["phase"] == [0.0, 2 * math.pi]


def test_arrows_and_the_slider_land_on_named_angles(qtbot, window):
    editor = phase_editor(window)
    low, high = editor.boxes
    for _ in range(12):  # twelve steps of π/12 from π
        high.stepBy(1)
    assert high.text() == "2π" and window.experiment.data["task"]["phase"][1] == 2 * math.pi
    editor.slider.setValue((0.8, 6.2))  # as a drag leaves it
    assert (low.text(), high.text()) == ("π/4", "2π")
    assert window.experiment.data["task"]["phase"] == [math.pi / 4, 2 * math.pi]


def test_harmonic_phase_shows_two_pi_and_a_typed_decimal_is_not_rounded_to_it(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, load_preset(bundled_presets()["maml-harmonic"], SHORT[1:]))
    low, high = phase_editor(window).boxes
    assert (low.text(), high.text()) == ("0", "2π")
    type_over(qtbot, window, high, "6.28")
    assert high.text() == "6.28" and window.experiment.data["task"]["phase"][1] == 6.28
    type_over(qtbot, window, high, "abc")  # kept as typed, and marked like any other field
    row = window.experiment.forms["task"].rows["task.phase"]
    assert row.error.isVisibleTo(window) and window.experiment.valid_preset is None


def test_other_ranges_keep_their_decimal_slider(window):
    assert not isinstance(window.experiment.forms["task"].rows["task.amplitude"].editor, AngleRange)
    assert preset_with(SHORT).task.phase == (0.0, math.pi)
