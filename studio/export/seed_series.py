"""A seed series evaluated as MAML++ reports results (Antoniou et al. 2019): each seed's model scored on
held-out tasks, then the mean with a 95% interval across seeds (Student's t over the seeds' means) and
across all the tasks of all the seeds.

A seed series is the folder ``studio run --seeds N --out OUT`` writes: one run folder ``OUT/seed-K`` per seed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from studio.engine.events import Evaluation
from studio.export.aggregate import mean_std_ci
from studio.export.library import is_run_folder

SEED_FOLDER = re.compile(r"seed-(\d+)")
Z = 1.96  # the normal quantile of each seed's interval (studio.engine.evaluation.mean_ci95)


def seed_folders(path: str | Path) -> list[Path]:
    """The ``seed-K`` run folders directly below ``path``, by seed; empty when ``path`` is not a seed series."""
    path = Path(path)
    if not path.is_dir() or is_run_folder(path):
        return []
    found = [(int(m.group(1)), p) for p in path.iterdir() if (m := SEED_FOLDER.fullmatch(p.name)) and is_run_folder(p)]
    return [folder for _, folder in sorted(found)]


def over_seeds(evaluations: Sequence[Evaluation], metric: str = "loss") -> tuple[list[float], list[float]]:
    """Per step: the mean of the seeds' means of ``metric`` and its 95% t half-width (NaN for one seed)."""
    means = np.array([getattr(e, f"{metric}_mean") for e in evaluations], dtype=np.float64)
    stats = [mean_std_ci(means[:, step]) for step in range(means.shape[1])]
    return [s[0] for s in stats], [s[2] for s in stats]


def over_tasks(evaluations: Sequence[Evaluation], metric: str = "loss") -> tuple[list[float], list[float]]:
    """Per step: the mean of ``metric`` over every task of every seed, and its normal 95% half-width.

    Each seed's summary (mean, half-width 1.96 s / sqrt(n) over its n tasks) gives back its sum of
    squares, so the pooled standard deviation is exact.
    """
    means = np.array([getattr(e, f"{metric}_mean") for e in evaluations], dtype=np.float64)
    halves = np.array([getattr(e, f"{metric}_ci95") for e in evaluations], dtype=np.float64)
    counts = np.array([e.tasks for e in evaluations], dtype=np.float64)[:, None]
    total = counts.sum()
    mean = (counts * means).sum(axis=0) / total
    variances = (halves * np.sqrt(counts) / Z) ** 2
    squares = ((counts - 1) * variances + counts * (means - mean) ** 2).sum(axis=0)
    std = np.sqrt(squares / max(total - 1, 1))
    return mean.tolist(), (Z * std / math.sqrt(total)).tolist()


def series_document(seeds: Sequence[int], evaluations: Sequence[Evaluation]) -> dict:
    """Each seed's curve and the two summaries, as ``studio eval --json`` prints them."""
    metrics = ("loss", "accuracy") if evaluations[0].accuracy_mean is not None else ("loss",)
    document = {"seeds": list(seeds), "steps": list(evaluations[0].steps), "tasks_per_seed": evaluations[0].tasks}
    for name, summarise in (("over_seeds", over_seeds), ("over_tasks", over_tasks)):
        document[name] = {}
        for metric in metrics:
            mean, half = summarise(evaluations, metric)
            document[name] |= {f"{metric}_mean": mean, f"{metric}_ci95": half}
    return document
