"""A sweep as the window shows it: the trials as rows and the axes of a parallel-coordinates plot.

Qt-free, read from the study's storage (the sweep trains in another process):
each axis maps its values to [0, 1] (log scale where the range is logarithmic,
choices by position), the objective being the last axis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from optuna.trial import FrozenTrial

from studio.config.sweep import Dimension, SweepConfig
from studio.sweeps.results import state_word


@dataclass(frozen=True)
class TrialRow:
    number: int
    state: str
    value: float | None
    params: dict[str, Any]
    seconds: float | None


@dataclass(frozen=True)
class Axis:
    """One vertical axis: a swept setting, or the objective (``dimension`` None)."""

    label: str
    low: float
    high: float
    log: bool = False
    choices: tuple = ()
    dimension: Dimension | None = None

    def position(self, value: Any) -> float | None:
        """Where ``value`` lies on the axis, 0 (bottom) to 1 (top); None when it has no place."""
        if value is None:
            return None
        if self.choices:
            return self.choices.index(value) / max(1, len(self.choices) - 1) if value in self.choices else None
        low, high, x = (
            (math.log10(v) for v in (self.low, self.high, value)) if self.log else (self.low, self.high, value)
        )
        return 0.5 if high == low else (x - low) / (high - low)

    def value_at(self, position: float) -> float:
        """The value at ``position`` (0..1) of a numeric axis: for the tick labels and the brush's bounds."""
        if self.log:
            return 10 ** (math.log10(self.low) + position * (math.log10(self.high) - math.log10(self.low)))
        return self.low + position * (self.high - self.low)


def trial_rows(trials: list[FrozenTrial], budget: int) -> list[TrialRow]:
    return [
        TrialRow(t.number, state_word(t), t.value, dict(t.params), t.user_attrs.get("seconds"))
        for t in trials
        if t.number < budget
    ]


def axes(sweep: SweepConfig, rows: list[TrialRow]) -> list[Axis]:
    """One axis per swept setting, then the objective spanning the values seen."""
    found = [_axis(d) for d in sweep.ordered_dimensions()]
    values = [r.value for r in rows if r.value is not None and math.isfinite(r.value)]  # pruned ones' too
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    positive = bool(values) and low > 0 and high / low > 100
    return found + [Axis(sweep.objective, low, high, log=positive)]


def _axis(dimension: Dimension) -> Axis:
    if dimension.kind == "choice":
        return Axis(dimension.key, 0.0, 1.0, choices=dimension.choices, dimension=dimension)
    return Axis(dimension.key, dimension.low, dimension.high, log=dimension.log, dimension=dimension)


def row_positions(row: TrialRow, found: list[Axis]) -> list[float | None]:
    """The trial's place on every axis (None where it has no value there)."""
    values = [row.params.get(a.dimension.key) if a.dimension else row.value for a in found]
    return [axis.position(value) for axis, value in zip(found, values)]


def passes(row: TrialRow, found: list[Axis], brushes: dict[int, tuple[float, float]]) -> bool:
    """Whether the trial lies inside every brushed range (positions 0..1 per axis index)."""
    positions = row_positions(row, found)
    for index, (low, high) in brushes.items():
        where = positions[index] if index < len(positions) else None
        if where is None or not low - 1e-9 <= where <= high + 1e-9:
            return False
    return True


def best_so_far(rows: list[TrialRow], maximize: bool) -> list[tuple[int, float]]:
    """(trial number, best objective up to it) for the finished trials, in order."""
    best, curve = None, []
    for row in sorted(rows, key=lambda r: r.number):
        if row.value is None or row.state != "complete":
            continue
        best = row.value if best is None else (max if maximize else min)(best, row.value)
        curve.append((row.number, best))
    return curve
