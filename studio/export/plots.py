"""The plots of one or several runs as :class:`~studio.export.figure_data.Curve` lists and panels: what
``studio export --format png|svg|pdf`` and the run report draw, one colour per run.

- :func:`metric_curves`: any ``metrics.csv`` column against iteration or training time; a
  smoothed curve over the raw one kept faint; an evaluation column gets its 95% CI as a band;
- :func:`group_curves`: runs of one preset over several seeds as a mean with a std or CI band;
- :func:`adaptation_curves`: each run's final held-out loss after 0..K inner steps, with its CI;
- :func:`loss_panel`, :func:`adaptation_panel`, :func:`seed_panel`: those as the panels of a paper figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from studio.export.aggregate import aggregate_curves
from studio.export.figure_data import Curve, Panel
from studio.export.figure_style import GREY, colour_for
from studio.export.library import RunRecord
from studio.export.run_metrics import RunMetrics
from studio.export.smoothing import ema

LABELS = {"meta_loss": "meta-loss (query loss after adapting)", "tasks_per_s": "tasks/s", "elapsed_s": "seconds"}
X_LABELS = {"iteration": "meta-iteration", "wall_time": "training time (s)"}
BASELINE_MARKERS = {"pretrain": "s", "scratch": "D"}


def metric_label(metric: str) -> str:
    """A readable axis label for a ``metrics.csv`` column."""
    for prefix, text in (("eval_loss_step", "held-out query loss after {} step(s)"),
                         ("eval_acc_step", "held-out query accuracy after {} step(s)")):  # fmt: skip
        if metric.startswith(prefix):
            return text.format(metric.removeprefix(prefix))
    return LABELS.get(metric, metric)


def steps_text(count: int) -> str:
    """``1 step``, ``5 steps``."""
    return f"{count} step" if count == 1 else f"{count} steps"


def ci_column(metric: str) -> str | None:
    """The column holding ``metric``'s 95% CI half-width, for evaluation columns."""
    for prefix, ci in (("eval_loss_step", "eval_ci95_step"), ("eval_acc_step", "eval_acc_ci95_step")):
        if metric.startswith(prefix):
            return ci + metric.removeprefix(prefix)
    return None


def loss_unit(runs: Sequence[RunMetrics]) -> str:
    """The loss the runs report: classification runs score accuracy beside a cross-entropy, regression an MSE."""
    classify = any(name.startswith("eval_acc_step") for run in runs for name in run.columns)
    return "cross-entropy" if classify else "MSE"


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
        curves.append(Curve(run.run, xs, ys, colour, band=band, marker="o" if ci_column(metric) else ""))
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
    """Each run's final held-out query loss after 0..K inner steps (from ``summary.json``) with its CI band,
    and the baselines it scored, dashed (one run: each its own colour; several: the run's colour)."""
    curves = []
    for index, (record, summary) in enumerate(zip(records, summaries)):
        summary = summary or {}
        curve = _evaluation_curve(f"{record.name} ± 95% CI", summary.get("final_evaluation"), colour_for(index))
        curves += [curve] if curve is not None else []
        for number, (name, evaluation) in enumerate((summary.get("baselines") or {}).items()):
            label = f"{name} baseline" if len(records) == 1 else f"{record.name}: {name} baseline"
            colour = colour_for(1 + number) if len(records) == 1 else colour_for(index)
            baseline = _evaluation_curve(label, evaluation, colour, BASELINE_MARKERS.get(name, "^"))
            curves += [replace(baseline, band=None, dashed=True)] if baseline is not None else []
    return curves


def _evaluation_curve(label: str, evaluation: dict | None, colour: str, marker: str = "o") -> Curve | None:
    evaluation = evaluation or {}
    steps, mean, ci = (
        np.asarray(evaluation.get(k) or [], dtype=np.float64) for k in ("steps", "loss_mean", "loss_ci95")
    )
    if not len(steps) or not len(steps) == len(mean) == len(ci):
        return None
    return Curve(label, steps, mean, colour, band=(mean - ci, mean + ci), marker=marker)


def loss_panel(
    runs: Sequence[RunMetrics], smoothing: float = 0.0, x: str = "iteration", colours: Sequence[str] = ()
) -> Panel:
    """Meta-training loss per run (smoothed over the faint raw curve) with each run's held-out evaluations as
    points; one run also shows its held-out loss before adapting, and accuracy on a right axis when it has one.
    ``colours``: one per run (default: the palette in order)."""
    curves = []
    for index, run in enumerate(runs):
        colour = colours[index] if index < len(colours) else colour_for(index)
        xs, ys = run.series("meta_loss", x)
        if smoothing > 0:
            curves.append(Curve("", xs, ys, colour, faint=True))
            ys = ema(ys, smoothing)
        label = "meta-batch, after adapting" if len(runs) == 1 else run.run
        curves.append(Curve(label + (" (smoothed)" if smoothing > 0 else ""), xs, ys, colour))
        curves += _held_out(run, colour, x, single=len(runs) == 1)
    right = any(c.right for c in curves)
    right_axis = {"right_label": "held-out accuracy", "right_range": (0.0, 1.0)} if right else {}
    y_label = f"query loss ({loss_unit(runs)})"
    return Panel("Meta-training loss", X_LABELS[x], y_label, tuple(curves), True, x == "iteration", **right_axis)


def _held_out(run: RunMetrics, colour: str, x: str, single: bool) -> list[Curve]:
    steps = run.eval_steps
    if not steps:
        return []
    after = f"eval_loss_step{steps[-1]}"
    ex, ey = run.series(after, x)
    if not single:
        return [Curve("", ex, ey, colour, draw="points")]
    curves = [Curve(f"held-out, after {steps_text(steps[-1])}", ex, ey, colour_for(1), draw="points")]
    if len(steps) > 1:
        bx, by = run.series(f"eval_loss_step{steps[0]}", x)
        curves.append(Curve("held-out, before adapting", bx, by, GREY, draw="points", marker="^"))
    accuracy = f"eval_acc_step{steps[-1]}"
    if accuracy in run.columns:
        ax, ay = run.series(accuracy, x)
        curves.append(Curve("held-out accuracy (right axis)", ax, ay, colour_for(4), marker="s", right=True))
    return curves


def adaptation_panel(records: Sequence[RunRecord], summaries: Sequence[dict | None], unit: str) -> Panel:
    """Final held-out query loss after 0..K inner steps, 95% CI bands, baselines dashed (Finn et al. 2017, Fig. 2)."""
    curves = adaptation_curves(records, summaries)
    one_step = all(len(c.x) == 1 for c in curves) and curves
    ticks = ((0.0, "0 (no inner steps)"),) if one_step else ()
    y_label = f"held-out query loss ({unit})"
    return Panel("Adaptation", "inner-loop steps", y_label, tuple(curves), integer_x=True, x_ticks=ticks)


def seed_panel(groups: Sequence[tuple[str, Sequence[RunMetrics]]], band: str, smoothing: float) -> Panel:
    """Seed groups' meta-loss: the mean over seeds with a std or 95% CI band."""
    curves = group_curves(groups, "meta_loss", band, smoothing) if groups else []
    unit = loss_unit([run for _, runs in groups for run in runs])
    return Panel("Seeds: mean and band", X_LABELS["iteration"], f"query loss ({unit})", tuple(curves), True, True)


def evaluation_panel(runs: Sequence[RunMetrics]) -> Panel:
    """Each run's held-out query loss after the most inner steps, at every evaluation, with its 95% CI."""
    steps = sorted(set.intersection(*(set(r.eval_steps) for r in runs))) if runs else []
    if not steps:
        return Panel("Held-out evaluation", X_LABELS["iteration"], "held-out query loss")
    metric = f"eval_loss_step{steps[-1]}"
    curves = tuple(metric_curves(runs, metric))
    return Panel("Held-out evaluation", X_LABELS["iteration"], metric_label(metric), curves, integer_x=True)
