"""A one-page HTML report of one or several runs: summary table, seed groups, the hyperparameters that
differ, the plots as inline SVG, and each run's preset.  One self-contained file: no scripts, no links."""

from __future__ import annotations

import time
from collections.abc import Sequence
from html import escape
from pathlib import Path

from studio.config import atomic_write_text
from studio.console import format_duration
from studio.export.aggregate import mean_std_ci
from studio.export.environment import environment_differences, read_environment
from studio.export.figure_style import PANEL_SIZE
from studio.export.figures import svg_text
from studio.export.hyperparameters import format_value, hyperparameter_table
from studio.export.library import RunRecord, group_by_seed
from studio.export.run_figures import Runs, load_runs, report_panels

STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #f3f3f3; }
.differs { background: #fff3c4; }
.plots svg { margin: 0.5em 0.5em 0 0; width: 49%; height: auto; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
"""
SUMMARY_HEADER = ("run", "status", "algorithm", "task family", "seed", "iterations", "final query loss ± 95% CI",
                  "duration", "started")  # fmt: skip


def build_report(run_dirs: Sequence[str | Path], smoothing: float = 0.6, band: str = "ci95") -> str:
    """The report's HTML text."""
    runs = load_runs(run_dirs)
    records = runs.records
    title = f"Run report: {records[0].name}" if len(records) == 1 else f"Comparison of {len(records)} runs"
    sections = [f"<h1>{escape(title)}</h1>", f"<p>Written {escape(time.strftime('%Y-%m-%d %H:%M'))}.</p>"]
    sections += [_summary_table(records), _notes_section(records), _groups_section(records)]
    sections += [_hyperparameter_section(records), _environment_section(records)]
    sections += [_plots(runs, smoothing, band), _presets(records)]
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


def _plots(runs: Runs, smoothing: float, band: str) -> str:
    """Each panel of the runs' figure as its own inline SVG (matplotlib's, text as outlines)."""
    panels = report_panels(runs, smoothing, band)
    figures = [svg_text([panel], PANEL_SIZE) for panel in panels]
    return '<h2>Plots</h2>\n<div class="plots">\n' + "\n".join(figures) + "\n</div>" if figures else ""


def _presets(records: Sequence[RunRecord]) -> str:
    parts = ["<h2>Presets</h2>"]
    for record in records:
        try:
            text = (record.path / "preset.toml").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            text = f"(unreadable: {error})"
        parts.append(f"<details open><summary>{escape(record.name)}</summary><pre>{escape(text)}</pre></details>")
    return "\n".join(parts)
