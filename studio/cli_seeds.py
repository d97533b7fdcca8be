"""``studio eval`` of a seed series: each seed's final score, then the mean ± 95% CI over seeds and over tasks."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from studio.cli_library import print_table


def print_series(folder: Path, document: dict, evaluations: Sequence, protocol: str) -> None:
    """One row per seed, then the two summaries, all at the last step reported (MAML++'s final score)."""
    step = document["steps"][-1]
    metrics = [m for m in ("loss", "accuracy") if f"{m}_mean" in document["over_seeds"]]
    print(
        f"{folder}: {len(evaluations)} seeds, {document['tasks_per_seed']} held-out tasks each ({protocol}), "
        f"query scores after {step} step(s)"
    )
    rows = [[str(seed)] + [_cell(m, getattr(e, f"{m}_mean")[-1], getattr(e, f"{m}_ci95")[-1]) for m in metrics]
            for seed, e in zip(document["seeds"], evaluations)]  # fmt: skip
    for name, label in (("over_seeds", "over seeds (t)"), ("over_tasks", "over all tasks")):
        summary = document[name]
        rows.append([label] + [_cell(m, summary[f"{m}_mean"][-1], summary[f"{m}_ci95"][-1]) for m in metrics])
    print_table(["seed", *(f"{m} (mean ± 95% CI)" for m in metrics)], rows)


def _cell(metric: str, mean: float, half: float) -> str:
    if metric == "accuracy":
        return f"{100 * mean:.2f}% ± {100 * half:.2f}%"
    return f"{mean:.4f} ± {half:.4f}"
