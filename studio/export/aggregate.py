"""Seeds aggregated: one preset over several seeds, summarised as a mean with a std or 95% CI band.

Curves are aligned on their x values (iterations): at each x, the runs that
reached it count.  The 95% interval uses Student's t with n - 1 degrees of
freedom (a handful of seeds is far from the normal limit): mean ± t * s / sqrt(n).

A loss is positive and spread over decades, so its band is computed on log loss
and mapped back (``log=True``): the centre is the geometric mean and the band
is mean ×/÷ exp(half-width).  It never reaches zero or below, and on a log axis
it is as wide above the curve as below, where mean ± t * s dips below zero for
a few noisy seeds and a log axis can only draw that as a spike.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from studio.config import ConfigError
from studio.export.hyperparameters import flatten_preset

BANDS = ("std", "ci95")
# two-sided 95% quantiles of Student's t, t_{0.975, df}, for df = 1..30
T_975 = (
    12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
    2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
    2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
)  # fmt: skip
Z_975 = 1.959964


def t_quantile(df: int) -> float:
    """t_{0.975, df}: from the table up to 30, beyond by the Cornish-Fisher expansion (error < 1e-4)."""
    if df < 1:
        return math.nan
    if df <= len(T_975):
        return T_975[df - 1]
    z = Z_975
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


@dataclass(frozen=True)
class Aggregate:
    """Per x: the mean, the sample std (ddof 1), the 95% CI half-width and how many runs reached it.

    With ``log``, ``mean`` is the geometric mean and ``std`` and ``ci95`` are in natural-log units."""

    x: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    ci95: np.ndarray
    count: np.ndarray
    log: bool = False

    def band(self, kind: str = "ci95") -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper edges of the band: mean ± std, or mean ± the 95% CI half-width (×/÷ with ``log``)."""
        if kind not in BANDS:
            raise ConfigError.at("band", f"must be one of {', '.join(BANDS)}, got '{kind}'")
        half = self.std if kind == "std" else self.ci95
        if self.log:
            return self.mean * np.exp(-half), self.mean * np.exp(half)
        return self.mean - half, self.mean + half


def mean_std_ci(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean, sample std and 95% t half-width of finite ``values`` (std and CI NaN for a single value)."""
    array = np.asarray(values, dtype=np.float64)
    array = array[np.isfinite(array)]
    if len(array) == 0:
        return math.nan, math.nan, math.nan
    if len(array) == 1:
        return float(array[0]), math.nan, math.nan
    std = float(array.std(ddof=1))
    return float(array.mean()), std, t_quantile(len(array) - 1) * std / math.sqrt(len(array))


def aggregate_curves(curves: Sequence[tuple[Sequence[float], Sequence[float]]], log: bool = False) -> Aggregate:
    """Aggregate ``(x, y)`` curves (one per seed) at every x any of them has; NaN y values are left out.

    ``log``: aggregate log y (a loss): values <= 0 are left out too, the mean is geometric."""
    if not curves:
        raise ConfigError("no curves to aggregate")
    xs = np.unique(np.concatenate([np.asarray(x, dtype=np.float64) for x, _ in curves]))
    grid = np.full((len(curves), len(xs)), np.nan)
    for row, (x, y) in enumerate(curves):
        grid[row, np.searchsorted(xs, np.asarray(x, dtype=np.float64))] = np.asarray(y, dtype=np.float64)
    if log:
        grid = np.log(np.where(grid > 0, grid, np.nan))
    stats = np.array([mean_std_ci(grid[:, i]) for i in range(len(xs))]).reshape(len(xs), 3)
    count = np.isfinite(grid).sum(axis=0)
    mean = np.exp(stats[:, 0]) if log else stats[:, 0]
    return Aggregate(xs, mean, stats[:, 1], stats[:, 2], count, log)


def seed_group_key(preset: Mapping[str, object]) -> str:
    """What runs of one preset over several seeds share: every setting but the seed (and the prose)."""
    flat = flatten_preset(preset)
    return repr(sorted((k, repr(v)) for k, v in flat.items() if k not in ("seed", "name", "description")))


def seed_groups(presets: Mapping[str, Mapping[str, object]]) -> list[list[str]]:
    """Runs (keyed by any id) grouped by :func:`seed_group_key`, in first-seen order; singletons included."""
    groups: dict[str, list[str]] = {}
    for run, preset in presets.items():
        groups.setdefault(seed_group_key(preset), []).append(run)
    return list(groups.values())
