"""Several runs' metrics as CSV or JSON, at full resolution (every iteration, whatever a plot shows).

- one CSV per run: ``run, iteration, elapsed_s, meta_loss, ...``, one row per iteration run;
- one long-format CSV: ``run, iteration, elapsed_s, metric, value``, one row per value present;
- JSON: ``{"format": ..., "runs": [{"run", "path", "rows", "columns": {name: [value or null, ...]}}]}``.

A missing value (no evaluation at that iteration) is an empty cell or ``null``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from studio.config import ConfigError, atomic_write_text
from studio.export.run_metrics import RunMetrics

LONG_HEADER = ("run", "iteration", "elapsed_s", "metric", "value")
JSON_FORMAT = "meta-learning-studio/metrics"
LAYOUTS = ("per-run", "long")


def _cell(value: float) -> str:
    return repr(float(value)) if math.isfinite(value) else ""


def _iteration(value: float) -> str:
    return str(int(value))


def run_rows(run: RunMetrics) -> Iterator[list[str]]:
    """The header (``run`` first, then the run's own columns) and one row per iteration."""
    names = list(run.columns)
    yield ["run", *names]
    for i in range(len(run)):
        yield [run.run, _iteration(run.columns["iteration"][i]), *(_cell(run.columns[n][i]) for n in names[1:])]


def long_rows(runs: Sequence[RunMetrics]) -> Iterator[list[str]]:
    """The header :data:`LONG_HEADER` and one row per (run, iteration, metric) with a value."""
    yield list(LONG_HEADER)
    for run in runs:
        metrics = [n for n in run.metric_names if n != "elapsed_s"]
        for i in range(len(run)):
            head = [run.run, _iteration(run.columns["iteration"][i]), _cell(run.columns["elapsed_s"][i])]
            yield from (head + [name, _cell(run.columns[name][i])] for name in metrics if _present(run, name, i))


def _present(run: RunMetrics, name: str, i: int) -> bool:
    return math.isfinite(run.columns[name][i])


def csv_text(rows: Iterator[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def write_csv(runs: Sequence[RunMetrics], out: str | Path, layout: str = "per-run") -> list[Path]:
    """Write ``runs`` as CSV: ``long`` to the file ``out``; ``per-run`` to ``out`` itself when there is one
    run and ``out`` ends in ``.csv``, else one ``NAME.csv`` per run in the folder ``out``.  Returns the files."""
    if layout not in LAYOUTS:
        raise ConfigError.at("layout", f"must be one of {', '.join(LAYOUTS)}, got '{layout}'")
    out = Path(out)
    if layout == "long":
        atomic_write_text(out, csv_text(long_rows(runs)))
        return [out]
    if len(runs) == 1 and out.suffix.lower() == ".csv":
        atomic_write_text(out, csv_text(run_rows(runs[0])))
        return [out]
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out}: exists and is not a folder; several runs are written one file each into a folder")
    paths = [out / name for name in file_names(runs, ".csv")]
    for run, path in zip(runs, paths):
        atomic_write_text(path, csv_text(run_rows(run)))
    return paths


def file_names(runs: Sequence[RunMetrics], suffix: str) -> list[str]:
    """A safe, distinct file name per run, from its name."""
    names: list[str] = []
    for run in runs:
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", run.run).strip("._") or "run"
        name, count = f"{stem}{suffix}", 2
        while name in names:
            name, count = f"{stem}-{count}{suffix}", count + 1
        names.append(name)
    return names


def metrics_document(runs: Sequence[RunMetrics]) -> dict:
    """Every run's columns as lists (``null`` for a missing value), in one JSON-able dictionary."""
    return {
        "format": JSON_FORMAT,
        "runs": [
            {
                "run": run.run,
                "path": str(run.path),
                "rows": len(run),
                "columns": {name: _json_values(name, values.tolist()) for name, values in run.columns.items()},
            }
            for run in runs
        ],
    }


def _json_values(name: str, values: list[float]) -> list[float | int | None]:
    if name == "iteration":
        return [int(v) for v in values]
    return [v if math.isfinite(v) else None for v in values]


def write_json(runs: Sequence[RunMetrics], out: str | Path) -> Path:
    """Write :func:`metrics_document` of ``runs`` to ``out`` atomically."""
    atomic_write_text(out, json.dumps(metrics_document(runs), indent=1) + "\n")
    return Path(out)
