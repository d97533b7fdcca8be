"""Reading a run folder's ``metrics.csv`` back: every column at full resolution, as float arrays.

A missing value (no evaluation at that iteration) and a non-finite one (a
skipped batch) both read as NaN.  A half-written last line (a killed run's) is
ignored, as resuming ignores it.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.config import ConfigError

METRICS_FILE = "metrics.csv"
X_AXES = ("iteration", "wall_time")
_NOT_A_ROW = re.compile(r"^(?![0-9]+(?:,|$)).+$", re.MULTILINE)


@dataclass(frozen=True)
class RunMetrics:
    """One run's metrics: ``columns`` maps each CSV column to a float array, one value per iteration."""

    run: str
    path: Path
    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.columns.get("iteration", ()))

    @property
    def metric_names(self) -> list[str]:
        """Every column but the iteration, in file order."""
        return [name for name in self.columns if name != "iteration"]

    @property
    def eval_steps(self) -> list[int]:
        """The inner steps K that have an ``eval_loss_stepK`` column, ascending."""
        return sorted(int(name.removeprefix("eval_loss_step")) for name in self.columns if _is_eval_loss(name))

    def series(self, metric: str, x: str = "iteration") -> tuple[np.ndarray, np.ndarray]:
        """The finite points of ``metric`` against the iteration or the training time (``wall_time``, seconds)."""
        if metric not in self.columns:
            raise ConfigError(f"{self.path}: no metric '{metric}' (has {', '.join(self.metric_names)})")
        if x not in X_AXES:
            raise ConfigError(f"x axis must be one of {', '.join(X_AXES)}, got '{x}'")
        xs = self.columns["iteration" if x == "iteration" else "elapsed_s"]
        ys = self.columns[metric]
        keep = np.isfinite(ys) & np.isfinite(xs)
        return xs[keep], ys[keep]


def _is_eval_loss(name: str) -> bool:
    return name.startswith("eval_loss_step") and name.removeprefix("eval_loss_step").isdigit()


def read_metrics(run_dir: str | Path, run: str | None = None) -> RunMetrics:
    """The metrics of ``run_dir``, labelled ``run`` (default: the folder's name)."""
    path = _metrics_path(run_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read ({error})") from None
    return _parse(text, path, run)


def read_metrics_tail(run_dir: str | Path, size: int = 1 << 16) -> RunMetrics:
    """The last rows of ``run_dir``'s metrics, those within the file's last ``size`` bytes (a run's progress
    without reading all of a long run's file)."""
    path = _metrics_path(run_dir)
    try:
        with path.open("rb") as handle:
            first = handle.readline()
            start = max(len(first), handle.seek(0, 2) - size)
            handle.seek(start)
            tail = handle.read()
        if start > len(first):  # the window starts mid-line: from the next line on
            tail = tail[tail.find(b"\n") + 1 :]
        text = (first + tail).decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read ({error})") from None
    return _parse(text, path, None)


def _metrics_path(run_dir: str | Path) -> Path:
    path = Path(run_dir) / METRICS_FILE
    if not path.is_file():
        raise ConfigError(f"{path}: missing; not a run folder, or the run has not started")
    return path


def _parse(text: str, path: Path, run: str | None) -> RunMetrics:
    run_dir = path.parent
    text = text.replace("\r\n", "\n")  # csv.writer ends its rows with \r\n
    complete = text if text.endswith("\n") else text[: text.rfind("\n") + 1]
    first, _, body = complete.partition("\n")
    header = next(csv.reader([first]), [])
    if not header or header[0] != "iteration":
        raise ConfigError(f"{path}: not a studio metrics file (its first column must be 'iteration')")
    table = _plain_table(body, len(header))
    if table is None:
        table = _table_row_by_row(body, len(header))
    return RunMetrics(run or run_dir.name, run_dir, dict(zip(header, np.ascontiguousarray(table.T))))


def _plain_table(body: str, width: int) -> np.ndarray | None:
    """Every row, parsed by numpy in C (empty fields as NaN); ``None`` when a line is not ``width`` plain numbers
    after a whole iteration (a repeated header, a torn row: :func:`_table_row_by_row` decides row by row).
    Parsing each field in Python took ~45 ms for 10,000 rows, for every run the Runs panel compares."""
    if not body.strip():
        return np.empty((0, width))
    if _NOT_A_ROW.search(body):  # a line whose first field is no whole number: row by row decides
        return None
    filled = body.replace(",,", ",nan,").replace(",,", ",nan,").replace(",\n", ",nan\n")  # two passes: ",,,"
    try:
        table = np.loadtxt(io.StringIO(filled), delimiter=",", dtype=np.float64, ndmin=2, comments=None)
    except ValueError:
        return None
    if table.shape[1] != width:
        return None
    table[~np.isfinite(table)] = np.nan
    return table


def _table_row_by_row(body: str, width: int) -> np.ndarray:
    rows = [row for row in csv.reader(body.splitlines()) if _is_row(row, width)]
    return np.array([[_float(value) for value in row] for row in rows], dtype=np.float64).reshape(-1, width)


def _is_row(row: list[str], width: int) -> bool:
    return len(row) == width and row[0].isdigit()


def _float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan
