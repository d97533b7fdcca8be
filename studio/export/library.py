"""The run library: every run folder below a runs folder, as records a table can show.

A record carries the run's name (its ``run.json`` name, else the folder's),
algorithm, task family, key hyperparameters, status, final evaluation with its
95% CI, duration and date.  The status is read off the files the recorder
writes, in the order it writes them (``summary.json`` last):

- ``finished``: ``summary.json`` says the run completed;
- ``stopped``: it says the user stopped it (Stop, Ctrl-C); a checkpoint lets it go on;
- ``failed``: it diverged, or the folder has no summary and no checkpoint to go on from;
- ``running``: the process named in its ``run.lock`` is alive (:mod:`studio.export.run_lock`), or the caller
  says so (the window knows its own runs); where the lock cannot be checked (another host) or there is
  none (older runs), ``metrics.csv`` written in the last :data:`RUNNING_SECONDS` and no summary;
- ``resumable``: no summary that counts every metrics row, not running, and a checkpoint to resume from
  (a killed run, or a resumed one killed again).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from studio.config import ConfigError, atomic_write_text, read_toml
from studio.export.aggregate import seed_groups
from studio.export.annotations import NOTES_FILE, read_annotations
from studio.export.checkpoints import checkpoints
from studio.export.environment import ENVIRONMENT_FILE
from studio.export.hyperparameters import key_hyperparameters
from studio.export.run_lock import CONTROL_FILE, EVENTS_FILE, LOCK_FILE, Liveness, liveness
from studio.export.run_metrics import METRICS_FILE, RunMetrics, read_metrics, read_metrics_tail

NAME_FILE = "run.json"
RUNS_DIR_VARIABLE = "STUDIO_RUNS_DIR"
TRIAL_FILE = "trial.json"
GROUP_DEPTH = 3  # runs/sweep/trial/seed  # a sweep's trial (studio.sweeps); written beside the run's own files
RUNNING_SECONDS = 120.0  # a run that wrote a metrics row this recently is taken to be running
STATUSES = ("running", "finished", "stopped", "pruned", "failed", "resumable")
STOP_REASONS = ("stopped", "interrupted")
# what a run folder may hold; a folder with anything else is not deleted (it is not only a run)
RUN_FILES = ("preset.toml", METRICS_FILE, "model.safetensors", "model.json", "learner.safetensors", "summary.json")
# written beside them: what produced the run, what the researcher says about it, a sweep's trial
RECORD_FILES = (ENVIRONMENT_FILE, NOTES_FILE, TRIAL_FILE)
RUN_PATTERNS = ("checkpoint-*.safetensors", ".*.tmp", "*.tmp", NAME_FILE, LOCK_FILE, EVENTS_FILE, CONTROL_FILE)
RUN_SUBFOLDERS = ("tensorboard",)


@dataclass(frozen=True)
class RunRecord:
    """One run folder as the library lists it; ``final_*`` is the last evaluation's last inner step."""

    path: Path
    name: str
    status: str
    preset_name: str = ""
    algorithm: str = ""
    family: str = ""
    seed: int | None = None
    hyperparameters: dict[str, object] = field(default_factory=dict)
    preset: dict = field(default_factory=dict)
    iterations: int = 0
    total_iterations: int = 0
    final_loss: float | None = None
    final_ci95: float | None = None
    final_accuracy: float | None = None
    final_accuracy_ci95: float | None = None
    duration_seconds: float | None = None
    started: float = 0.0
    resumable: bool = False
    message: str = ""
    note: str = ""
    tags: tuple[str, ...] = ()

    @property
    def date(self) -> str:
        """When the run started, local time, ``YYYY-MM-DD HH:MM``."""
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.started))

    @property
    def final_text(self) -> str:
        """``1.2345 ± 0.0678`` (and the accuracy, for classification), or an empty string."""
        if self.final_loss is None:
            return ""
        text = f"{self.final_loss:.4f} ± {self.final_ci95 or 0.0:.4f}"
        if self.final_accuracy is not None:
            text += f" ({100 * self.final_accuracy:.1f}% ± {100 * (self.final_accuracy_ci95 or 0.0):.1f}%)"
        return text


def default_runs_dir() -> Path:
    """``$STUDIO_RUNS_DIR``, else ``./runs``: where runs go when no folder is named."""
    return Path(os.environ.get(RUNS_DIR_VARIABLE) or "runs")


def is_run_folder(path: str | Path) -> bool:
    """Whether ``path`` is a folder the recorder wrote: a ``preset.toml`` and metrics, model or summary."""
    path = Path(path)
    if not path.is_dir() or not (path / "preset.toml").is_file():
        return False
    return any((path / name).is_file() for name in (METRICS_FILE, "model.safetensors", "summary.json"))


def scan_runs(root: str | Path, active: Iterable[str | Path] = ()) -> list[RunRecord]:
    """Every run folder directly below ``root`` (or ``root`` itself, or one level of group folders such
    as ``studio run --seeds`` writes), newest first.  ``active`` names folders known to be running."""
    root = Path(root)
    if not root.is_dir():
        raise ConfigError(f"{root}: no such runs folder")
    running = {Path(p).resolve() for p in active}
    records = [read_run(path, path.resolve() in running) for path in run_folders(root)]
    return sorted(records, key=lambda r: (-r.started, str(r.path)))


def run_folders(root: Path, depth: int = GROUP_DEPTH) -> list[Path]:
    """The run folders :func:`scan_runs` reads: ``root`` itself, or below it through up to ``depth`` levels of
    group folders (seed series, a sweep's trials, a sweep's trials' seeds)."""
    if is_run_folder(root):
        return [root]
    if depth == 0:
        return []
    found = []
    for child in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()):
        found += run_folders(child, depth - 1)
    return found


def read_run(path: str | Path, running: bool = False) -> RunRecord:
    """The record of one run folder (``running``: the caller knows it is training now)."""
    path = Path(path)
    if not is_run_folder(path):
        raise ConfigError(f"{path}: not a run folder (expected preset.toml with metrics.csv or summary.json)")
    preset, problem = _preset(path)
    rows = _metrics_rows(path)
    summary = _summary(path, rows)
    # a summary that covers every metrics row says all the list shows: parsing metrics.csv takes 2-5 ms per
    # thousand rows, for every run at every refresh of the Runs panel
    covered = summary is not None and summary.get("final_evaluation") and isinstance(summary.get("iterations"), int)
    progress = {} if covered else _progress(path, rows)
    fields = {**_from_preset(preset), **progress, **_from_summary(summary)}
    status, message = _status(path, summary, running)
    annotations = read_annotations(path)
    return RunRecord(
        path=path,
        name=run_name(path),
        status=status,
        resumable=bool(checkpoints(path)) and status != "running",
        message=problem or message,
        started=_started(path),
        preset=preset,
        note=annotations.note,
        tags=annotations.tags,
        **fields,
    )


def _preset(path: Path) -> tuple[dict, str]:
    """The run's preset as a dict (read-only: the same dict comes back while the file is unchanged)."""
    file = path / "preset.toml"
    try:
        stat = file.stat()
    except OSError:
        stat = None
    if stat is None:
        return _read_preset(file, 0, 0)
    return _read_preset(file, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4096)
def _read_preset(file: Path, mtime_ns: int, size: int) -> tuple[dict, str]:
    """Parsing TOML was half of reading a finished run's record: the Runs panel reads every run at each refresh."""
    try:
        return read_toml(file), ""
    except ConfigError as error:
        return {}, str(error)


def _summary(path: Path, rows: int) -> dict | None:
    """``summary.json`` when it is readable and describes the run as it now stands: a run resumed after
    it was written has more metrics rows than the iterations it counts."""
    try:
        document = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict):
        return None
    counted = document.get("iterations")
    return document if not isinstance(counted, int) or rows <= counted else None


def _metrics_rows(path: Path) -> int:
    """The number of iteration rows in ``metrics.csv`` (complete lines that start with a digit), without parsing
    it: a blank line, a repeated header or a torn last line is no row, as :func:`read_metrics` reads it."""
    try:
        data = (path / METRICS_FILE).read_bytes()
    except OSError:
        return 0
    text = np.frombuffer(data, dtype=np.uint8)
    line_ends = np.flatnonzero(text == ord("\n"))
    first_bytes = text[line_ends[:-1] + 1]  # of each complete line after the header
    return int(np.count_nonzero((first_bytes >= ord("0")) & (first_bytes <= ord("9"))))


def _from_preset(preset: dict) -> dict:
    sections = {name: preset.get(name) if isinstance(preset.get(name), dict) else {} for name in ("task", "algorithm")}
    seed = preset.get("seed")
    return {
        "preset_name": str(preset.get("name", "")),
        "algorithm": str(sections["algorithm"].get("name", "")),
        "family": str(sections["task"].get("family", "")),
        "seed": seed if isinstance(seed, int) else None,
        "hyperparameters": key_hyperparameters(preset),
        "total_iterations": int((preset.get("training") or {}).get("iterations", 0) or 0),
    }


def _progress(path: Path, rows: int) -> dict:
    """Iterations done, training time and the last evaluation, from ``metrics.csv`` (a run without a summary):
    its last rows when they hold an evaluation, else the whole file.  Reading all of a long run's file took
    ~2 ms per thousand rows, for each training run every few seconds in the Runs panel.  ``rows``: its row count
    (:func:`_metrics_rows`)."""
    try:
        metrics = read_metrics_tail(path)
        done = _last_evaluation(metrics)
        if len(metrics) and "final_loss" not in done and metrics.eval_steps:
            metrics = read_metrics(path)
            done = _last_evaluation(metrics)
    except ConfigError:
        return {}
    done["iterations"] = rows
    if len(metrics):
        done["duration_seconds"] = float(metrics.columns["elapsed_s"][-1])
    return done


def _last_evaluation(metrics: RunMetrics) -> dict:
    steps, done = metrics.eval_steps, {}
    if steps:
        for key, column in (("final_loss", "eval_loss_step"), ("final_ci95", "eval_ci95_step")):
            _, values = metrics.series(f"{column}{steps[-1]}")
            if len(values):
                done[key] = float(values[-1])
    return done


def _from_summary(summary: dict | None) -> dict:
    if summary is None:
        return {}
    found = {"iterations": summary.get("iterations"), "total_iterations": summary.get("total_iterations")}
    found["duration_seconds"] = summary.get("train_seconds")
    final = summary.get("final_evaluation") or {}
    for key, name in (("final_loss", "loss_mean"), ("final_ci95", "loss_ci95")):
        found[key] = _last(final.get(name))
    for key, name in (("final_accuracy", "accuracy_mean"), ("final_accuracy_ci95", "accuracy_ci95")):
        found[key] = _last(final.get(name))
    return {key: value for key, value in found.items() if value is not None}


def _last(values: object) -> float | None:
    return float(values[-1]) if isinstance(values, list) and values and isinstance(values[-1], (int, float)) else None


def _status(path: Path, summary: dict | None, running: bool) -> tuple[str, str]:
    process = liveness(path)
    if running or process == Liveness.ALIVE:
        return "running", ""
    if summary is not None:
        reason = summary.get("status")
        if reason == "completed":
            return "finished", ""
        if reason in STOP_REASONS:
            return ("pruned", "a sweep's pruner stopped this trial early") if _pruned(path) else ("stopped", "")
        return "failed", f"the run ended with status '{reason}'"
    if process != Liveness.DEAD and _recently_written(path):
        return "running", ""
    ended = "its process is gone" if process == Liveness.DEAD else "the run ended"
    if checkpoints(path):
        return "resumable", f"{ended} without a summary; resume it from its checkpoint"
    return "failed", f"{ended} without a summary or a checkpoint"


def _recently_written(path: Path) -> bool:
    metrics = path / METRICS_FILE
    return metrics.is_file() and time.time() - metrics.stat().st_mtime < RUNNING_SECONDS


def _pruned(path: Path) -> bool:
    """Whether a sweep's trial file (here or in the trial folder above a seed) says the trial was pruned."""
    for folder in (path, path.parent):
        try:
            return json.loads((folder / TRIAL_FILE).read_text(encoding="utf-8")).get("state") == "pruned"
        except (OSError, ValueError, AttributeError):
            continue
    return False


def _started(path: Path) -> float:
    """When the run started: the oldest of its files' modification times."""
    times = [p.stat().st_mtime for p in path.iterdir() if p.is_file()]
    return min(times, default=path.stat().st_mtime)


def filter_runs(records: Sequence[RunRecord], text: str) -> list[RunRecord]:
    """The records whose name, status, algorithm, family, preset name, key settings, note or tags (``#tag``)
    contain every word of
    ``text`` (case-insensitive): the Runs panel's filter box."""
    words = text.lower().split()
    return [r for r in records if all(word in _haystack(r) for word in words)]


def _haystack(record: RunRecord) -> str:
    settings = " ".join(f"{k}={v}" for k, v in record.hyperparameters.items())
    fields = [record.name, record.status, record.algorithm, record.family, record.preset_name, settings, record.note]
    return " ".join(fields + [f"#{tag}" for tag in record.tags]).lower()


def group_by_seed(records: Sequence[RunRecord]) -> list[list[RunRecord]]:
    """Runs whose presets differ only in the seed, grouped in the records' order (a lone run is a group of one)."""
    by_id = {str(i): record for i, record in enumerate(records)}
    return [[by_id[i] for i in group] for group in seed_groups({i: r.preset for i, r in by_id.items()})]


def run_name(path: str | Path) -> str:
    """The run's name: as set by :func:`rename_run`, else the folder's name."""
    try:
        name = json.loads((Path(path) / NAME_FILE).read_text(encoding="utf-8")).get("name")
    except (OSError, ValueError, AttributeError):
        name = None
    return name.strip() if isinstance(name, str) and name.strip() else Path(path).name


def rename_run(path: str | Path, name: str) -> None:
    """Give a run a display name (``run.json``); the folder keeps its name.  An empty name clears it."""
    path = Path(path)
    if not is_run_folder(path):
        raise ConfigError(f"{path}: not a run folder; only a run can be renamed")
    if "\n" in name or len(name) > 200:
        raise ConfigError.at("name", "must be one line of at most 200 characters")
    atomic_write_text(path / NAME_FILE, json.dumps({"name": name.strip()}, ensure_ascii=False) + "\n")


def delete_run(path: str | Path, running: bool = False) -> None:
    """Remove one run folder, and only if it holds nothing but what a run writes (never a running run)."""
    path = Path(path)
    if path.is_symlink() or not is_run_folder(path):
        raise ConfigError(f"{path}: not a run folder; nothing was deleted")
    strangers = [p.name for p in path.iterdir() if not _belongs_to_run(p)]
    if strangers:
        shown = ", ".join(sorted(strangers)[:5])
        raise ConfigError(f"{path}: holds files a run does not write ({shown}); delete it by hand if you mean to")
    if running or read_run(path).status == "running":
        raise ConfigError(f"{path}: the run is still training; stop it before deleting it")
    shutil.rmtree(path)


def _belongs_to_run(entry: Path) -> bool:
    if entry.is_symlink():
        return False
    if entry.is_dir():
        return entry.name in RUN_SUBFOLDERS
    return entry.name in RUN_FILES + RECORD_FILES or any(entry.match(pattern) for pattern in RUN_PATTERNS)
