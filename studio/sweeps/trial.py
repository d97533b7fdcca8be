"""One trial: Optuna's settings applied to the base preset, trained seed by seed into run folders.

The objective is a final evaluation figure (mean over the trial's seeds).  The
first seed's held-out evaluations are reported to Optuna as they come, and a
trial the pruner gives up on stops there: its run folder is kept, finished
as stopped, and marked pruned in ``trial.json``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna

from studio.config import ConfigError, atomic_write_text
from studio.config.sweep import OBJECTIVE, Dimension, SweepConfig, applies_to, apply_values
from studio.config.toml_io import set_value
from studio.export.library import TRIAL_FILE


@dataclass(frozen=True)
class TrialResult:
    number: int
    state: str  # complete, pruned or failed
    value: float | None
    params: dict[str, Any]
    seconds: float
    message: str = ""


def suggest(trial: optuna.Trial, sweep: SweepConfig, base: dict[str, Any]) -> dict[str, Any]:
    """Ask Optuna for each dimension that applies once the family, model and algorithm are picked."""
    data = json.loads(json.dumps(base))
    values: dict[str, Any] = {}
    for dimension in sweep.ordered_dimensions():
        if not applies_to(dimension.key, data):
            continue  # e.g. inner_steps when the trial picked protonet
        values[dimension.key] = _suggest_one(trial, dimension)
        set_value(data, dimension.key, values[dimension.key])
    return values


def _suggest_one(trial: optuna.Trial, d: Dimension) -> Any:
    if d.kind == "choice":
        return trial.suggest_categorical(d.key, list(d.choices))
    if d.kind == "int":
        return trial.suggest_int(d.key, int(d.low), int(d.high), log=d.log)
    return trial.suggest_float(d.key, d.low, d.high, log=d.log)


def objective_value(evaluation: Any, objective: str) -> float:
    """``loss``/``accuracy`` after the last inner step reported, or ``loss@K``/``accuracy@K`` after K."""
    match = OBJECTIVE.match(objective)
    figure, steps = match.group(1), match.group(2)
    series = evaluation.loss_mean if figure == "loss" else evaluation.accuracy_mean
    if series is None:
        raise ConfigError.at("sweep.objective", "accuracy needs a classification task family")
    if steps is None:
        return float(series[-1])
    if int(steps) not in evaluation.steps:
        raise ConfigError.at("sweep.objective", f"{objective}: the evaluation reports steps {list(evaluation.steps)}")
    return float(series[evaluation.steps.index(int(steps))])


def run_trial(trial: optuna.Trial, sweep: SweepConfig, base: dict[str, Any], folder: Path) -> TrialResult:
    """Train the trial's settings (every seed) and return its state and objective."""
    clock = time.perf_counter()
    params: dict[str, Any] = {}
    try:
        params = suggest(trial, sweep, base)
        preset = trial_preset(base, params, sweep)
        value = _train_seeds(trial, sweep, preset, folder)
        result = TrialResult(trial.number, "complete", value, params, time.perf_counter() - clock)
    except optuna.TrialPruned:
        result = TrialResult(trial.number, "pruned", None, params, time.perf_counter() - clock)
    except (ConfigError, FloatingPointError) as error:
        result = TrialResult(trial.number, "failed", None, params, time.perf_counter() - clock, str(error))
    write_trial_file(folder, result, sweep)
    return result


def trial_preset(base: dict[str, Any], params: dict[str, Any], sweep: SweepConfig):
    """The base preset with the trial's values; evaluations spaced so the pruner has something to judge."""
    preset = apply_values(base, params)
    if sweep.pruner == "none" or "training.eval_every" in params:
        return preset
    every = max(1, math.ceil(preset.training.iterations / sweep.evaluations))
    eval_every = min(every, preset.training.eval_every)
    return preset.replace(training=dataclasses.replace(preset.training, eval_every=eval_every))


def _train_seeds(trial: optuna.Trial, sweep: SweepConfig, preset, folder: Path) -> float:
    values = []
    for index in range(sweep.seeds):
        seeded = preset.replace(seed=preset.seed + index)
        run_dir = folder if sweep.seeds == 1 else folder / f"seed-{seeded.seed}"
        report = _reporter(trial, sweep.objective) if index == 0 else None
        values.append(train_run(seeded, run_dir, sweep.objective, report))
    return sum(values) / len(values)


def _reporter(trial: optuna.Trial, objective: str) -> Callable[[Any], bool]:
    def report(evaluation: Any) -> bool:
        trial.report(objective_value(evaluation, objective), evaluation.iteration)
        return trial.should_prune()

    return report


def train_run(preset, run_dir: Path, objective: str, report: Callable[[Any], bool] | None) -> float:
    """One run into ``run_dir`` through the studio's record loop; ``report`` sees each held-out evaluation
    and may ask to stop (prune)."""
    from studio.engine import Evaluation, FinishReason
    from studio.export import prepare_run_dir
    from studio.runs.local import LocalRun
    from studio.runs.messages import RunRequest

    pruned: list[bool] = []  # set once the pruner gives up; the engine asks between iterations
    run = LocalRun(RunRequest(preset, str(prepare_run_dir(run_dir))), lambda: bool(pruned))
    for event in run.records():
        if isinstance(event, Evaluation) and report is not None and not pruned and report(event):
            pruned.append(True)
    if pruned:
        raise optuna.TrialPruned()
    if run.finished.reason == FinishReason.DIVERGED:
        raise FloatingPointError(run.finished.message)
    return objective_value(run.finished.final, objective)


def write_trial_file(folder: Path, result: TrialResult, sweep: SweepConfig) -> None:
    """``trial.json``: the trial's number, state, settings and objective, beside its run folder(s)."""
    document = {
        "trial": result.number,
        "state": result.state,
        "objective": sweep.objective,
        "value": result.value,
        "params": result.params,
        "seconds": round(result.seconds, 3),
        "message": result.message,
    }
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / TRIAL_FILE, json.dumps(document, indent=2) + "\n")
