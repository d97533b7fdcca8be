"""The math behind the plot controls: EMA smoothing as TensorBoard does it, log scale, shared ranges.

No Qt: the window's smoothing slider, log-scale and "same y range" controls
call these; the SVG export and the run report use them too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from studio.config import ConfigError


def ema(values: Iterable[float], weight: float) -> np.ndarray:
    """Exponential moving average, debiased at the start, as TensorBoard's smoothing slider computes it.

    s_t = w * s_{t-1} + (1 - w) * v_t from s_0 = 0, reported as s_t / (1 - w^n) where n
    counts the finite values so far, so the first point equals the first value
    instead of being pulled towards zero.  Non-finite values pass through
    unchanged and leave the average alone; a constant series is returned as is.
    ``weight`` is in [0, 1): 0 leaves the curve raw.
    """
    if not 0.0 <= weight < 1.0 or math.isnan(weight):
        raise ConfigError.at("smoothing", f"must be in [0, 1), got {weight}")
    raw = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=np.float64)
    finite = raw[np.isfinite(raw)]
    if weight == 0.0 or len(finite) == 0 or np.all(finite == finite[0]):
        return raw.copy()
    return _debiased_ema(raw, weight)


def _debiased_ema(raw: np.ndarray, weight: float) -> np.ndarray:
    smoothed = raw.copy()
    last, count = 0.0, 0
    for i, value in enumerate(raw.tolist()):
        if not math.isfinite(value):
            continue
        last = last * weight + (1.0 - weight) * value
        count += 1
        smoothed[i] = last / (1.0 - weight**count)
    return smoothed


def slider_weight(position: int, maximum: int = 100, top: float = 0.999) -> float:
    """The EMA weight for a slider at ``position`` of 0..``maximum`` (linear, capped at ``top`` < 1)."""
    if maximum <= 0 or not 0 <= position <= maximum:
        raise ConfigError.at("smoothing", f"slider position must be in 0..{maximum}, got {position}")
    return top * (position / maximum)


def log_safe(values: Iterable[float]) -> np.ndarray:
    """``values`` with what a log axis cannot show (zero, negative, non-finite) as NaN: a gap, not an error."""
    array = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=np.float64)
    return np.where(np.isfinite(array) & (array > 0), array, np.nan)


def shared_range(curves: Iterable[Iterable[float]], log: bool = False, margin: float = 0.05) -> tuple[float, float]:
    """One (low, high) that shows every curve's finite values ("same y range"), with a ``margin`` share added.

    With ``log``, only positive values count and the margin is applied in log space.
    Empty or flat input still gives a range of non-zero width.
    """
    arrays = [log_safe(c) if log else np.asarray(list(c), dtype=np.float64) for c in curves]
    values = np.concatenate([a[np.isfinite(a)] for a in arrays]) if arrays else np.empty(0)
    if len(values) == 0:
        return (0.1, 10.0) if log else (0.0, 1.0)
    low, high = (np.log10(values.min()), np.log10(values.max())) if log else (values.min(), values.max())
    pad = (high - low) * margin if high > low else max(abs(high) * margin, 0.5)
    low, high = float(low - pad), float(high + pad)
    return (10**low, 10**high) if log else (low, high)
