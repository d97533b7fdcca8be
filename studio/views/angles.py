"""Angles in radians as a person reads and types them: ``0``, ``π/2``, ``3π/4``, ``2π``.

A phase range of (0, 2π) stored as 6.283185307179586 used to show as "6.28" (or "6.2" in a narrow
label), and typing that back stored a different number.  Here a multiple of π with a small
denominator is shown as such, and what is typed back is computed as ``p * math.pi / q``, the
same double that ``2 * math.pi`` in a preset or the code gives, so the value round-trips exactly.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

DENOMINATORS = (1, 2, 3, 4, 6, 8, 12)  # the fractions of π a person names
TOLERANCE = 1e-9  # in multiples of π: floating-point noise, far below any step a person types
PI = "π"
_PI_FORM = re.compile(r"^([+-]?)(\d*(?:\.\d*)?)π(?:/(\d+))?$")
_DEGREES = re.compile(r"^([+-]?\d+(?:\.\d*)?)°$")


def pi_multiple(fraction: Fraction) -> float:
    """``fraction`` times π as ``p * math.pi / q`` (so 2π is exactly ``2 * math.pi``)."""
    return fraction.numerator * math.pi / fraction.denominator


def as_pi_fraction(radians: float) -> Fraction | None:
    """``radians`` as a multiple of π with a small denominator, if it is one (to floating-point noise)."""
    if not math.isfinite(radians):
        return None
    turns = radians / math.pi
    for denominator in DENOMINATORS:
        numerator = round(turns * denominator)
        if abs(turns * denominator - numerator) < TOLERANCE * denominator:
            return Fraction(numerator, denominator)
    return None


def angle_text(radians: float) -> str:
    """``0``, ``π/2``, ``-3π/4``, ``2π``; any other angle as its radians (``6.28`` is not 2π, and says so)."""
    fraction = as_pi_fraction(radians)
    if fraction is None:
        short = f"{radians:.6g}"
        return short if float(short) == radians else repr(float(radians))  # read back as the same number
    if fraction == 0:
        return "0"
    sign = "-" if fraction < 0 else ""
    numerator = abs(fraction.numerator)
    text = f"{sign}{'' if numerator == 1 else numerator}{PI}"
    return text if fraction.denominator == 1 else f"{text}/{fraction.denominator}"


def parse_angle(text: str) -> float | None:
    """Radians from ``2π``, ``3pi/4``, ``-π/2``, ``0.5π``, ``90°`` or a plain number of radians; None if unreadable."""
    text = text.strip().replace(" ", "").replace("*", "").replace("−", "-").lower().replace("pi", PI)
    degrees = _DEGREES.match(text)
    if degrees:
        return math.radians(float(degrees.group(1)))
    match = _PI_FORM.match(text)
    if match is None:
        try:
            return float(text)
        except ValueError:
            return None
    sign, coefficient, denominator = match.groups()
    if coefficient == "." or denominator == "0":
        return None
    fraction = Fraction(coefficient or 1) / int(denominator or 1)
    return pi_multiple(-fraction if sign == "-" else fraction)


def snap_angle(radians: float, denominator: int = 12) -> float:
    """The nearest multiple of π/``denominator`` (a dragged slider lands on values with names)."""
    return pi_multiple(Fraction(round(radians / math.pi * denominator), denominator))
