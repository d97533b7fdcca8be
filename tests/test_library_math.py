"""The plot controls' math and the seeds' aggregation, against references."""

import math

import numpy as np
import pytest

from studio.config import ConfigError
from studio.export.aggregate import aggregate_curves, mean_std_ci, seed_group_key, seed_groups, t_quantile
from studio.export.smoothing import ema, log_safe, shared_range, slider_weight


def tensorboard_smoothing(values: list[float], weight: float) -> list[float]:
    """TensorBoard's smoothing as its front end writes it (resampling-free), line for line."""
    last = 0.0 if values else math.nan
    num_accum = 0
    finite = [v for v in values if math.isfinite(v)]
    if finite and all(v == finite[0] for v in finite):
        return list(values)
    smoothed = []
    for next_val in values:
        if not math.isfinite(next_val):
            smoothed.append(next_val)
        else:
            last = last * weight + (1 - weight) * next_val
            num_accum += 1
            debias_weight = 1.0 if weight == 1 else 1 - weight**num_accum
            smoothed.append(last / debias_weight)
    return smoothed


def test_ema_matches_tensorboard_and_hand_values():
    assert ema([1.0, 3.0], 0.5) == pytest.approx([1.0, 1.75 / 0.75])
    values = np.random.default_rng(0).normal(size=500).cumsum().tolist()
    for weight in (0.0, 0.3, 0.6, 0.9, 0.99):
        assert ema(values, weight) == pytest.approx(tensorboard_smoothing(values, weight), rel=1e-12)


def test_ema_starts_at_the_first_value_and_passes_gaps_through():
    values = [4.0, math.nan, 2.0, math.inf, 0.0]
    smoothed = ema(values, 0.9)
    assert smoothed[0] == 4.0 and math.isnan(smoothed[1]) and math.isinf(smoothed[3])
    assert smoothed[2] == pytest.approx((0.9 * 0.1 * 4 + 0.1 * 2) / (1 - 0.81))
    assert ema([2.0, 2.0, 2.0], 0.9).tolist() == [2.0, 2.0, 2.0]
    assert ema(np.array(values), 0.9) is not values


@pytest.mark.parametrize("weight", [-0.1, 1.0, 1.5, math.nan])
def test_ema_rejects_a_weight_outside_0_1(weight):
    with pytest.raises(ConfigError, match=r"smoothing must be in \[0, 1\)"):
        ema([1.0, 2.0], weight)


def test_slider_log_and_shared_range():
    assert slider_weight(0) == 0.0 and slider_weight(100) == 0.999 and slider_weight(50) == pytest.approx(0.4995)
    with pytest.raises(ConfigError):
        slider_weight(101)
    assert np.isnan(log_safe([1.0, 0.0, -2.0, math.nan])[1:]).all() and log_safe([1.0])[0] == 1.0
    low, high = shared_range([[1.0, 2.0], [math.nan, 3.0]], margin=0.0)
    assert (low, high) == (1.0, 3.0)
    low, high = shared_range([[0.1, 10.0, -1.0]], log=True, margin=0.0)
    assert low == pytest.approx(0.1) and high == pytest.approx(10.0)
    assert shared_range([[5.0, 5.0]])[0] < 5.0 < shared_range([[5.0, 5.0]])[1]
    assert shared_range([]) == (0.0, 1.0)


def test_t_quantiles_are_the_tabled_values():
    assert t_quantile(1) == pytest.approx(12.7062, abs=1e-4)
    assert t_quantile(4) == pytest.approx(2.7764, abs=1e-4)
    for df, value in ((31, 2.0395), (40, 2.0211), (60, 2.0003), (120, 1.9799), (1000, 1.9623)):
        assert t_quantile(df) == pytest.approx(value, abs=2e-4)


def test_seed_aggregation_matches_numpy():
    rng = np.random.default_rng(1)
    x = np.arange(1, 51)
    ys = rng.normal(size=(5, 50))
    aggregate = aggregate_curves([(x, y) for y in ys])
    np.testing.assert_allclose(aggregate.x, x)
    np.testing.assert_allclose(aggregate.mean, ys.mean(axis=0))
    np.testing.assert_allclose(aggregate.std, ys.std(axis=0, ddof=1))
    np.testing.assert_allclose(aggregate.ci95, 2.7764 * ys.std(axis=0, ddof=1) / math.sqrt(5), rtol=1e-4)
    low, high = aggregate.band("std")
    np.testing.assert_allclose(high - low, 2 * ys.std(axis=0, ddof=1))
    with pytest.raises(ConfigError, match="band must be one of std, ci95"):
        aggregate.band("iqr")


def test_runs_of_unequal_length_count_where_they_have_points():
    aggregate = aggregate_curves([([1, 2, 3], [1.0, 2.0, 3.0]), ([1, 2], [3.0, math.nan])])
    assert aggregate.count.tolist() == [2, 1, 1]
    assert aggregate.mean.tolist() == [2.0, 2.0, 3.0]
    assert math.isnan(aggregate.std[1]) and aggregate.std[0] == pytest.approx(math.sqrt(2))
    assert mean_std_ci([]) == pytest.approx((math.nan,) * 3, nan_ok=True)
    with pytest.raises(ConfigError):
        aggregate_curves([])


def test_a_loss_band_is_computed_on_log_loss_and_stays_above_zero():
    x = [1, 2]
    seeds = [(x, [math.exp(-1), 4.0]), (x, [1.0, 0.0]), (x, [math.e, 4.0])]  # 0: a loss a log cannot take
    aggregate = aggregate_curves(seeds, log=True)
    assert aggregate.count.tolist() == [3, 2]
    assert aggregate.mean == pytest.approx([1.0, 4.0])  # geometric means
    half = 4.3027 * 1.0 / math.sqrt(3)  # t_{0.975, 2} * std of (-1, 0, 1) / sqrt(3)
    low, high = aggregate.band("ci95")
    assert (low[0], high[0]) == pytest.approx((math.exp(-half), math.exp(half)), rel=1e-4)
    assert (low[1], high[1]) == pytest.approx((4.0, 4.0))  # two equal seeds: no spread
    std_low, std_high = aggregate.band("std")
    assert (std_low[0], std_high[0]) == pytest.approx((math.exp(-1), math.e))
    linear_low, _ = aggregate_curves(seeds).band("ci95")
    assert linear_low[0] < 0 < low[0]  # what the linear band did: below zero for a loss


def test_seed_groups_join_presets_that_differ_only_in_seed():
    base = {"seed": 0, "name": "a", "task": {"shots": 5}}
    presets = {"a0": base, "a1": {**base, "seed": 1}, "b": {**base, "task": {"shots": 10}}}
    assert seed_groups(presets) == [["a0", "a1"], ["b"]]
    assert seed_group_key(base) == seed_group_key({**base, "seed": 7, "name": "renamed"})
