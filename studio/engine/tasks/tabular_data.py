"""Reading a CSV into per-group tensors: splits, standardisation and encoding.

Rules, stated once:
- groups are split into train/validation/test by a seeded shuffle of the group names;
- numeric features are standardised with the mean and standard deviation of the
  meta-train groups only (no leakage from held-out groups); a missing numeric
  value becomes that mean (0 after standardising);
- other features are one-hot encoded over the categories seen in meta-train
  groups; a missing or unseen category is all zeros;
- a regression target is standardised like a feature; a classification target
  is encoded as class indices over all its values.
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass
from pathlib import Path

import torch

from studio.config import ConfigError
from studio.config.errors import did_you_mean

MAX_BYTES = 2_000_000_000


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]


def csv_header(path_text: str) -> list[str]:
    """The column names in a CSV file's first row ([] when it cannot be read): what a form offers."""
    try:
        with Path(path_text).open(newline="", encoding="utf-8-sig") as handle:
            return [c.strip() for c in next(csv.reader(handle), [])]
    except (OSError, csv.Error, UnicodeDecodeError, ValueError):
        return []


def read_table(path_text: str) -> Table:
    """The header and rows of a CSV file, or a :class:`ConfigError` naming the problem and line."""
    path = Path(path_text)
    if not path_text:
        raise ConfigError.at("task.path", "is empty; choose a CSV file")
    if not path.is_file():
        raise ConfigError.at("task.path", f"{path}: no such file" if not path.exists() else f"{path}: is not a file")
    if path.stat().st_size > MAX_BYTES:
        raise ConfigError.at("task.path", f"{path}: larger than {MAX_BYTES // 10**9} GB")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            rows = [row for row in reader if row]
    except (csv.Error, UnicodeDecodeError) as error:
        raise ConfigError.at("task.path", f"{path}: malformed CSV ({error})") from None
    if not rows:
        raise ConfigError.at("task.path", f"{path}: is empty; expected a header row and data rows")
    header, body = [c.strip() for c in rows[0]], rows[1:]
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise ConfigError.at(
                "task.path", f"{path}: line {number} has {len(row)} fields, the header has {len(header)}"
            )
    return Table(header, body)


def column_index(table: Table, name: str, field: str) -> int:
    if name not in table.columns:
        hint = did_you_mean(name, table.columns)
        raise ConfigError.at(field, f"'{name}' is not a column of the file{hint}; columns: {', '.join(table.columns)}")
    return table.columns.index(name)


def as_number(text: str) -> float | None:
    """The value as a float, or None if missing or not numeric."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def is_numeric(values: list[str]) -> bool:
    present = [v for v in values if v.strip() != ""]
    return bool(present) and all(as_number(v) is not None for v in present)


def split_groups(names: list[str], seed: int, validation: float, test: float) -> dict[str, list[str]]:
    """Seeded, disjoint train/validation/test lists of group names (each non-empty)."""
    order = sorted(names)
    random.Random(seed).shuffle(order)
    n_val = max(1, round(validation * len(order)))
    n_test = max(1, round(test * len(order)))
    if len(order) - n_val - n_test < 1:
        raise ConfigError.at(
            "task.group_column", f"gives {len(order)} usable groups; at least 3 are needed (train, validation, test)"
        )
    return {"validation": order[:n_val], "test": order[n_val : n_val + n_test], "train": order[n_val + n_test :]}


class FeatureEncoder:
    """Standardises numeric columns and one-hot encodes the rest, fitted on meta-train rows only."""

    def __init__(self, columns: list[list[str]]):
        self.numeric = [is_numeric(values) for values in columns]
        self.stats: list[tuple[float, float]] = []
        self.categories: list[list[str]] = []
        for numeric, values in zip(self.numeric, columns):
            if numeric:
                numbers = [x for x in (as_number(v) for v in values) if x is not None]
                mean = sum(numbers) / len(numbers)
                std = math.sqrt(sum((x - mean) ** 2 for x in numbers) / max(len(numbers) - 1, 1)) or 1.0
                self.stats.append((mean, std))
                self.categories.append([])
            else:
                self.stats.append((0.0, 1.0))
                self.categories.append(sorted({v for v in values if v.strip()}))

    @property
    def width(self) -> int:
        return sum(1 if numeric else len(cats) for numeric, cats in zip(self.numeric, self.categories))

    def encode(self, columns: list[list[str]]) -> torch.Tensor:
        parts = []
        for numeric, (mean, std), cats, values in zip(self.numeric, self.stats, self.categories, columns):
            if numeric:
                numbers = [as_number(v) for v in values]
                parts.append(torch.tensor([[((x if x is not None else mean) - mean) / std] for x in numbers]))
            else:
                index = {c: i for i, c in enumerate(cats)}
                onehot = torch.zeros(len(values), len(cats))
                for row, value in enumerate(values):
                    if value in index:
                        onehot[row, index[value]] = 1.0
                parts.append(onehot)
        return torch.cat(parts, dim=1).float() if parts else torch.zeros(len(columns[0]) if columns else 0, 0)
