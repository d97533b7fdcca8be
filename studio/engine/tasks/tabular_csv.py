"""The user's own table as a task distribution: each group of rows (a user, a patient,
a machine, a store) is a task; its rows are split into support and query sets.

See :mod:`studio.engine.tasks.tabular_data` for how the file is read, split and
encoded.  Groups too small for ``shots + queries`` rows are left out and
counted in :attr:`notices`.
"""

from __future__ import annotations

from collections import defaultdict

import torch

from studio.config import ConfigError
from studio.config.tasks.tabular_csv import TabularCsvTask
from studio.engine.registry import FAMILIES
from studio.engine.tasks.base import TaskBatch, TaskFamily
from studio.engine.tasks.tabular_data import (
    FeatureEncoder,
    Table,
    as_number,
    column_index,
    is_numeric,
    read_table,
    split_groups,
)


@FAMILIES.register("tabular_csv")
class TabularCsv(TaskFamily):
    config: TabularCsvTask

    def __init__(self, config: TabularCsvTask):
        super().__init__(config)
        self.notices: list[str] = []
        table = read_table(config.path)
        group_at, target_at, feature_at = self._columns(table)
        rows = self._usable_groups(table, group_at)
        self.kind = self._task_kind(table, target_at)
        self.splits = split_groups(list(rows), config.split_seed, config.validation_fraction, config.test_fraction)
        train_rows = [row for name in self.splits["train"] for row in rows[name]]
        self.encoder = FeatureEncoder([[row[i] for row in train_rows] for i in feature_at])
        self._fit_target(table, train_rows, target_at)
        self.input_dim = self.encoder.width
        self.tensors = {name: self._encode(group, feature_at, target_at) for name, group in rows.items()}

    def _columns(self, table: Table) -> tuple[int, int, list[int]]:
        cfg = self.config
        group_at = column_index(table, cfg.group_column, "task.group_column")
        target_at = column_index(table, cfg.target_column, "task.target_column")
        if group_at == target_at:
            raise ConfigError.at("task.target_column", "must differ from task.group_column")
        names = cfg.feature_columns or [c for c in table.columns if c not in (cfg.group_column, cfg.target_column)]
        feature_at = [column_index(table, name, "task.feature_columns") for name in names]
        if not feature_at or {group_at, target_at} & set(feature_at):
            raise ConfigError.at(
                "task.feature_columns", "must name at least one column other than the task and target columns"
            )
        return group_at, target_at, feature_at

    def _usable_groups(self, table: Table, group_at: int) -> dict[str, list[list[str]]]:
        groups: dict[str, list[list[str]]] = defaultdict(list)
        for row in table.rows:
            groups[row[group_at]].append(row)
        needed = self.config.shots + self.config.queries
        small = [name for name, rows in groups.items() if len(rows) < needed]
        if small:
            self.notices.append(
                f"{len(small)} of {len(groups)} groups have fewer than shots + queries = {needed} rows and are left out"
            )
        return {name: rows for name, rows in groups.items() if len(rows) >= needed}

    def _task_kind(self, table: Table, target_at: int) -> str:
        numeric = is_numeric([row[target_at] for row in table.rows])
        choice = self.config.task_type
        if choice == "regression" and not numeric:
            line, value = next(
                (n, r[target_at]) for n, r in enumerate(table.rows, 2) if as_number(r[target_at]) is None
            )
            raise ConfigError.at(
                "task.target_column",
                f"'{self.config.target_column}' is not numeric (line {line}: '{value}'); regression needs numbers",
            )
        return choice if choice != "auto" else ("regression" if numeric else "classification")

    def _fit_target(self, table: Table, train_rows: list[list[str]], target_at: int) -> None:
        if self.kind == "classification":
            self.classes = sorted({row[target_at] for row in table.rows})
            self.output_dim = len(self.classes)
            return
        values = [as_number(row[target_at]) for row in train_rows]
        numbers = torch.tensor([v for v in values if v is not None], dtype=torch.float64)
        self.target_mean, self.target_std = float(numbers.mean()), float(numbers.std()) or 1.0
        self.output_dim = 1

    def _encode(
        self, rows: list[list[str]], feature_at: list[int], target_at: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        if self.kind == "regression":
            rows = [row for row in rows if as_number(row[target_at]) is not None]
        x = self.encoder.encode([[row[i] for row in rows] for i in feature_at])
        if self.kind == "classification":
            index = {c: i for i, c in enumerate(self.classes)}
            return x, torch.tensor([index[row[target_at]] for row in rows])
        y = torch.tensor([[(as_number(row[target_at]) - self.target_mean) / self.target_std] for row in rows])
        return x, y.float()

    def sample(
        self, n_tasks: int, generator: torch.Generator, queries: int | None = None, split: str = "train"
    ) -> TaskBatch:
        shots, queries = self.config.shots, queries or self.config.queries
        names = self.splits[split]
        picks = torch.randint(len(names), (n_tasks,), generator=generator)
        xs, ys = [], []
        for pick in picks.tolist():
            x, y = self.tensors[names[pick]]
            take = torch.randperm(len(x), generator=generator)[: shots + min(queries, len(x) - shots)]
            xs.append(x[take])
            ys.append(y[take])
        count = min(len(x) for x in xs)
        x = torch.stack([t[:count] for t in xs])
        y = torch.stack([t[:count] for t in ys])
        params = {"group": picks.float()}
        if self.kind == "classification":  # a label names the same category in every group
            params["global_classes"] = torch.arange(self.output_dim).expand(n_tasks, -1)
        return TaskBatch(x[:, :shots], y[:, :shots], x[:, shots:], y[:, shots:], params=params)

    @property
    def shared_classes(self) -> int:
        return self.output_dim if self.kind == "classification" else 0

    def rows_per_group(self) -> dict[str, int]:
        """How many usable rows each group has (for the designer's histogram)."""
        return {name: len(x) for name, (x, _) in self.tensors.items()}
