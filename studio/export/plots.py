"""The plots of one or several runs as :class:`~studio.export.svg.Curve` lists: what the SVG export and
the run report draw, overlaid one colour per run.

- :func:`metric_curves`: any ``metrics.csv`` column against iteration or training time; a
  smoothed curve over the raw one kept faint; an evaluation column gets its 95% CI as a band;
- :func:`group_curves`: runs of one preset over several seeds as a mean with a std or CI band;
- :func:`adaptation_curves`: each run's final held-out loss after 0..K inner steps, with its CI.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from studio.export.aggregate import aggregate_curves
from studio.export.library import RunRecord
from studio.export.run_metrics import RunMetrics
from studio.export.smoothing import ema
from studio.export.svg import Curve, colour_for

LABELS = {"meta_loss": "meta-loss (query loss after adapting)", "tasks_per_s": "tasks/s", "elapsed_s": "seconds"}
X_LABELS = {"iteration": "meta-iteration", "wall_time": "training time (s)"}


def metric_label(metric: str) -> str:
    """A readable axis label for a ``metrics.csv`` column."""
    for prefix, text in (("eval_loss_step", "held-out query loss after {} step(s)"),
                         ("eval_acc_step", "held-out query accuracy after {} step(s)")):  # fmt: skip
        if metric.startswith(prefix):
            return text.format(metric.removeprefix(prefix))
    return LABELS.get(metric, metric)


def ci_column(metric: str) -> str | None:
    """The column holding ``metric``'s 95% CI half-width, for evaluation columns."""
    for prefix, ci in (("eval_loss_step", "eval_ci95_step"), ("eval_acc_step", "eval_acc_ci95_step")):
        if metric.startswith(prefix):
            return ci + metric.removeprefix(prefix)
    return None


def metric_curves(
    runs: Sequence[RunMetrics], metric: str = "meta_loss", smoothing: float = 0.0, x: str = "iteration"
) -> list[Curve]:
    """One curve per run (colour i for run i); with ``smoothing`` > 0 the raw curve stays, faint, underneath."""
    curves = []
    for index, run in enumerate(runs):
        xs, ys = run.series(metric, x)
        colour = colour_for(index)
        band = _ci_band(run, metric, x, ys)
        if smoothing > 0:
            curves.append(Curve(run.run, xs, ys, colour, faint=True))
            ys = ema(ys, smoothing)
        curves.append(Curve(run.run, xs, ys, colour, band=band))
    return curves


def _ci_band(run: RunMetrics, metric: str, x: str, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    ci = ci_column(metric)
    if ci is None or ci not in run.columns:
        return None
    _, half = run.series(ci, x)
    return (ys - half, ys + half) if len(half) == len(ys) else None


def group_curves(
    groups: Sequence[tuple[str, Sequence[RunMetrics]]],
    metric: str = "meta_loss",
    band: str = "ci95",
    smoothing: float = 0.0,
    x: str = "iteration",
) -> list[Curve]:
    """Per group (label, its runs): the mean over runs at each x, with a ``band`` (``std`` or ``ci95``).

    Each run is smoothed first (the same EMA as a single run's curve), then aggregated.
    """
    curves = []
    for index, (label, runs) in enumerate(groups):
        series = [run.series(metric, x) for run in runs]
        aggregate = aggregate_curves([(xs, ema(ys, smoothing) if smoothing else ys) for xs, ys in series])
        name = f"{label} (mean of {len(runs)}, ±{'std' if band == 'std' else '95% CI'})"
        curves.append(Curve(name, aggregate.x, aggregate.mean, colour_for(index), band=aggregate.band(band)))
    return curves


def adaptation_curves(records: Sequence[RunRecord], summaries: Sequence[dict | None]) -> list[Curve]:
    """Each run's final held-out query loss after 0..K inner steps (from ``summary.json``) with its CI band."""
    curves = []
    for index, (record, summary) in enumerate(zip(records, summaries)):
        final = (summary or {}).get("final_evaluation") or {}
        steps, mean, ci = (
            np.asarray(final.get(k) or [], dtype=np.float64) for k in ("steps", "loss_mean", "loss_ci95")
        )
        if len(steps) and len(steps) == len(mean) == len(ci):
            curves.append(Curve(record.name, steps, mean, colour_for(index), band=(mean - ci, mean + ci)))
    return curves
