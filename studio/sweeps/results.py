"""What a sweep found: the trials as rows, the best one, the counts, and ``sweep.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from studio.config import atomic_write_text
from studio.sweeps.study import SweepStudy

SUMMARY_FILE = "sweep.json"
STATE_WORDS = {TrialState.COMPLETE: "complete", TrialState.PRUNED: "pruned", TrialState.FAIL: "failed"}


def counted_trials(sweep_study: SweepStudy) -> list[FrozenTrial]:
    """The trials within the budget (a trial asked for past it was never trained)."""
    budget = sweep_study.sweep.trials
    return [t for t in sweep_study.study.get_trials(deepcopy=False) if t.number < budget]


def state_word(trial: FrozenTrial) -> str:
    return STATE_WORDS.get(trial.state, trial.state.name.lower())


def trial_line(trial: FrozenTrial, objective: str) -> str:
    """``trial 3  complete  loss 0.4123  algorithm.inner_lr=0.0123 ... (12.3 s)``."""
    value = f"{objective} {trial.value:.4f}" if trial.value is not None else f"{objective} -"
    settings = " ".join(f"{k}={_show(v)}" for k, v in trial.params.items())
    seconds = trial.user_attrs.get("seconds")
    tail = f"  ({seconds:.1f} s)" if seconds is not None else ""
    error = trial.user_attrs.get("error")
    return f"trial {trial.number:>3}  {state_word(trial):<8}  {value}  {settings}{tail}" + (
        f"  {error}" if error else ""
    )


def _show(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def best_trial(sweep_study: SweepStudy) -> FrozenTrial | None:
    complete = [t for t in counted_trials(sweep_study) if t.state == TrialState.COMPLETE]
    if not complete:
        return None
    pick = max if sweep_study.sweep.maximize else min
    return pick(complete, key=lambda t: t.value)


def state_counts(sweep_study: SweepStudy) -> dict[str, int]:
    counts = {word: 0 for word in ("complete", "pruned", "failed", "running")}
    for trial in counted_trials(sweep_study):
        word = state_word(trial)
        counts[word] = counts.get(word, 0) + 1
    return counts


def importances(sweep_study: SweepStudy) -> dict[str, float]:
    """Optuna's parameter importances (fANOVA), or nothing while there are too few finished trials."""
    complete = [t for t in counted_trials(sweep_study) if t.state == TrialState.COMPLETE]
    if len(complete) < 2 or len({k for t in complete for k in t.params}) < 1:
        return {}
    try:
        return dict(optuna.importance.get_param_importances(sweep_study.study))
    except (ValueError, RuntimeError):  # e.g. every trial had the same value
        return {}


def write_summary(sweep_study: SweepStudy, out: Path) -> dict[str, Any]:
    """``sweep.json``: the best trial, the counts, and where the study is stored."""
    best = best_trial(sweep_study)
    document = {
        "name": sweep_study.name,
        "storage": sweep_study.storage_text,
        "objective": sweep_study.sweep.objective,
        "direction": "maximize" if sweep_study.sweep.maximize else "minimize",
        "trials": sweep_study.sweep.trials,
        "counts": state_counts(sweep_study),
        "best": None if best is None else {"trial": best.number, "value": best.value, "params": best.params},
        "importances": importances(sweep_study),
    }
    atomic_write_text(out / SUMMARY_FILE, json.dumps(document, indent=2) + "\n")
    return document
