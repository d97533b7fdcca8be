"""The window's panels as figure panels (:mod:`studio.export.figure_data`), from the same buffers they draw:
the run on screen (:class:`~studio.views.run_data.RunData`), the overlaid runs and the plot controls' view.

No Qt is called here; matplotlib draws the result (:mod:`studio.export.figures`).  A panel whose picture is
not a plot of numbers (an image episode, the design preview) has no entry.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from studio.engine.events import DecisionMap, Evaluation, TaskFit
from studio.export.figure_data import Curve, Panel, Raster
from studio.export.figure_style import GREY, INK, PALETTE, colour_for
from studio.export.plots import group_curves, loss_panel, steps_text
from studio.ui.panels.decision_map import region_image
from studio.ui.panels.tasks_drawn import MAX_PLOTS, bins, reach
from studio.ui.run_overlay import RunOverlay
from studio.views.run_data import RunData
from studio.views.run_series import LIVE_NAME, adaptation, live_metrics, mean_band

LIVE, AFTER, SUPPORT, REACH = PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[4]


def overlay_parts(overlay: RunOverlay) -> tuple[list[tuple], list[tuple]]:
    """The overlaid runs not hidden: single runs as (metrics, colour), seed groups as (label, metrics, colour)."""
    singles, groups = [], []
    for key, members in overlay.members.items():
        shown = [overlay.metrics[m] for m in members if m not in overlay.hidden and m in overlay.metrics]
        label = getattr(overlay.curves.get(key), "label", shown[0].run if shown else "")
        if len(members) > 1 and shown:
            groups.append((label, shown, overlay.colours[key]))
        elif shown:
            singles.append((shown[0], overlay.colours[key]))
    return singles, groups


def loss_figure(data: RunData, overlay: RunOverlay, unit: str) -> Panel:
    """The loss panel: the run on screen with its held-out evaluations, the overlaid runs and seed groups."""
    view = overlay.view
    singles, groups = overlay_parts(overlay)
    live = [(live_metrics(data, LIVE_NAME), LIVE)] if len(data.steps) else []
    runs = live + singles
    panel = loss_panel([m for m, _ in runs], view.smoothing, view.x, [c for _, c in runs])
    for label, members, colour in groups:
        (mean,) = group_curves([(label, members)], "meta_loss", view.band, view.smoothing, view.x)
        panel = replace(panel, curves=(*panel.curves, replace(mean, colour=colour)))
    return replace(panel, y_label=f"query loss ({unit})", log_y=view.log_y)


def evaluation_curve(label: str, evaluation: Evaluation, accuracy: bool, colour: str, band: bool = True) -> Curve:
    """One evaluation's loss (or accuracy) after 0..K inner steps, with its 95% CI as a band."""
    mean = evaluation.accuracy_mean if accuracy else evaluation.loss_mean
    ci = evaluation.accuracy_ci95 if accuracy else evaluation.loss_ci95
    steps, mean, ci = (np.asarray(v if v is not None else [], dtype=float) for v in (evaluation.steps, mean, ci))
    edges = (mean - ci, mean + ci) if band and len(ci) == len(mean) else None
    return Curve(label, steps, mean, colour, band=edges, marker="o", draw="points" if len(steps) == 1 else "line")


def adaptation_figure(data: RunData, overlay: RunOverlay, accuracy: bool, unit: str) -> Panel:
    """The adaptation panel: the latest evaluation with its band, the first one, baselines, overlaid runs."""
    curves = []
    first, last = data.first_evaluation, data.last_evaluation
    if first is not None and first is not last:
        curves.append(replace(evaluation_curve(f"first evaluation (iteration {first.iteration})", first, accuracy,
                                               GREY, band=False), dashed=True))  # fmt: skip
    if last is not None:
        curves.append(evaluation_curve(f"iteration {last.iteration} ± 95% CI", last, accuracy, LIVE))
    for index, (name, evaluation) in enumerate(data.baselines.items()):
        curve = evaluation_curve(f"{name} baseline", evaluation, accuracy, PALETTE[(1 + index) % 4], band=False)
        curves.append(replace(curve, dashed=True, marker="s"))
    if not accuracy:  # overlaid runs are read from metrics.csv: their losses
        curves += _overlaid_adaptation(overlay)
    y_label = "held-out query accuracy" if accuracy else f"held-out query loss ({unit})"
    return Panel("Adaptation", "inner-loop steps", y_label, tuple(curves), integer_x=True)


def _overlaid_adaptation(overlay: RunOverlay) -> list[Curve]:
    singles, groups = overlay_parts(overlay)
    curves = []
    for metrics, colour in singles:
        final = adaptation(metrics)
        if final is not None:
            band = (final.mean - final.ci95, final.mean + final.ci95)
            curves.append(Curve(metrics.run, final.steps, final.mean, colour, band=band, marker="o"))
    for label, members, colour in groups:
        finals = [(f.steps, f.mean) for f in (adaptation(m) for m in members) if f is not None]
        if finals:
            x, mean, low, high = mean_band(finals, overlay.view.band)
            curves.append(Curve(f"{label} (mean of {len(finals)})", x, mean, colour, band=(low, high), marker="o"))
    return curves


def task_fit_figure(data: RunData) -> list[Panel]:
    """A 1-D regression task before and after adapting (Figure 2 of Finn et al. 2017), or a 2-D classification
    task's decision regions; none for an image episode."""
    fit = data.fit
    if isinstance(fit, DecisionMap):
        return decision_figure(fit)
    if not isinstance(fit, TaskFit):
        return []
    curves = [Curve("true function", fit.x, fit.y_true, INK)]
    if fit.steps:
        curves.append(Curve("before adapting", fit.x, fit.before, GREY, dashed=True))
    after = f"after {steps_text(fit.steps)}" if fit.steps else "prediction (no inner steps)"
    curves.append(Curve(after, fit.x, fit.after, AFTER))
    curves.append(Curve(f"support points ({len(fit.x_support)})", fit.x_support, fit.y_support, SUPPORT, draw="points"))
    return [Panel("Held-out task", f"x (task input; iteration {fit.iteration})", "y (task output)", tuple(curves))]


def decision_figure(fit: DecisionMap) -> list[Panel]:
    """A 2-D classification task's decision regions before and after adapting, its support points filled and its
    queries as rings, each in its class's colour."""
    ways = fit.before.shape[-1]
    rgb = np.array([[int(colour_for(k)[i : i + 2], 16) for i in (1, 3, 5)] for k in range(ways)], dtype=float)
    extent = (float(fit.grid_x[0]), float(fit.grid_x[-1]), float(fit.grid_y[0]), float(fit.grid_y[-1]))
    points = []
    for k in range(ways):
        support, query = fit.support_points[fit.support_labels == k], fit.query_points[fit.query_labels == k]
        points += [Curve("", support[:, 0], support[:, 1], colour_for(k), draw="points"),
                   Curve("", query[:, 0], query[:, 1], colour_for(k), draw="points", hollow=True)]  # fmt: skip
    titles = ("Before adapting", f"After {steps_text(fit.steps)}")
    x_label = "x₁ (dots: support, rings: query)"
    return [Panel(title, x_label, "x₂", tuple(points), raster=Raster(region_image(p, rgb), extent))
            for title, p in zip(titles, (fit.before, fit.after))]  # fmt: skip


def tasks_drawn_figure(data: RunData) -> list[Panel]:
    """One histogram per task parameter drawn so far, with a curriculum's reach and the range's end."""
    drawn = data.drawn
    if drawn is None:
        return []
    panels = []
    for name in list(drawn.values)[:MAX_PLOTS]:
        values = np.asarray(drawn.values[name], dtype=float)
        values = values[np.isfinite(values)]
        if not len(values):
            continue
        counts, edges = np.histogram(values, bins=bins(values))
        curves = [Curve("", edges, counts, LIVE, draw="steps")]
        limits = reach(data, name, drawn.width)
        if limits is not None:
            top = float(counts.max())
            curves += [Curve("range end", [limits[1]] * 2, [0, top], GREY, dashed=True),
                       Curve("curriculum reach", [limits[2]] * 2, [0, top], REACH)]  # fmt: skip
        panels.append(Panel(f"Tasks drawn: {name}", name, f"tasks (of {len(values)})", tuple(curves)))
    return panels
