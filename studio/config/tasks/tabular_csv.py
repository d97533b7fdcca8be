"""The user's own table as tasks: one task per value of a grouping column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.fields import param
from studio.config.registry import TASKS
from studio.config.sections import TaskConfig


@TASKS.register("tabular_csv")
@dataclass(frozen=True)
class TabularCsvTask(TaskConfig):
    family: str = "tabular_csv"
    label: ClassVar[str] = "CSV table (your data)"
    tasks_are: ClassVar[str | None] = None  # the target column decides, unless task_type says
    shots: int = param(5, "Shots", "Support rows per task.", minimum=1, maximum=100_000)
    queries: int = param(10, "Queries", "Query rows per task.", minimum=1, maximum=100_000)
    path: str = param("", "CSV file", "The table to read (comma-separated, a header row first).", is_path=True)
    group_column: str = param(
        "",
        "Task column",
        "Rows with the same value here form one task (a user, a patient, a store).",
        columns_of="path",
    )
    target_column: str = param("", "Target column", "The column to predict.", columns_of="path")
    feature_columns: tuple[str, ...] = param(
        (), "Feature columns", "Inputs; empty means every other column.", columns_of="path"
    )
    task_type: str = param(
        "auto",
        "Task type",
        "auto: classification for a non-numeric target, regression otherwise.",
        choices=("auto", "regression", "classification"),
    )
    validation_fraction: float = param(
        0.2,
        "Validation groups",
        "Share of groups held out for evaluation during training.",
        minimum=0.0,
        exclusive_minimum=True,
        maximum=0.9,
        step=0.05,
    )
    split_seed: int = param(
        0, "Split seed", "Seeds which groups go to train, validation and test.", minimum=0, maximum=2**31 - 1
    )
    test_fraction: float = param(
        0.2,
        "Test groups",
        "Share of groups held out for 'studio eval'.",
        minimum=0.0,
        exclusive_minimum=True,
        maximum=0.9,
        step=0.05,
    )

    def task_kind(self) -> str | None:
        return None if self.task_type == "auto" else self.task_type
