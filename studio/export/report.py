"""A one-page HTML report of one or several runs: summary table, seed groups, the hyperparameters that
differ, the plots as inline SVG, and each run's preset.  One self-contained file: no scripts, no links."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from html import escape
from pathlib import Path

from studio.config import ConfigError, atomic_write_text
from studio.console import format_duration
from studio.export.aggregate import mean_std_ci
from studio.export.environment import environment_differences, read_environment
from studio.export.hyperparameters import format_value, hyperparameter_table
from studio.export.library import RunRecord, group_by_seed, read_run
from studio.export.plots import X_LABELS, adaptation_curves, group_curves, metric_curves, metric_label
from studio.export.run_metrics import RunMetrics, read_metrics
from studio.export.svg import Curve, svg_plot

STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #f3f3f3; }
.differs { background: #fff3c4; }
.plots svg { margin: 0.5em 0.5em 0 0; border: 1px solid #eee; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
"""
SUMMARY_HEADER = ("run", "status", "algorithm", "task family", "seed", "iterations", "final query loss ± 95% CI",
                  "duration", "started")  # fmt: skip


def load_runs(run_dirs: Sequence[str | Path]) -> tuple[list[RunRecord], list[RunMetrics | None], list[dict | None]]:
    """Records, metrics (``None`` where unreadable) and summaries of the run folders; bad folders raise."""
    if not run_dirs:
        raise ConfigError("name at least one run folder")
    records = [read_run(path) for path in run_dirs]
    return records, [_metrics(r) for r in records], [_summary(r.path) for r in records]


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


def build_report(run_dirs: Sequence[str | Path], smoothing: float = 0.6, band: str = "ci95") -> str:
    """The report's HTML text."""
    records, metrics, summaries = load_runs(run_dirs)
    title = f"Run report: {records[0].name}" if len(records) == 1 else f"Comparison of {len(records)} runs"
    sections = [f"<h1>{escape(title)}</h1>", f"<p>Written {escape(time.strftime('%Y-%m-%d %H:%M'))}.</p>"]
    sections += [_summary_table(records), _notes_section(records), _groups_section(records)]
    sections += [_hyperparameter_section(records), _environment_section(records)]
    sections += [_plots(records, metrics, summaries, smoothing, band), _presets(records)]
    body = "\n".join(s for s in sections if s)
    head = f'<meta charset="utf-8"><title>{escape(title)}</title><style>{STYLE}</style>'
    return f'<!DOCTYPE html>\n<html lang="en">\n<head>{head}</head>\n<body>\n{body}\n</body>\n</html>\n'


def write_report(run_dirs: Sequence[str | Path], out: str | Path, **options) -> Path:
    """Write :func:`build_report` to ``out`` atomically and return the path."""
    atomic_write_text(out, build_report(run_dirs, **options))
    return Path(out)


def duration_text(seconds: float | None) -> str:
    """``1:02:03`` or ``2:03``; empty when unknown."""
    return "" if seconds is None else format_duration(seconds)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], marked: Sequence[set[int]] = ()) -> str:
    cells = ["<tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr>"]
    for i, row in enumerate(rows):
        mark = marked[i] if i < len(marked) else set()
        tds = (
            f'<td class="differs">{escape(c)}</td>' if j in mark else f"<td>{escape(c)}</td>" for j, c in enumerate(row)
        )
        cells.append("<tr>" + "".join(tds) + "</tr>")
    return "<table>\n" + "\n".join(cells) + "\n</table>"


def _summary_table(records: Sequence[RunRecord]) -> str:
    rows = [
        [r.name, r.status, r.algorithm, r.family, "" if r.seed is None else str(r.seed),
         f"{r.iterations}/{r.total_iterations}", r.final_text, duration_text(r.duration_seconds), r.date]
        for r in records
    ]  # fmt: skip
    return "<h2>Summary</h2>\n" + _table(SUMMARY_HEADER, rows)


def _notes_section(records: Sequence[RunRecord]) -> str:
    """What the researcher wrote about the runs (``studio runs --note/--tag``, the Runs panel)."""
    rows = [[r.name, " ".join(f"#{t}" for t in r.tags), r.note] for r in records if r.note or r.tags]
    return "<h2>Notes</h2>\n" + _table(("run", "tags", "note"), rows) if rows else ""


def _environment_section(records: Sequence[RunRecord]) -> str:
    """Where the runs' environments (environment.json) differ: versions, packages, commit, data."""
    documents = {r.name: read_environment(r.path) for r in records}
    known = {name: document for name, document in documents.items() if document is not None}
    if len(known) < 2:
        return ""
    differences = environment_differences(known)
    if not differences:
        return "<h2>Environment</h2>\n<p>The runs' environments (environment.json) are the same.</p>"
    names = list(known)
    rows = [[entry, *(values[name] for name in names)] for entry, values in differences.items()]
    marked = [set(range(1, len(names) + 1))] * len(rows)
    note = "<p>Entries of environment.json that differ among the runs.</p>"
    return "<h2>Environment</h2>\n" + note + _table(["entry", *names], rows, marked)


def _groups_section(records: Sequence[RunRecord]) -> str:
    """Runs of one preset over several seeds: the group's final loss as mean ± 95% CI (t) and std."""
    groups = [g for g in group_by_seed(records) if len(g) > 1]
    if not groups:
        return ""
    rows = []
    for group in groups:
        mean, std, ci = mean_std_ci([r.final_loss for r in group if r.final_loss is not None])
        seeds = ", ".join(str(r.seed) for r in group)
        rows.append([group[0].preset_name or group[0].name, seeds, f"{mean:.4f} ± {ci:.4f}", f"{std:.4f}"])
    header = ("preset", "seeds", "final query loss, mean ± 95% CI", "std over seeds")
    return "<h2>Seed groups</h2>\n" + _table(header, rows)


def _hyperparameter_section(records: Sequence[RunRecord]) -> str:
    only_differing = len(records) > 1
    columns, rows, differ = hyperparameter_table([r.preset for r in records], only_differing=only_differing)
    if not columns:
        return "<h2>Hyperparameters</h2>\n<p>The runs' presets are the same.</p>"
    marked = [{j + 1 for j, c in enumerate(columns) if c in differ}] * len(rows)
    body = [[r.name, *(format_value(v) for v in row)] for r, row in zip(records, rows)]
    note = "<p>Settings that differ among the runs (highlighted).</p>" if only_differing else ""
    return "<h2>Hyperparameters</h2>\n" + note + _table(["run", *columns], body, marked)


def _plots(records, metrics, summaries, smoothing: float, band: str) -> str:
    runs = [m for m in metrics if m is not None and len(m)]
    figures = []
    if runs:
        figures.append(_figure(metric_curves(runs, "meta_loss", smoothing), "Meta-loss", "meta_loss"))
        steps = sorted(set.intersection(*(set(r.eval_steps) for r in runs)))
        if steps:
            metric = f"eval_loss_step{steps[-1]}"
            figures.append(_figure(metric_curves(runs, metric), "Held-out evaluation", metric))
        figures += _group_figures(records, metrics, smoothing, band)
    adaptation = adaptation_curves(records, summaries)
    if adaptation:
        svg = svg_plot(adaptation, "Final adaptation", "inner steps", "held-out query loss", integer_x=True)
        figures.append(svg)
    return '<h2>Plots</h2>\n<div class="plots">\n' + "\n".join(figures) + "\n</div>" if figures else ""


def _figure(curves: list[Curve], title: str, metric: str) -> str:
    return svg_plot(curves, title, X_LABELS["iteration"], metric_label(metric), size=(540, 340))


def _group_figures(records, metrics, smoothing: float, band: str) -> list[str]:
    index = {id(r): m for r, m in zip(records, metrics)}
    groups = []
    for group in group_by_seed(records):
        runs = [index[id(r)] for r in group if index[id(r)] is not None and len(index[id(r)])]
        if len(runs) > 1:
            groups.append((group[0].preset_name or group[0].name, runs))
    if not groups:
        return []
    curves = group_curves(groups, "meta_loss", band, smoothing)
    return [_figure(curves, "Meta-loss over seeds", "meta_loss")]


def _presets(records: Sequence[RunRecord]) -> str:
    parts = ["<h2>Presets</h2>"]
    for record in records:
        try:
            text = (record.path / "preset.toml").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            text = f"(unreadable: {error})"
        parts.append(f"<details open><summary>{escape(record.name)}</summary><pre>{escape(text)}</pre></details>")
    return "\n".join(parts)
