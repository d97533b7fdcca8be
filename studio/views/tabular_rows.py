"""One task of a ``tabular_csv`` family as readable rows, and the groups behind the family (no Qt here).

The family keeps its rows encoded (numbers standardised, categories one-hot);
the preview turns them back into the values of the file with the family's
own encoder, so a user sees rows as they wrote them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the window shows a TaskTable before torch has loaded
    import torch

    from studio.engine.tasks import TaskBatch, TaskFamily

SPLIT_WORDS = {"train": "meta-train", "validation": "validation", "test": "test"}
SUPPORT, QUERY = "support", "query"


@dataclass(frozen=True)
class TaskTable:
    """One task's rows (support first, then query) as text, and how many rows each group of the file has."""

    group: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    parts: tuple[str, ...]  # SUPPORT or QUERY, per row
    groups_per_split: dict[str, int]
    rows_per_group: np.ndarray


def task_table(family: TaskFamily, batch: TaskBatch) -> TaskTable:
    """The first task of ``batch`` (drawn from the meta-train groups) as the file's values."""
    import torch

    features = feature_names(family)
    target = family.config.target_column
    x = torch.cat([batch.x_support[0], batch.x_query[0]])
    y = torch.cat([batch.y_support[0], batch.y_query[0]])
    rows = tuple(tuple(decode_features(family, x[i])) + (decode_target(family, y[i]),) for i in range(len(x)))
    parts = (SUPPORT,) * batch.x_support.shape[1] + (QUERY,) * batch.x_query.shape[1]
    group = family.splits["train"][int(batch.params["group"][0])] if "group" in batch.params else ""
    counts = {split: len(family.splits.get(split, ())) for split in SPLIT_WORDS}
    per_group = np.array(sorted(family.rows_per_group().values()), dtype=np.int64)
    return TaskTable(group, (*features, target), rows, parts, counts, per_group)


def feature_names(family: TaskFamily) -> list[str]:
    """The feature columns in the encoder's order: as the preset lists them, else every other column of the file."""
    config = family.config
    if config.feature_columns:
        return list(config.feature_columns)
    skip = {config.group_column, config.target_column}
    return [name for name in header(config.path) if name not in skip]


def header(path: str) -> list[str]:
    with Path(path).open(newline="", encoding="utf-8-sig") as handle:
        return [name.strip() for name in next(csv.reader(handle), [])]


def decode_features(family: TaskFamily, encoded: torch.Tensor) -> list[str]:
    """Standardised numbers back to the file's scale; one-hot categories back to their names."""
    encoder, values, at = family.encoder, [], 0
    for numeric, (mean, std), categories in zip(encoder.numeric, encoder.stats, encoder.categories):
        if numeric:
            values.append(_number(float(encoded[at]) * std + mean, std))
            at += 1
            continue
        hot = encoded[at : at + len(categories)]
        values.append(categories[int(hot.argmax())] if len(categories) and float(hot.max()) > 0 else "")
        at += len(categories)
    return values


def decode_target(family: TaskFamily, encoded: torch.Tensor) -> str:
    if family.kind == "classification":
        return str(family.classes[int(encoded.reshape(-1)[0])])
    return _number(float(encoded.reshape(-1)[0]) * family.target_std + family.target_mean, family.target_std)


def _number(value: float, scale: float) -> str:
    """Four significant digits, with float32 round-off (1e-8 for a 0) shown as the 0 it was."""
    return f"{value:.4g}" if abs(value) > 1e-5 * scale else "0"


def describe_table(family: TaskFamily) -> str:
    """'40 groups: meta-train 24 · validation 8 · test 8; 30 rows each' (or the range of rows)."""
    splits = " · ".join(f"{word} {len(family.splits.get(s, ()))}" for s, word in SPLIT_WORDS.items())
    sizes = list(family.rows_per_group().values())
    rows = f"{sizes[0]} rows each" if len(set(sizes)) == 1 else f"{min(sizes)} to {max(sizes)} rows per group"
    return f"{len(sizes)} groups: {splits}; {rows}"
