"""Angles read and typed as multiples of π (studio.views.angles): labels, parsing, exact round trips."""

import math

import pytest

from studio.config import TASKS, public_fields, spec_of
from studio.views.angles import angle_text, parse_angle, snap_angle


@pytest.mark.parametrize(
    ("radians", "text"),
    [(0.0, "0"), (math.pi / 2, "π/2"), (math.pi, "π"), (2 * math.pi, "2π"), (-3 * math.pi / 4, "-3π/4"),
     (math.pi / 12, "π/12"), (6.28, "6.28"), (1.0, "1")],
)  # fmt: skip
def test_angles_read_as_multiples_of_pi_and_read_back_exactly(radians, text):
    assert angle_text(radians) == text
    assert parse_angle(text) == radians  # exactly: 2π is 6.283185307179586, the double 2 * math.pi is


def test_typed_angles_in_the_forms_people_write():
    assert parse_angle("2pi") == parse_angle("2 π") == parse_angle("360°") == 2 * math.pi
    assert parse_angle("3π/4") == 3 * math.pi / 4 and parse_angle("0.5π") == math.pi / 2
    assert parse_angle("−π/2") == -math.pi / 2  # a typographic minus
    assert parse_angle("1.5") == 1.5  # a plain number is radians
    assert parse_angle("π/0") is None and parse_angle("two pi") is None and parse_angle(".π") is None


def test_a_dragged_angle_lands_on_a_named_one():
    assert snap_angle(6.2) == 2 * math.pi and angle_text(snap_angle(2.3)) == "3π/4"


def test_phase_ranges_are_declared_as_angles():
    for family in ("sinusoid", "sine_line", "harmonic"):
        (phase,) = [f for f in public_fields(TASKS.get(family)) if f.name == "phase"]
        assert spec_of(phase).angle and spec_of(phase).is_range, family
    amplitude = next(f for f in public_fields(TASKS.get("sinusoid")) if f.name == "amplitude")
    assert not spec_of(amplitude).angle
