"""The figures of run folders: which panels ``studio export --format png|svg|pdf --figure F`` and the HTML
report draw, from the runs' ``metrics.csv`` and ``summary.json``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from studio.config import ConfigError
from studio.export.figure_data import Panel
from studio.export.library import RunRecord, group_by_seed, read_run
from studio.export.plots import (
    X_LABELS,
    adaptation_panel,
    ci_column,
    evaluation_panel,
    loss_panel,
    loss_unit,
    metric_curves,
    metric_label,
    seed_panel,
)
from studio.export.run_metrics import RunMetrics, read_metrics

FIGURES = ("paper", "loss", "adaptation", "seeds", "metric")


class Runs(NamedTuple):
    """Run folders read back: records, metrics (``None`` where unreadable) and summaries, in the same order."""

    records: list[RunRecord]
    metrics: list[RunMetrics | None]
    summaries: list[dict | None]

    @property
    def with_metrics(self) -> list[RunMetrics]:
        """The metrics of the runs that have at least one iteration."""
        return [m for m in self.metrics if m is not None and len(m)]


def load_runs(run_dirs: Sequence[str | Path]) -> Runs:
    """The run folders read back; a folder that is not a run raises."""
    if not run_dirs:
        raise ConfigError("name at least one run folder")
    records = [read_run(path) for path in run_dirs]
    return Runs(records, [_metrics(r) for r in records], [_summary(r.path) for r in records])


def _metrics(record: RunRecord) -> RunMetrics | None:
    try:
        return read_metrics(record.path, record.name)
    except ConfigError:
        return None


def _summary(path: Path) -> dict | None:
    try:
        return json.loads((path / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def paper_panels(runs: Runs, smoothing: float = 0.6, band: str = "ci95") -> list[Panel]:
    """The runs' figure: meta-training loss with the held-out evaluations, the final adaptation curves, and the
    seed groups' mean and band when runs of one preset over several seeds are among them (empty ones left out)."""
    unit = loss_unit(runs.with_metrics)
    panels = [loss_panel(runs.with_metrics, smoothing)] if runs.with_metrics else []
    panels.append(adaptation_panel(runs.records, runs.summaries, unit))
    groups = seed_groups(runs.records, runs.metrics)
    if groups:
        panels.append(seed_panel(groups, band, smoothing))
    return [panel for panel in panels if not panel.is_empty]


def seed_groups(records: Sequence[RunRecord], metrics: Sequence[RunMetrics | None]) -> list[tuple[str, list]]:
    """(label, metrics) of each group of two or more runs that differ only in their seed."""
    index = {id(r): m for r, m in zip(records, metrics)}
    groups = []
    for group in group_by_seed(records):
        runs = [index[id(r)] for r in group if index[id(r)] is not None and len(index[id(r)])]
        if len(runs) > 1:
            groups.append((group[0].preset_name or group[0].name, runs))
    return groups


def report_panels(runs: Runs, smoothing: float = 0.6, band: str = "ci95") -> list[Panel]:
    """The report's plots: :func:`paper_panels` with the held-out evaluations over training second."""
    panels = paper_panels(runs, smoothing, band)
    held_out = evaluation_panel(runs.with_metrics)
    return [*panels[:1], *([held_out] if not held_out.is_empty else []), *panels[1:]]


def figure_panels(run_dirs: Sequence[str | Path], figure: str = "paper", **view) -> list[Panel]:
    """The panels of ``figure`` (one of :data:`FIGURES`) for the run folders.

    ``view``: ``smoothing`` and ``band`` for every figure; ``metric``, ``x`` and ``log_y`` for ``metric``.
    """
    if figure not in FIGURES:
        raise ConfigError.at("figure", f"must be one of {', '.join(FIGURES)}, got '{figure}'")
    loaded = load_runs(run_dirs)
    records, metrics, summaries = loaded
    smoothing, band = view.get("smoothing", 0.6), view.get("band", "ci95")
    runs = loaded.with_metrics
    if figure == "metric":
        return [metric_panel(runs, view.get("metric", "meta_loss"), smoothing, view.get("x", "iteration"),
                             view.get("log_y", False))]  # fmt: skip
    chosen = {
        "paper": lambda: paper_panels(loaded, smoothing, band),
        "loss": lambda: [loss_panel(runs, smoothing)] if runs else [],
        "adaptation": lambda: [adaptation_panel(records, summaries, loss_unit(runs))],
        "seeds": lambda: [seed_panel(seed_groups(records, metrics), band, smoothing)],
    }
    return chosen[figure]()


def metric_panel(runs: Sequence[RunMetrics], metric: str, smoothing: float, x: str, log_y: bool) -> Panel:
    """Any ``metrics.csv`` column, one curve per run (evaluations, a handful of points with a CI, unsmoothed)."""
    curves = tuple(metric_curves(runs, metric, 0.0 if ci_column(metric) else smoothing, x))
    return Panel(metric_label(metric), X_LABELS[x], metric_label(metric), curves, log_y, x == "iteration")
